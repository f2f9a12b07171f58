"""Forms of the compliance page: parse and check the input; the services hold the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from chairside.compliance.models import Incident, StaffLicence, TemperatureDevice
from chairside.tenancy.models import Competency, Location, StaffMember

DATE = forms.DateInput(attrs={"type": "date"})


class _StaffChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _staff_field(organization: Any, label: str = "Staff member") -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return _StaffChoice(
        queryset=StaffMember.objects.filter(organization=organization, is_active=True),
        label=label,
        error_messages={"invalid_choice": "Choose one of your staff."},
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end of the period is before its start.")
        if start and end and (end - start).days > 731:
            raise forms.ValidationError("Choose a period of at most two years.")
        return data


class LicenceForm(forms.Form):
    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"] = _staff_field(organization)
        self.order_fields(["staff", "kind", "state", "number", "expires_on"])

    kind = forms.ChoiceField(choices=StaffLicence.Kind.choices)
    state = forms.CharField(max_length=2, required=False, help_text="Two letters; empty for DEA.")
    number = forms.CharField(max_length=40)
    expires_on = forms.DateField(label="Expires on", widget=DATE)


class VerifyForm(forms.Form):
    verified_with = forms.CharField(
        max_length=120, label="Verified with", help_text="e.g. Nursys, the state board's site."
    )


class CheckoffForm(forms.Form):
    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"] = _staff_field(organization, "Person checked off")
        self.order_fields(["staff", "skill", "checked_on", "notes"])

    skill = forms.ChoiceField(choices=Competency.Skill.choices)
    checked_on = forms.DateField(label="Checked on", widget=DATE, initial=timezone.localdate)
    notes = forms.CharField(max_length=300, required=False)
    checker_username = forms.CharField(
        label="Checker's user name", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    checker_password = forms.CharField(
        label="Checker's password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PolicyForm(forms.Form):
    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"] = forms.ModelChoiceField(
            queryset=Location.objects.filter(organization=organization, is_active=True),
            required=False,
            empty_label="Every location",
            error_messages={"invalid_choice": "Choose one of your locations."},
        )

    title = forms.CharField(max_length=200)
    version = forms.CharField(max_length=20)
    effective_on = forms.DateField(label="Effective on", widget=DATE)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. Medication refrigerator 1.")
    kind = forms.ChoiceField(choices=TemperatureDevice.Kind.choices)
    low_c = forms.DecimalField(
        label="Low limit °C", max_digits=5, decimal_places=1, required=False,
        help_text="Empty: the USP range of its kind.",
    )  # fmt: skip
    high_c = forms.DecimalField(
        label="High limit °C", max_digits=5, decimal_places=1, required=False
    )


class ReadingForm(forms.Form):
    def __init__(self, *args: Any, location: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = location
        self.fields["device"] = forms.ModelChoiceField(
            queryset=TemperatureDevice.objects.filter(location=location, is_active=True),
            error_messages={"invalid_choice": "Choose one of this location's devices."},
        )
        self.order_fields(["device", "at", "celsius"])

    at = forms.DateTimeField(
        label="Read at (site time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    celsius = forms.DecimalField(label="Reading °C", max_digits=5, decimal_places=1)

    def clean_at(self) -> dt.datetime:
        at: dt.datetime = self.cleaned_data["at"]
        return timezone.make_aware(at.replace(tzinfo=None), self.location.tz)


class CsvForm(forms.Form):
    file = forms.FileField(label="Temperature log (CSV)")


class FollowUpForm(forms.Form):
    action_taken = forms.CharField(
        label="Action taken",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done (e.g. door closed, unit serviced)."},
    )
    product_impact = forms.CharField(
        label="Product impact assessment",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say what it means for the products stored (usable, quarantined, "
            "discarded) and on what evidence."
        },
    )


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(choices=Incident.Kind.choices)
    occurred_on = forms.DateField(label="Occurred on", widget=DATE)
    severity = forms.ChoiceField(choices=Incident.Severity.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    patient_mrn = forms.CharField(
        label="Patient MRN", max_length=40, required=False, help_text="Optional."
    )


class ActionForm(forms.Form):
    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _staff_field(organization, "Owner")
        self.order_fields(["action", "owner", "due_on"])

    action = forms.CharField(max_length=300, label="Follow-up action")
    due_on = forms.DateField(label="Due on", widget=DATE)
