from __future__ import annotations

from django import forms

from chairside.interop.models import CsvImport, InterfaceSettings
from chairside.interop.services import SETTINGS_FIELDS


class ReceiveForm(forms.Form):
    raw = forms.CharField(
        label="HL7 v2 message",
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono", "spellcheck": "false"}),
        help_text="Paste one message (MSH first); segments on separate lines.",
        max_length=1_000_000,
    )


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=CsvImport.Kind.choices)
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV with a header row; 5 MB at most.")


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = InterfaceSettings
        fields = list(SETTINGS_FIELDS)
