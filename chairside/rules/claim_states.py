"""The life of a claim, from the first draft to closed.

draft → ready (the pre-submission check found nothing missing) → submitted (in an 837P
file) → accepted (the payer or clearinghouse took it in) → paid, partially paid or denied
(the 835 remittance) → closed. A front-end rejection (rejected) goes back to draft to be
fixed; a denial or partial payment may be appealed, and the appeal ends paid, partially
paid, denied or closed. A remittance may arrive without an acceptance report, so a
submitted claim may move straight to paid, partially paid or denied.
Rejections, denials and closing an unpaid claim need a reason.
"""

from __future__ import annotations

from chairside.rules.state_machine import StateMachine

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
        PAID: (CLOSED,),
        PARTIALLY_PAID: (APPEALED, CLOSED),
        DENIED: (APPEALED, CLOSED),
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
