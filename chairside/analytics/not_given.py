"""Doses prepared and then not given, per month and one by one (issue 16).

The records are made by the visit module (``treatments.services.not_given``) with the
acquisition cost of the vials dispensed; this reads them for the dashboard and its list.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from chairside.treatments.models import PreparedNotGiven

MONTHS = 12


def month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last ``months`` months, the oldest first."""
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _scoped(organization: Any, location: Any) -> QuerySet[PreparedNotGiven]:
    found = PreparedNotGiven.objects.filter(organization=organization)
    if location is not None:
        found = found.filter(appointment__location=location)
    return found


def by_month(
    *, organization: Any, location: Any, today: dt.date
) -> list[tuple[dt.date, int, Decimal]]:
    """(month, doses, cost) for each of the last 12 months, empty months included."""
    starts = month_starts(today)
    rows = (
        _scoped(organization, location)
        .filter(on_date__gte=starts[0], on_date__lte=today)
        .annotate(month=TruncMonth("on_date"))
        .values("month")
        .annotate(doses=Count("id"), cost=Sum("cost"))
    )
    found = {_as_date(r["month"]): (r["doses"], r["cost"] or Decimal(0)) for r in rows}
    return [(m, *found.get(m, (0, Decimal(0)))) for m in starts]


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def records(
    *, organization: Any, location: Any = None, month: dt.date | None = None, today: dt.date
) -> QuerySet[PreparedNotGiven]:
    """The doses of one month (or of the last 12 months), the latest first."""
    found = _scoped(organization, location)
    if month is not None:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        found = found.filter(on_date__gte=month, on_date__lt=following)
    else:
        found = found.filter(on_date__gte=month_starts(today)[0])
    return found.select_related(
        "appointment__patient", "appointment__order__drug", "appointment__location"
    )
