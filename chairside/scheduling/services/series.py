"""Book a course of treatment in one go: every chosen dose, or none of them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.access.referrals.models import TreatmentOrder
from chairside.rules.scheduling.booking import us_date
from chairside.scheduling.services.appointments import AUTO, Booked, appointment_book
from chairside.tenancy.models import Chair, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class SeriesItem:
    """One dose to book: its number in the regimen, when, in which chair, with which nurse."""

    dose_number: int
    start: dt.datetime
    chair: Chair
    nurse: Any = AUTO
    minutes: int | None = None


@transaction.atomic
def series_book(
    *,
    organization: Organization,
    user: User,
    order: TreatmentOrder,
    items: list[SeriesItem],
    override_reason: str = "",
) -> list[Booked]:
    """Book every item through ``appointment_book`` under one series id, in one transaction.

    If any dose is refused, nothing is booked and the error names the dose and its date.
    ``override_reason`` is used only for doses whose authorization check fails.
    """
    if not items:
        raise ValidationError("Choose at least one dose to book.")
    series_id = uuid.uuid4()
    booked = []
    for item in sorted(items, key=lambda i: i.start):
        try:
            booked.append(
                appointment_book(
                    organization=organization,
                    user=user,
                    order=order,
                    chair=item.chair,
                    start=item.start,
                    nurse=item.nurse,
                    minutes=item.minutes,
                    dose_number=item.dose_number,
                    series_id=series_id,
                    override_reason=override_reason,
                )
            )
        except ValidationError as exc:
            day = item.start.astimezone(item.chair.location.tz).date()
            raise ValidationError(
                [f"Dose {item.dose_number} on {us_date(day)}: {m}" for m in exc.messages]
                + ["Nothing was booked."]
            ) from None
    return booked
