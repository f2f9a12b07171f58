"""The life of a referral, and how long it spent in each state.

received → intake complete → benefits verified → authorized → scheduled → active →
completed, or declined / discontinued / lost to follow-up (each with a reason). A referral
declined or lost can be reopened (back to received) when the patient or office calls back;
a scheduled referral whose appointments were cancelled goes back to authorized.

"Authorized" also covers "no prior authorization needed": the step is done either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from chairside.rules.common.state_machine import StateMachine

RECEIVED = "received"
INTAKE_COMPLETE = "intake_complete"
BENEFITS_VERIFIED = "benefits_verified"
AUTHORIZED = "authorized"
SCHEDULED = "scheduled"
ACTIVE = "active"
COMPLETED = "completed"
DECLINED = "declined"
DISCONTINUED = "discontinued"
LOST = "lost_to_follow_up"

_CLOSE = (DECLINED, DISCONTINUED, LOST)

REFERRAL = StateMachine(
    name="referral",
    labels={
        RECEIVED: "Received",
        INTAKE_COMPLETE: "Intake complete",
        BENEFITS_VERIFIED: "Benefits verified",
        AUTHORIZED: "Authorized",
        SCHEDULED: "Scheduled",
        ACTIVE: "Active (treating)",
        COMPLETED: "Completed",
        DECLINED: "Declined",
        DISCONTINUED: "Discontinued",
        LOST: "Lost to follow-up",
    },
    transitions={
        RECEIVED: (INTAKE_COMPLETE, *_CLOSE),
        INTAKE_COMPLETE: (BENEFITS_VERIFIED, RECEIVED, *_CLOSE),
        BENEFITS_VERIFIED: (AUTHORIZED, INTAKE_COMPLETE, *_CLOSE),
        AUTHORIZED: (SCHEDULED, BENEFITS_VERIFIED, *_CLOSE),
        SCHEDULED: (ACTIVE, AUTHORIZED, *_CLOSE),
        ACTIVE: (COMPLETED, DISCONTINUED, LOST),
        DECLINED: (RECEIVED,),
        LOST: (RECEIVED,),
        DISCONTINUED: (),
        COMPLETED: (),
    },
    needs_reason=frozenset(_CLOSE),
)

OPEN_STATES = (RECEIVED, INTAKE_COMPLETE, BENEFITS_VERIFIED, AUTHORIZED, SCHEDULED)
CLOSED_STATES = (COMPLETED, *_CLOSE)


def days_in_states(
    received_on: date, changes: Sequence[tuple[str, date]], today: date
) -> dict[str, int]:
    """Whole days spent in each state, from the received date to ``today``.

    ``changes`` are ``(new_state, on_date)`` in the order they happened; the referral is in
    ``received`` from ``received_on`` until the first change. A state entered twice adds
    up. The current (last) state counts until ``today``; a final state counts 0. Raises
    ValueError for an unknown state or a change dated before the one it follows.
    """
    spent: dict[str, int] = {}
    state, since = RECEIVED, received_on
    for new_state, on in changes:
        REFERRAL.label(new_state)
        if on < since:
            raise ValueError(f"the change to {new_state} on {on} is before {since}")
        spent[state] = spent.get(state, 0) + (on - since).days
        state, since = new_state, on
    if not REFERRAL.is_final(state):
        spent[state] = spent.get(state, 0) + max(0, (today - since).days)
    else:
        spent.setdefault(state, 0)
    return spent


def days_to_first_infusion(received_on: date, changes: Sequence[tuple[str, date]]) -> int | None:
    """Days from receiving the referral to its first infusion (the first move to active)."""
    for state, on in changes:
        if state == ACTIVE:
            return (on - received_on).days
    return None
