from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from chairside.core.usernames import normalize_username


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


class AdminPasswordResetForm(forms.Form):
    """An administrator's reset of a member's password."""

    temporary_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Hand it over in person; they must change it at "
        "their next log-in.",
    )
    temporary_password_again = forms.CharField(
        label="Temporary password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reset_two_factor = forms.BooleanField(
        required=False,
        label="Also remove their authenticator app and recovery codes (lost phone)",
        help_text="They set up two-factor again after logging in.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("temporary_password"), data.get("temporary_password_again")
        if first and second and first != second:
            raise forms.ValidationError("The two passwords are not the same.")
        return data
