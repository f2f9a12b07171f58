"""Scheduling use cases, re-exported: booking, status changes, series, rota, optimizer.

Every function is keyword-only, runs in one transaction, checks the rules of the schedule,
raises a ValidationError a coordinator can read, and writes the audit trail.
"""

from __future__ import annotations

from chairside.scheduling.services.appointments import (
    AUTO,
    KEEP,
    SOURCE,
    Booked,
    appointment_assign_nurse,
    appointment_book,
    appointment_move,
    describe,
)
from chairside.scheduling.services.optimize import (
    Proposal,
    day_optimize_apply,
    day_optimize_propose,
    parse_moves,
    proposal_from_data,
    proposal_to_data,
)
from chairside.scheduling.services.rearrange import Change, appointments_rearrange
from chairside.scheduling.services.rota import (
    closure_add,
    closure_remove,
    federal_holidays,
    holidays_load,
    nurse_shift_add,
    nurse_shift_remove,
)
from chairside.scheduling.services.series import SeriesItem, series_book
from chairside.scheduling.services.status import (
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_mark_no_show,
    appointment_seat,
)

__all__ = [
    "AUTO",
    "KEEP",
    "SOURCE",
    "Booked",
    "Change",
    "Proposal",
    "SeriesItem",
    "appointment_assign_nurse",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_complete",
    "appointment_confirm",
    "appointment_mark_no_show",
    "appointment_move",
    "appointment_seat",
    "appointments_rearrange",
    "closure_add",
    "closure_remove",
    "day_optimize_apply",
    "day_optimize_propose",
    "parse_moves",
    "proposal_from_data",
    "proposal_to_data",
    "describe",
    "federal_holidays",
    "holidays_load",
    "nurse_shift_add",
    "nurse_shift_remove",
    "series_book",
]
