from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from chairside.accounts.throttle import normalize_username


class LoginForm(AuthenticationForm):
    """Django's log-in form, with the user name in its canonical spelling (NFKC, case-folded)
    so that every spelling of a name meets the same lock."""

    def clean_username(self) -> str:
        return normalize_username(str(self.cleaned_data.get("username") or ""))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )
