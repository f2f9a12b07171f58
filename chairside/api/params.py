"""Shared checks on API query parameters, so every endpoint refuses the same way (400/422
with a sentence, never a 500)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja.errors import HttpError
from ninja.params import functions as param

from chairside.core.dates import OUT_OF_RANGE, in_range

# A page never starts past what a database can address (SQLite and PostgreSQL refuse an
# OFFSET beyond 2**63 - 1); a larger offset is a 422 naming the parameter.
MAX_OFFSET = 1_000_000_000
Offset = Annotated[int, param.Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
# Billing units of one dose: 0 or more (HCPCS units are whole numbers).
Units = Annotated[int, param.Query(ge=0, le=100_000, description="Billing units of the dose.")]


def check_day(value: dt.date | dt.datetime | None, name: str = "date") -> None:
    """Refuse (400) a date outside the calendar Chairside works in."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not in_range(day):
        raise HttpError(400, f"{name}: {OUT_OF_RANGE}")


# Rows per page: 1 to 100 (a larger page is a 422 naming the parameter).
Limit = Annotated[int, param.Query(ge=1, le=100, description="Rows per page (1-100).")]
DateFrom = Annotated[
    dt.date | None, param.Query(description="From this date (inclusive), the site's local day.")
]
DateTo = Annotated[
    dt.date | None, param.Query(description="To this date (inclusive), the site's local day.")
]


def page(found: Any, offset: int, limit: int) -> tuple[int, list[Any]]:
    """(total rows, the rows of one page) of an ordered queryset or list."""
    total = found.count() if hasattr(found, "count") and not isinstance(found, list) else len(found)
    return total, list(found[offset : offset + limit])


def check_range(start: dt.date | None, end: dt.date | None) -> None:
    """Refuse (400) a date outside the calendar, or a range that ends before it starts."""
    check_day(start, "date_from")
    check_day(end, "date_to")
    if start is not None and end is not None and start > end:
        raise HttpError(400, "date_from is after date_to.")


def text_or_none(value: Any) -> str | None:
    """A decimal or other value as text for a response, None kept (e.g. a weight)."""
    return None if value is None else str(value)
