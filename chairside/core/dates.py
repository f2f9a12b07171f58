"""The calendar Chairside works in: a date outside it is a typing slip, not a request.

Python's ``date`` stops at 9999-12-31, so a page that adds a week to it (or subtracts one
from 0001-01-01) overflows; refusing far dates at the edge keeps every later ``timedelta``
safe. A century either side of today covers birth dates and any plan.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
OUT_OF_RANGE = f"Choose a date between {EARLIEST_DAY:%m/%d/%Y} and {LATEST_DAY:%m/%d/%Y}."


def in_range(day: dt.date | None) -> bool:
    return day is None or EARLIEST_DAY <= day <= LATEST_DAY


def supported_day(value: dt.date | None) -> None:
    """A form/model field validator: refuse dates outside the supported calendar."""
    if not in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="date_range")
