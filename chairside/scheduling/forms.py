"""Forms parse and show input; the rules live in scheduling.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from chairside.scheduling.models import Appointment
from chairside.scheduling.services import AUTO
from chairside.tenancy.models import Chair, Location, StaffMember

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
NO_NURSE = "none"


class ChairField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.location.name} · {obj.name}"


def chair_field(organization: Any, location: Location | None = None) -> ChairField:
    chairs = Chair.objects.filter(location__organization=organization, is_active=True)
    if location is not None:
        chairs = chairs.filter(location=location)
    return ChairField(
        chairs.select_related("location").order_by("location__name", "sort_order", "name"),
        to_field_name="public_id",
    )


def nurse_choices(organization: Any, *, auto: bool = True) -> list[tuple[str, str]]:
    staff = StaffMember.objects.filter(
        organization=organization, is_active=True, credential__in=["RN", "LPN", "NP"]
    ).order_by("last_name")
    first = [(AUTO, "Assign automatically (least busy on shift)")] if auto else []
    return [*first, (NO_NURSE, "No nurse yet"), *((str(s.public_id), str(s)) for s in staff)]


def resolve_nurse(organization: Any, value: str) -> Any:
    """The form's nurse choice as the service wants it: AUTO, None or a staff member."""
    if value == AUTO:
        return AUTO
    if value in ("", NO_NURSE):
        return None
    return StaffMember.objects.filter(organization=organization, public_id=value).first()


class BookForm(forms.Form):
    order = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME)
    nurse = forms.ChoiceField(choices=())
    minutes = forms.IntegerField(
        min_value=15,
        max_value=720,
        required=False,
        help_text="Empty: from the formulary (first or later infusion, plus observation).",
    )
    earliest = forms.TimeField(
        widget=TIME, required=False, label="Patient can come from", help_text="For the optimizer."
    )
    latest = forms.TimeField(widget=TIME, required=False, label="Patient must leave by")
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Authorization override reason",
        help_text="Only if the authorization check refuses and you book anyway (audited).",
    )
    notes = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"] = chair_field(organization)
        self.fields["nurse"].choices = nurse_choices(organization)  # type: ignore[attr-defined]
        self.order_fields(["order", "date", "time", "chair", "nurse", "minutes"])


class MoveForm(forms.Form):
    date = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME)
    nurse = forms.ChoiceField(choices=(), required=False)
    minutes = forms.IntegerField(min_value=15, max_value=720, label="Minutes")
    reason = forms.CharField(max_length=200, required=False, label="Why (optional)")
    override_reason = forms.CharField(
        max_length=255, required=False, label="Authorization override reason (another day)"
    )

    def __init__(self, *args: Any, appointment: Appointment, **kwargs: Any) -> None:
        start = appointment.local_start()
        kwargs.setdefault(
            "initial",
            {
                "date": start.date(),
                "time": start.time(),
                "chair": appointment.chair.public_id,
                "nurse": str(appointment.nurse.public_id) if appointment.nurse else NO_NURSE,
                "minutes": appointment.duration_minutes,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["chair"] = chair_field(appointment.organization)
        self.fields["nurse"].choices = nurse_choices(  # type: ignore[attr-defined]
            appointment.organization
        )
        self.order_fields(["date", "time", "chair", "nurse", "minutes"])


class CancelForm(forms.Form):
    reason_code = forms.ChoiceField(
        choices=[("", "Choose a reason")] + list(Appointment.Reason.choices), label="Reason"
    )
    reason = forms.CharField(max_length=200, required=False, label="Details")


class NoShowForm(forms.Form):
    reason_code = forms.ChoiceField(
        choices=list(Appointment.Reason.choices), initial="no_contact", label="Reason"
    )
    reason = forms.CharField(max_length=200, required=False, label="Details (calls made …)")


class NurseForm(forms.Form):
    nurse = forms.ChoiceField(choices=())

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nurse"].choices = nurse_choices(  # type: ignore[attr-defined]
            organization, auto=False
        )


class ShiftForm(forms.Form):
    staff = forms.ModelChoiceField(StaffMember.objects.none(), label="Nurse")
    location = forms.ModelChoiceField(Location.objects.none())
    date = forms.DateField(widget=DATE)
    starts = forms.TimeField(widget=TIME, initial=dt.time(7))
    ends = forms.TimeField(widget=TIME, initial=dt.time(15, 30))
    repeat_weeks = forms.IntegerField(
        min_value=0, max_value=26, initial=0, label="Repeat weekly for (weeks)"
    )
    note = forms.CharField(max_length=120, required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, credential__in=["RN", "LPN", "NP"]
        ).order_by("last_name")
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )


class ClosureForm(forms.Form):
    date = forms.DateField(widget=DATE)
    location = forms.ModelChoiceField(
        Location.objects.none(), required=False, empty_label="All locations"
    )
    reason = forms.CharField(max_length=120, help_text="e.g. Snow day, staff training")

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )


class HolidaysForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


PARTS = [("", "Any time"), ("morning", "Morning (before 12:00)"), ("afternoon", "From 12:00")]


class FindSlotForm(forms.Form):
    location = forms.ModelChoiceField(Location.objects.none(), to_field_name="public_id")
    from_date = forms.DateField(widget=DATE, label="From")
    part = forms.ChoiceField(choices=PARTS, required=False, label="Part of the day")

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )

    def window(self) -> tuple[dt.time | None, dt.time | None]:
        part = self.cleaned_data.get("part")
        if part == "morning":
            return None, dt.time(12)
        if part == "afternoon":
            return dt.time(12), None
        return None, None


WEEKDAYS = [("", "The regimen's own dates")] + [
    (str(n), day)
    for n, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"])
]


class SeriesForm(forms.Form):
    location = forms.ModelChoiceField(Location.objects.none(), to_field_name="public_id")
    weekday = forms.ChoiceField(choices=WEEKDAYS, required=False, label="Preferred weekday")
    time = forms.TimeField(widget=TIME, initial=dt.time(9), label="Preferred time")
    first_on = forms.DateField(
        widget=DATE, required=False, label="First dose on", help_text="Only if the order has none."
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        )

    def weekday_number(self) -> int | None:
        value = self.cleaned_data.get("weekday")
        return int(value) if value not in (None, "") else None
