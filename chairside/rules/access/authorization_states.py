"""The statuses of a prior authorization and the moves between them.

to submit → submitted → (more information requested → submitted) → approved or denied;
a denial can be appealed (appeal submitted → approved or denied); an approval ends as
expired. "Not required" is where the payer confirmed no authorization is needed; it can be
reopened (to submit) when the payer's answer changes. A denial needs its reason.
"""

from __future__ import annotations

from datetime import date

from chairside.rules.common.state_machine import StateMachine

NOT_REQUIRED = "not_required"
TO_SUBMIT = "to_submit"
SUBMITTED = "submitted"
MORE_INFO = "more_info"
APPROVED = "approved"
DENIED = "denied"
APPEAL_SUBMITTED = "appeal_submitted"
EXPIRED = "expired"

AUTHORIZATION = StateMachine(
    name="prior authorization",
    labels={
        NOT_REQUIRED: "Not required",
        TO_SUBMIT: "To submit",
        SUBMITTED: "Submitted",
        MORE_INFO: "More information requested",
        APPROVED: "Approved",
        DENIED: "Denied",
        APPEAL_SUBMITTED: "Appeal submitted",
        EXPIRED: "Expired",
    },
    transitions={
        TO_SUBMIT: (SUBMITTED, NOT_REQUIRED),
        SUBMITTED: (MORE_INFO, APPROVED, DENIED),
        MORE_INFO: (SUBMITTED, APPROVED, DENIED),
        DENIED: (APPEAL_SUBMITTED, TO_SUBMIT),
        APPEAL_SUBMITTED: (APPROVED, DENIED),
        APPROVED: (EXPIRED,),
        NOT_REQUIRED: (TO_SUBMIT,),
        EXPIRED: (),
    },
    needs_reason=frozenset({DENIED}),
)

# Waiting on the payer: these count toward "pending more than 5 days".
PENDING_STATES = (SUBMITTED, MORE_INFO, APPEAL_SUBMITTED)


def check_authorized_range(
    start: date | None, end: date | None, units: int | None, visits: int | None
) -> None:
    """Raise ValueError unless an approval's dates and counts make sense.

    An approval needs both dates, the end on or after the start; units and visits, when
    the payer states them, are whole numbers of at least 1 (units are HCPCS billing units).
    """
    if start is None or end is None:
        raise ValueError("An approval needs its start and end dates.")
    if end < start:
        raise ValueError(f"The end date {end:%m/%d/%Y} is before the start {start:%m/%d/%Y}.")
    for name, value in (("units", units), ("visits", visits)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"Authorized {name} must be a whole number.")
        if value < 1:
            raise ValueError(f"Authorized {name} must be at least 1 (got {value}).")


def ranges_overlap(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end
