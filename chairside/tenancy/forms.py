from __future__ import annotations

import re
from typing import Any

from django import forms

from chairside.core.usernames import normalize_username
from chairside.tenancy.models import (
    Chair,
    Competency,
    Location,
    Membership,
    OpeningHours,
    StaffMember,
)

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NoModelValidation:
    """Model rules run in the services; the form only parses."""

    def _post_clean(self) -> None:
        pass


class LocationForm(NoModelValidation, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Location
        fields = [
            "name",
            "site_type",
            "place_of_service",
            "off_campus_status",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "time_zone",
            "nurse_patient_ratio",
            "requires_supervision_on_site",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place_of_service"].required = False
        self.fields["place_of_service"].help_text = "Leave empty to use the site type's default."


class HoursForm(forms.Form):
    """Seven rows of open/close times; an empty row is a closed day."""

    def __init__(self, *args: Any, location: Location | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {h.weekday: h for h in location.hours.all()} if location else {}
        for weekday, name in OpeningHours.WEEKDAYS:
            hours = current.get(weekday)
            self.fields[f"opens_{weekday}"] = forms.TimeField(
                required=False,
                label=f"{name} opens",
                widget=TIME,
                initial=hours.opens if hours else None,
            )
            self.fields[f"closes_{weekday}"] = forms.TimeField(
                required=False,
                label=f"{name} closes",
                widget=TIME,
                initial=hours.closes if hours else None,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (name, self[f"opens_{d}"], self[f"closes_{d}"]) for d, name in OpeningHours.WEEKDAYS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for weekday, name in OpeningHours.WEEKDAYS:
            opens, closes = data.get(f"opens_{weekday}"), data.get(f"closes_{weekday}")
            if (opens is None) != (closes is None):
                raise forms.ValidationError(
                    f"{name}: give both opening and closing times, or neither."
                )
        return data

    def hours(self) -> dict[int, Any]:
        data = self.cleaned_data
        return {
            d: (data[f"opens_{d}"], data[f"closes_{d}"]) if data.get(f"opens_{d}") else None
            for d, _ in OpeningHours.WEEKDAYS
        }


class ChairForm(NoModelValidation, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Chair
        fields = ["name", "kind", "sort_order", "is_active"]


class StaffForm(NoModelValidation, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StaffMember
        fields = [
            "first_name",
            "last_name",
            "job_title",
            "credential",
            "npi",
            "license_state",
            "license_number",
            "license_expires",
            "email",
            "phone",
            "home_location",
            "is_active",
        ]
        widgets = {"license_expires": DATE}

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_location"].queryset = Location.objects.filter(organization=organization)  # type: ignore[attr-defined]


class CompetencyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Competency
        fields = ["skill", "verified_on", "expires_on"]
        widgets = {"verified_on": DATE, "expires_on": DATE}

    def _post_clean(self) -> None:
        pass


class MembershipForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @.+-_ only.")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES)
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="To create a new log-in: a temporary password (at least 12 characters) to "
        "hand over in person; they choose their own at first log-in. Leave it empty to invite "
        "someone who already has a Chairside log-in: they accept after logging in.",
    )

    def clean_username(self) -> str:

        name = normalize_username(str(self.cleaned_data["username"]))
        if not re.fullmatch(r"[\w.@+-]+", name):
            raise forms.ValidationError("Use letters, digits and @ . + - _ only.")
        return name
