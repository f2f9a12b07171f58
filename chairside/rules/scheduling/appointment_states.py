"""The life of an appointment, from booking to the chair or to a cancellation.

booked → confirmed (the patient said yes) → checked in (arrived) → in chair → completed.
Any booking not yet in a chair may be cancelled or rescheduled, or marked a no-show;
cancellations and no-shows need a reason (they drive the no-show rate and the follow-up
call). A no-show who turns up late after all can still be checked in.
"""

from __future__ import annotations

from chairside.rules.common.state_machine import StateMachine

BOOKED = "booked"
CONFIRMED = "confirmed"
CHECKED_IN = "checked_in"
IN_CHAIR = "in_chair"
COMPLETED = "completed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
RESCHEDULED = "rescheduled"

APPOINTMENT = StateMachine(
    name="appointment",
    labels={
        BOOKED: "Booked",
        CONFIRMED: "Confirmed",
        CHECKED_IN: "Checked in",
        IN_CHAIR: "In chair",
        COMPLETED: "Completed",
        NO_SHOW: "No-show",
        CANCELLED: "Cancelled",
        RESCHEDULED: "Rescheduled",
    },
    transitions={
        BOOKED: (CONFIRMED, CHECKED_IN, NO_SHOW, CANCELLED, RESCHEDULED),
        CONFIRMED: (CHECKED_IN, NO_SHOW, CANCELLED, RESCHEDULED),
        CHECKED_IN: (IN_CHAIR, COMPLETED, CANCELLED),
        IN_CHAIR: (COMPLETED,),
        NO_SHOW: (CHECKED_IN,),
    },
    needs_reason=frozenset({NO_SHOW, CANCELLED}),
)

# Statuses that hold a chair, a nurse's attention and the patient's time.
OCCUPYING: frozenset[str] = frozenset({BOOKED, CONFIRMED, CHECKED_IN, IN_CHAIR, COMPLETED})
# Statuses whose time or chair may still change (the patient is not yet in a chair).
MOVABLE: frozenset[str] = frozenset({BOOKED, CONFIRMED, CHECKED_IN})
# Not yet confirmed by the patient: the optimizer may move these within their window.
FLEXIBLE: frozenset[str] = frozenset({BOOKED})
