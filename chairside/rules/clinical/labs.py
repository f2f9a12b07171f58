"""When a required pre-infusion lab is due again.

A lab required "once before starting" (no interval) is satisfied by any result; one with
an interval (natalizumab's anti-JCV antibody every 180 days) is due again that many days
after the last result.
"""

from __future__ import annotations

from datetime import date, timedelta


def lab_due_on(last_result_on: date | None, every_days: int | None) -> date | None:
    """The date the lab is next due: None when never due again, ``date.min`` if never done.

    Raises ValueError for an interval that is not a whole number of at least 1 day.
    """
    if every_days is not None and (
        isinstance(every_days, bool) or not isinstance(every_days, int) or every_days < 1
    ):
        raise ValueError(f"the repeat interval {every_days!r} must be at least 1 day")
    if last_result_on is None:
        return date.min
    if every_days is None:
        return None
    return last_result_on + timedelta(days=every_days)


def lab_is_due(last_result_on: date | None, every_days: int | None, on: date) -> bool:
    """Whether the lab must be (re)done before a dose on ``on``."""
    due = lab_due_on(last_result_on, every_days)
    return due is not None and due <= on
