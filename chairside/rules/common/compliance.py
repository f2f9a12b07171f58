"""Accreditation evidence: when a licence, a check-off or a policy acknowledgement is due.

The accreditors of infusion centers and home infusion pharmacies (The Joint Commission's
Human Resources chapter HR.01.02.05 and HR.01.06.01 — verify licensure with the primary
source, assess competence at hire and periodically; ACHC and URAC's equivalents) ask for
current licences and a periodic competency assessment; Chairside takes "periodic" as annual
and warns 60 days ahead, the same warning the staff page gives for credentials.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

WARNING_DAYS = 60
CHECKOFF_INTERVAL_DAYS = 365


class Due(StrEnum):
    CURRENT = "current"
    DUE_SOON = "due_soon"  # within WARNING_DAYS
    OVERDUE = "overdue"  # expired, or past due


def due_status(due_on: dt.date | None, today: dt.date, warning_days: int = WARNING_DAYS) -> Due:
    """Where a dated obligation stands today: overdue on the day after ``due_on``, due soon
    within ``warning_days``; a missing date is overdue (nothing on file is a finding)."""
    if due_on is None or due_on < today:
        return Due.OVERDUE
    if due_on <= today + dt.timedelta(days=warning_days):
        return Due.DUE_SOON
    return Due.CURRENT


def next_checkoff(checked_on: dt.date, interval_days: int = CHECKOFF_INTERVAL_DAYS) -> dt.date:
    """The next annual skills check-off after one done on ``checked_on``."""
    if interval_days < 1:
        raise ValueError("The check-off interval must be at least one day.")
    return checked_on + dt.timedelta(days=interval_days)
