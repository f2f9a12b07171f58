"""What a home nursing visit needs before the nurse signs it.

The chair's list (``visit_checks.missing_steps``) assumes a chair: a preparation checked by
a second person, discharge after observation. In the home the pharmacy prepared the dose
and the nurse leaves when she is done, so the list is shorter, in the order of the visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class HomeVisitState:
    arrived: bool
    departed: bool
    vitals_sets: int
    administrations: int
    running_administrations: int
    open_reactions: int
    notes: str
    in_suite: bool = False  # at the pharmacy's infusion suite, not in the patient's home


def _place(state: HomeVisitState) -> str:
    return "the infusion suite" if state.in_suite else "the home"


def missing_for_signing(state: HomeVisitState) -> list[str]:
    """Every item still missing before the home visit can be signed (empty: it can)."""
    found: list[str] = []
    if not state.arrived:
        found.append(f"Record the time you arrived at {_place(state)}.")
    if state.vitals_sets < 1:
        found.append("Record at least one set of vital signs.")
    if state.running_administrations:
        found.append("Record the stop time of every administration.")
    if state.administrations == 0 and not state.notes.strip():
        found.append("No dose recorded: say in the notes what the visit was for.")
    if state.open_reactions:
        found.append("Record the outcome of every reaction.")
    if not state.departed:
        found.append(f"Record the time you left {_place(state)}.")
    return found


# An entry kept on the tablet while offline reaches the server later. The tablet's clock may
# be wrong, so the page shows the tablet's entered-at time beside the server's receipt time
# when they are more than this many minutes apart (either way); closer, one time is enough.
CLOCK_GAP_MINUTES = 5


def clock_gap_minutes(entered_at: dt.datetime | None, received_at: dt.datetime | None) -> int:
    """Whole minutes from the tablet's entered-at time to the server's receipt (negative
    when the tablet's clock is ahead of the server), or 0 when either is unknown or they
    are within ``CLOCK_GAP_MINUTES`` of each other."""
    if entered_at is None or received_at is None:
        return 0
    minutes = int((received_at - entered_at).total_seconds() // 60)
    return minutes if abs(minutes) > CLOCK_GAP_MINUTES else 0
