from __future__ import annotations

from django import forms

from chairside.api.tokens import EXPIRY_DAYS
from chairside.tenancy.roles import ROLE_LABELS, Role

_EXPIRY = [(str(d), f"{d} days") for d in EXPIRY_DAYS]


class PersonalTokenForm(forms.Form):
    prefix = "personal"

    name = forms.CharField(max_length=80, help_text="What uses it, e.g. “monthly export script”.")
    expires_in_days = forms.TypedChoiceField(
        choices=_EXPIRY, coerce=int, initial="90", label="Expires after"
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="Re-entered to make a token.",
    )


class ServiceTokenForm(PersonalTokenForm):
    prefix = "service"

    role = forms.ChoiceField(
        choices=[(r.value, label) for r, label in ROLE_LABELS.items() if r != Role.ADMIN],
        help_text="What the system may see and do, as a person with this role.",
    )
    field_order = ["name", "role", "expires_in_days", "password"]
