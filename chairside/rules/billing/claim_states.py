"""The life of a claim, from the first draft to closed.

draft → ready (the pre-submission check found nothing missing) → submitted (in an 837P
file) → accepted (the payer or clearinghouse took it in) → paid, partially paid or denied
(the 835 remittance) → closed. A front-end rejection (rejected) goes back to draft to be
fixed; a denial or partial payment may be appealed, and the appeal ends paid, partially
paid, denied or closed. A remittance may arrive without an acceptance report, so a
submitted claim may move straight to paid, partially paid or denied.
Rejections, denials and closing an unpaid claim need a reason.

An 835 may take a payment back (a reversal, CLP02 22): a paid, partially paid or denied
claim then returns to accepted (awaiting the payer's corrected decision), and the correction
that follows — or a later correction against an adjudicated claim — moves it to its new
result (TR3 005010X221A1 §1.10.2.8 "Reversals and Corrections"). Only a remittance makes
these moves (:data:`REMITTANCE_MOVES`); a biller cannot.
"""

from __future__ import annotations

from chairside.rules.common.state_machine import StateMachine

DRAFT = "draft"
READY = "ready"
SUBMITTED = "submitted"
ACCEPTED = "accepted"
REJECTED = "rejected"
PAID = "paid"
PARTIALLY_PAID = "partially_paid"
DENIED = "denied"
APPEALED = "appealed"
CLOSED = "closed"

CLAIM = StateMachine(
    name="claim",
    labels={
        DRAFT: "Draft",
        READY: "Ready to submit",
        SUBMITTED: "Submitted",
        ACCEPTED: "Accepted",
        REJECTED: "Rejected",
        PAID: "Paid",
        PARTIALLY_PAID: "Partially paid",
        DENIED: "Denied",
        APPEALED: "Appealed",
        CLOSED: "Closed",
    },
    transitions={
        DRAFT: (READY,),
        READY: (SUBMITTED, DRAFT),
        SUBMITTED: (ACCEPTED, REJECTED, PAID, PARTIALLY_PAID, DENIED),
        ACCEPTED: (PAID, PARTIALLY_PAID, DENIED),
        REJECTED: (DRAFT,),
        PAID: (CLOSED, ACCEPTED, PARTIALLY_PAID, DENIED),
        PARTIALLY_PAID: (APPEALED, CLOSED, ACCEPTED, PAID, DENIED),
        DENIED: (APPEALED, CLOSED, ACCEPTED, PAID, PARTIALLY_PAID),
        APPEALED: (PAID, PARTIALLY_PAID, DENIED, CLOSED),
        CLOSED: (),
    },
    needs_reason=frozenset({REJECTED, DENIED}),
)

# States in which the claim's lines may still be re-derived from a corrected visit.
EDITABLE = frozenset({DRAFT, READY, REJECTED})
# States in which money is still expected from the payer (accounts receivable).
OPEN_RECEIVABLE = frozenset({SUBMITTED, ACCEPTED, APPEALED})
# States a person may choose on the claim page; the others are set by services (the check,
# the export, the remittance).
MANUAL_TARGETS = frozenset({ACCEPTED, REJECTED, APPEALED, CLOSED, DRAFT})
# Moves only a remittance makes (a reversal or a correction of an adjudicated claim).
REMITTANCE_MOVES = frozenset(
    {
        (PAID, ACCEPTED),
        (PARTIALLY_PAID, ACCEPTED),
        (DENIED, ACCEPTED),
        (PAID, PARTIALLY_PAID),
        (PAID, DENIED),
        (PARTIALLY_PAID, PAID),
        (PARTIALLY_PAID, DENIED),
        (DENIED, PAID),
        (DENIED, PARTIALLY_PAID),
    }
)


def manual_moves(state: str) -> list[str]:
    """The states a person may move a claim to from ``state``."""
    return [
        target
        for target in CLAIM.next_states(state)
        if target in MANUAL_TARGETS and (state, target) not in REMITTANCE_MOVES
    ]
