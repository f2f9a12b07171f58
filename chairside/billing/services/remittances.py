"""Posting an 835: payments and adjustments to claim lines, reversals and corrections,
Medicare crossovers, the denials queue and the unmatched-remittance queue."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.models import (
    Claim,
    ClaimItem,
    Denial,
    ItemPayment,
    PaymentAdjustment,
    Remittance,
    RemittanceClaim,
    UnmatchedRemittance,
)
from chairside.billing.pricing import PriceBook, appeal_window_days, billing_profile
from chairside.billing.services.claims import _move, claim_build_secondary, crossover_claim
from chairside.billing.services.patient_accounts import patient_ar_sync_claim
from chairside.core.actors import acting_user
from chairside.rules.billing import carc
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.x12.x12_835 import (
    DENIED_STATUS,
    REVERSAL_STATUS,
    ClaimPayment,
    RemitAdjustment,
    RemittanceError,
    ServicePayment,
    parse_835,
)
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A correction against an adjudicated claim is accepted: the payer's new decision replaces
# the earlier one (TR3 005010X221A1 §1.10.2.8).
TAKES_PAYMENT = frozenset(
    {
        states.SUBMITTED,
        states.ACCEPTED,
        states.APPEALED,
        states.PAID,
        states.PARTIALLY_PAID,
        states.DENIED,
    }
)
ADJUDICATED = frozenset({states.PAID, states.PARTIALLY_PAID, states.DENIED})
SECONDARY_STATUSES = frozenset({"2", "3"})  # processed as secondary / tertiary


class _UnmatchedError(Exception):
    """A claim payment that cannot be posted; it goes to the unmatched queue."""

    def __init__(self, reason: str, claim: Claim | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.claim = claim


def _rejected(segment: str, line: int | None, reason: str) -> ValidationError:
    where = f"segment {segment}" + (f" (line {line})" if line else "")
    return ValidationError(f"The 835 was rejected at {where}: {reason} Nothing was posted.")


@transaction.atomic
def remittance_import(
    *, organization: Organization, text: str, filename: str, user: User | None
) -> Remittance:
    """Post an 835 remittance, each claim payment on its own.

    The file is refused whole (ValidationError naming the segment and reason, nothing
    posted) only when it is malformed, does not balance, or was posted already. Then each
    claim payment posts by itself: a reversal (CLP02 22) takes back the payment posted
    before and returns the claim to *accepted*; the correction that follows (or a
    correction against an adjudicated claim) posts the payer's new decision; a Medicare
    crossover (CLP02 19 / MA18) marks the claim crossed over and builds no secondary claim
    to send. A payment that cannot be matched to a claim that takes it goes to the
    unmatched-remittance queue while the rest posts.
    """
    try:
        parsed = parse_835(text)
    except RemittanceError as exc:
        raise _rejected(exc.segment, exc.line, exc.reason.rstrip(".") + ".") from None
    if Remittance.objects.filter(
        organization=organization, payer_name=parsed.payer_name, trace_number=parsed.trace_number
    ).exists():
        raise _rejected(
            "TRN",
            None,
            f"payment {parsed.trace_number} from {parsed.payer_name} was already posted.",
        )
    remittance = Remittance.objects.create(
        organization=organization,
        payer_name=parsed.payer_name,
        trace_number=parsed.trace_number,
        paid_on=parsed.paid_on,
        total_paid=parsed.total_paid,
        payment_method=parsed.payment_method,
        filename=filename[:200],
        content=text,
        uploaded_by=acting_user(user),
    )
    for payment in parsed.claims:
        try:
            with transaction.atomic():  # a savepoint: one claim's failure leaves the others
                _post_payment(remittance, payment, user)
        except _UnmatchedError as unmatched:
            _queue_unmatched(remittance, payment, unmatched, user)
        except ValidationError as exc:
            _queue_unmatched(remittance, payment, _UnmatchedError(" ".join(exc.messages)), user)
    payers = {rc.claim.payer_id for rc in remittance.claims.select_related("claim")}
    if len(payers) == 1:
        remittance.payer_id = payers.pop()
        remittance.save(update_fields=["payer", "updated_at"])
    return remittance


def _post_payment(remittance: Remittance, payment: ClaimPayment, user: User | None) -> None:
    claim = (
        Claim.objects.select_for_update()
        .filter(organization=remittance.organization, control_number=payment.control_number)
        .select_related("payer", "patient", "encounter")
        .first()
    )
    if claim is None:
        raise _UnmatchedError(f"Claim {payment.control_number} is not one of ours.")
    if payment.is_reversal:
        _reverse(remittance, payment, claim, user)
        patient_ar_sync_claim(claim=claim, user=user)
        return
    if claim.crossed_over_on and claim.sequence == 1 and payment.status in SECONDARY_STATUSES:
        # The supplemental payer pays the claim Medicare forwarded, under its number.
        supplemental = crossover_claim(primary=claim, user=user)
        if supplemental is None:
            raise _UnmatchedError(
                f"Claim {claim.control_number} was crossed over, but the visit has no "
                "supplemental coverage to post this payment to.",
                claim,
            )
        claim = supplemental
    if claim.state not in TAKES_PAYMENT:
        raise _UnmatchedError(
            f"Claim {claim.control_number} is {claim.state_label}; only a sent claim "
            "(submitted, accepted, appealed or adjudicated) takes a payment.",
            claim,
        )
    if claim.state in ADJUDICATED:
        _replace_decision(claim, user)
    _post_claim(remittance, payment, claim, user)
    patient_ar_sync_claim(claim=claim, user=user)


def _record(
    remittance: Remittance, payment: ClaimPayment, claim: Claim, *, reversal: bool = False
) -> tuple[list[ClaimItem], set[int]]:
    """Write the claim's remittance record with its line and claim-level amounts (negated
    for a reversal); returns the claim's items and the lines the payment touched."""
    posted = RemittanceClaim.objects.create(
        remittance=remittance,
        claim=claim,
        status_code=payment.status,
        charge=payment.charge,
        paid=payment.paid,
        patient_responsibility=payment.patient_responsibility,
        payer_claim_number=payment.payer_claim_number,
    )
    items = list(claim.items.select_related("line").order_by("line_number"))
    if payment.services:
        touched = _post_services(posted, payment, items, reversal=reversal)
        rest = _spread_claim_adjustments(posted, payment.adjustments, items)
    else:
        touched = _post_claim_level(posted, payment, items, reversal=reversal)
        rest = payment.adjustments
    _claim_level_adjustments(posted, rest, claim)
    return items, touched


def _post_claim(
    remittance: Remittance, payment: ClaimPayment, claim: Claim, user: User | None
) -> None:
    items, touched = _record(remittance, payment, claim)
    _settle(claim, payment, items=items, touched=touched, remittance=remittance, user=user)


def _reverse(
    remittance: Remittance, payment: ClaimPayment, claim: Claim, user: User | None
) -> None:
    """Take back a payment posted before: the negated amounts post as their own record
    (so history shows both), the lines return to awaiting payment, the claim to accepted."""
    if not claim.remits.exclude(status_code=REVERSAL_STATUS).exists():
        raise _UnmatchedError(
            f"The payer reversed claim {claim.control_number}, but no payment of it was posted.",
            claim,
        )
    items, _touched = _record(remittance, payment, claim, reversal=True)
    _claim_totals(claim, items)
    claim.denials.filter(status__in=["open", "appealed"]).update(
        status=Denial.Status.RESOLVED, note="The payer reversed its decision (835 CLP02 22)."
    )
    if claim.state in ADJUDICATED:
        _move(
            claim,
            states.ACCEPTED,
            user,
            f"Payment reversed by the payer ({remittance.trace_number}); awaiting its "
            "corrected decision.",
        )


def _replace_decision(claim: Claim, user: User | None) -> None:
    """A correction for an adjudicated claim without a reversal: the new decision replaces
    the old one, so the lines start again from nothing posted (the old postings stay in the
    remittance history)."""
    claim.items.update(
        paid=Decimal(0),
        adjusted=Decimal(0),
        patient_responsibility=Decimal(0),
        status=ClaimItem.Status.OPEN,
    )
    claim.denials.filter(status__in=["open", "appealed"]).update(
        status=Denial.Status.RESOLVED, note="Replaced by the payer's corrected decision."
    )


def _queue_unmatched(
    remittance: Remittance, payment: ClaimPayment, unmatched: _UnmatchedError, user: User | None
) -> None:
    claim = unmatched.claim
    if claim is None:
        claim = Claim.objects.filter(
            organization=remittance.organization, control_number=payment.control_number
        ).first()
    entry = UnmatchedRemittance.objects.create(
        organization=remittance.organization,
        remittance=remittance,
        control_number=payment.control_number[:40],
        status_code=payment.status[:2],
        charge=payment.charge,
        paid=payment.paid,
        patient_responsibility=payment.patient_responsibility,
        payer_claim_number=payment.payer_claim_number[:50],
        reason=unmatched.reason[:255],
        claim=claim,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=remittance.organization,
        obj=entry,
        patient=claim.patient if claim is not None else None,
        changes={"reason": [None, entry.reason]},
    )


def _post_services(
    posted: RemittanceClaim,
    payment: ClaimPayment,
    items: list[ClaimItem],
    *,
    reversal: bool = False,
) -> set[int]:
    by_control = {item.control_number: item for item in items}
    touched: set[int] = set()
    for service in payment.services:
        item = by_control.get(service.line_control) or _match(service, items, touched)
        if item is None or item.pk in touched:
            raise _UnmatchedError(
                f"Service {service.code} {service.line_control or ''} matches no line of "
                f"claim {payment.control_number}."
            )
        _post_item(
            posted,
            item,
            paid=service.paid,
            adjustments=service.adjustments,
            service=service,
            charge=service.charge,
            reversal=reversal,
        )
        touched.add(item.pk)
    return touched


def _match(service: ServicePayment, items: list[ClaimItem], taken: set[int]) -> ClaimItem | None:
    """The claim line a payment is for: by code and modifiers, or — an institutional line
    paid by revenue code alone (SVC01 NU) — by its revenue code."""
    for item in items:
        if item.pk in taken:
            continue
        if service.code:
            if item.line.code == service.code and item.line.modifier_list == service.modifiers:
                return item
        elif service.revenue_code and item.revenue_code == service.revenue_code:
            return item
    return None


def _post_claim_level(
    posted: RemittanceClaim,
    payment: ClaimPayment,
    items: list[ClaimItem],
    *,
    reversal: bool = False,
) -> set[int]:
    """A claim paid without service lines: share the payment by charge, to the cent."""
    total = sum((i.charge for i in items), Decimal(0))
    remaining = payment.paid
    for n, item in enumerate(items):
        share = (
            remaining
            if n == len(items) - 1
            else (payment.paid * item.charge / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if total
            else Decimal(0)
        )
        remaining -= share
        _post_item(
            posted,
            item,
            paid=share,
            adjustments=(),
            service=None,
            charge=-item.charge if reversal else item.charge,
            reversal=reversal,
        )
    return {i.pk for i in items}


def _post_item(
    posted: RemittanceClaim,
    item: ClaimItem,
    *,
    paid: Decimal,
    adjustments: tuple[RemitAdjustment, ...],
    service: ServicePayment | None,
    charge: Decimal,
    reversal: bool = False,
) -> None:
    record = ItemPayment.objects.create(
        remittance_claim=posted,
        item=item,
        charge=charge,
        paid=paid,
        allowed=service.allowed if service else None,
        units=abs(service.units) if service else item.line.units,
        remarks=" ".join(service.remarks)[:120] if service else "",
    )
    for adjustment in adjustments:
        PaymentAdjustment.objects.create(
            remittance_claim=posted,
            payment=record,
            group=adjustment.group,
            reason=adjustment.reason,
            amount=adjustment.amount,
            quantity=adjustment.quantity,
        )
        if adjustment.group == "PR":
            item.patient_responsibility += adjustment.amount
        else:
            item.adjusted += adjustment.amount
    item.paid += paid
    if item.paid > 0:
        item.status = ClaimItem.Status.PAID
    elif _packaged(item, adjustments):
        item.status = ClaimItem.Status.PACKAGED
    elif item.patient_responsibility > 0:
        item.status = ClaimItem.Status.PATIENT
    elif reversal:
        item.status = ClaimItem.Status.OPEN  # taken back: awaiting the corrected decision
    else:
        item.status = ClaimItem.Status.DENIED
    item.save()


# CARC 97: "The benefit for this service is included in the payment/allowance for another
# service/procedure that has already been adjudicated." On an OPPS claim a packaged line
# (status indicator N, or a packaged add-on) is paid through the APC of the line it goes
# with: $0 with CO-97 is the payment system working, not a denial to appeal (CMS Pub. 100-04
# ch. 4 §10.4 packaging; X12 CARC list).
PACKAGED_REASON = "97"


def _packaged(item: ClaimItem, adjustments: tuple[RemitAdjustment, ...]) -> bool:
    return (
        item.claim.is_institutional
        and bool(adjustments)
        and all(a.group == "CO" and a.reason == PACKAGED_REASON for a in adjustments)
    )


def _spread_claim_adjustments(
    posted: RemittanceClaim, adjustments: tuple[RemitAdjustment, ...], items: list[ClaimItem]
) -> tuple[RemitAdjustment, ...]:
    """Claim-level CAS beside paid service lines (common on institutional claims, e.g. the
    Part A deductible PR-1): the claim's payment CLP04 is the lines' SVC03 less these, so
    each is shared over the lines this payment paid, in proportion to what each was paid
    (the last line takes the rounding), and lowers those lines' payment — the claim's paid
    stays CLP04, a PR share becomes that line's patient responsibility (which a secondary
    claim then carries). Returns what could not be shared (no line was paid): those stay
    claim-level."""
    if not adjustments:
        return ()
    # Lines this payment paid (negative amounts on a reversal, which takes the shares back).
    records = [r for r in posted.payments.order_by("id") if r.paid != 0]
    total = sum((r.paid for r in records), Decimal(0))
    if not records or total == 0:
        return adjustments
    by_item = {item.pk: item for item in items}
    for adjustment in adjustments:
        remaining = adjustment.amount
        for n, record in enumerate(records):
            share = (
                remaining
                if n == len(records) - 1
                else (adjustment.amount * record.paid / total).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            )
            remaining -= share
            _apply_share(record, by_item[record.item_id], adjustment, share)
    return ()


def _apply_share(
    record: ItemPayment, item: ClaimItem, adjustment: RemitAdjustment, share: Decimal
) -> None:
    PaymentAdjustment.objects.create(
        remittance_claim=record.remittance_claim,
        payment=record,
        group=adjustment.group,
        reason=adjustment.reason,
        amount=share,
    )
    record.paid -= share
    record.save(update_fields=["paid", "updated_at"])
    item.paid -= share
    if adjustment.group == "PR":
        item.patient_responsibility += share
    else:
        item.adjusted += share
    if item.paid <= 0 and item.status == ClaimItem.Status.PAID:
        item.status = (
            ClaimItem.Status.PATIENT if item.patient_responsibility > 0 else ClaimItem.Status.DENIED
        )
    item.save()


def _claim_level_adjustments(
    posted: RemittanceClaim, adjustments: tuple[RemitAdjustment, ...], claim: Claim
) -> None:
    for adjustment in adjustments:
        PaymentAdjustment.objects.create(
            remittance_claim=posted,
            group=adjustment.group,
            reason=adjustment.reason,
            amount=adjustment.amount,
            quantity=adjustment.quantity,
        )


def _settle(
    claim: Claim,
    payment: ClaimPayment,
    *,
    items: list[ClaimItem],
    touched: set[int],
    remittance: Remittance,
    user: User | None,
) -> None:
    for item in items:
        if item.pk not in touched and item.status == ClaimItem.Status.OPEN:
            item.status = ClaimItem.Status.DENIED  # the payer said nothing about this line
            item.save(update_fields=["status", "updated_at"])
    if payment.payer_claim_number:
        claim.payer_claim_number = payment.payer_claim_number
    if payment.is_crossover and claim.sequence == 1 and claim.crossed_over_on is None:
        claim.crossed_over_on = remittance.paid_on
    _claim_totals(claim, items)
    denied = [i for i in items if i.status == ClaimItem.Status.DENIED]
    _resolve_paid_denials(claim, items)
    reasons = _open_denials(claim, denied, payment, remittance, user) if denied else ""
    if denied and (len(denied) == len(items) or payment.status == DENIED_STATUS):
        _move_to(claim, states.DENIED, user, reasons)
    elif denied:
        _move_to(claim, states.PARTIALLY_PAID, user, reasons)
    else:
        paid = f"Paid {claim.paid} ({remittance.trace_number})."
        if claim.crossed_over_on:
            paid += " Crossed over by Medicare to the supplemental payer: no secondary claim sent."
        _move_to(claim, states.PAID, user, paid)
    if claim.state in {states.PAID, states.PARTIALLY_PAID} and not claim.crossed_over_on:
        claim_build_secondary(primary=claim, user=user)


def _move_to(claim: Claim, target: str, user: User | None, reason: str) -> None:
    if claim.state != target:
        _move(claim, target, user, reason)


def _claim_totals(claim: Claim, items: list[ClaimItem]) -> None:
    """The claim's money from its lines and every claim-level adjustment posted to it."""
    level = PaymentAdjustment.objects.filter(remittance_claim__claim=claim, payment__isnull=True)
    claim_pr = sum((a.amount for a in level if a.group == "PR"), Decimal(0))
    claim_other = sum((a.amount for a in level if a.group != "PR"), Decimal(0))
    claim.paid = sum((i.paid for i in items), Decimal(0))
    claim.patient_responsibility = (
        sum((i.patient_responsibility for i in items), Decimal(0)) + claim_pr
    )
    claim.adjusted = sum((i.adjusted for i in items), Decimal(0)) + claim_other
    claim.save()


def _resolve_paid_denials(claim: Claim, items: list[ClaimItem]) -> None:
    paid = [i.pk for i in items if i.status != ClaimItem.Status.DENIED]
    claim.denials.filter(item_id__in=paid, status__in=["open", "appealed"]).update(
        status=Denial.Status.RESOLVED, note="Paid on a later remittance."
    )


def _open_denials(
    claim: Claim,
    denied: list[ClaimItem],
    payment: ClaimPayment,
    remittance: Remittance,
    user: User | None,
) -> str:
    prices = PriceBook(claim.organization)
    window = appeal_window_days(prices.contract(claim.payer), claim.payer)
    deadline = remittance.paid_on + dt.timedelta(days=window)
    assignee = claim.assigned_to or billing_profile(claim.organization).default_assignee
    summaries = []
    for item in denied:
        codes, reason = _denial_reason(item, payment)
        summaries.append(f"line {item.line_number} {codes}")
        if claim.denials.filter(item=item, status__in=["open", "appealed"]).exists():
            continue
        denial = Denial.objects.create(
            organization=claim.organization,
            claim=claim,
            item=item,
            remittance=remittance,
            reason_codes=codes[:120],
            reason=reason,
            amount=item.expected_payer if item.expected_payer is not None else item.charge,
            opened_on=remittance.paid_on,
            appeal_deadline=deadline,
            assigned_to=assignee,
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            user=user,
            organization=claim.organization,
            obj=denial,
            patient=claim.patient,
            changes={"reason": [None, codes]},
        )
    return "Denied: " + "; ".join(summaries)


def _denial_reason(item: ClaimItem, payment: ClaimPayment) -> tuple[str, str]:
    adjustments = [
        (a.group, a.reason)
        for p in item.payments.all()
        for a in p.adjustments.all()
        if a.group != "PR"
    ] or [(a.group, a.reason) for a in payment.adjustments if a.group != "PR"]
    remarks = [r for p in item.payments.all() for r in p.remarks.split()]
    if not adjustments and not remarks:
        return "not paid", "The remittance did not pay or adjust this line."
    codes = ", ".join([f"{g}-{r}" for g, r in dict.fromkeys(adjustments)] + remarks)
    reason = " ".join(
        [carc.describe(g, r) for g, r in dict.fromkeys(adjustments)]
        + [carc.describe_remark(r) for r in remarks]
    )
    return codes, reason


@transaction.atomic
def denial_update(
    *, denial: Denial, user: User, status: str, assigned_to: Any = None, note: str = ""
) -> Denial:
    """Assign, appeal, resolve or write off a denial; every change says who and why."""
    locked = Denial.objects.select_for_update().get(pk=denial.pk)
    if status not in Denial.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if status == Denial.Status.WRITTEN_OFF and not note.strip():
        raise ValidationError({"note": "Say why the amount is written off."})
    if (
        assigned_to is not None
        and not assigned_to.memberships.filter(
            organization=locked.organization, is_active=True
        ).exists()
    ):
        raise ValidationError({"assigned_to": "Assign someone of this organization."})
    before = {"status": locked.status, "assigned_to": str(locked.assigned_to or "")}
    locked.status = status
    locked.assigned_to = assigned_to
    if note.strip():
        locked.note = note.strip()
    locked.save()
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.claim.patient,
        changes={
            key: [value, after]
            for key, value, after in (
                ("status", before["status"], status),
                ("assigned_to", before["assigned_to"], str(assigned_to or "")),
            )
            if value != after
        },
        reason=note.strip(),
    )
    return locked


@transaction.atomic
def unmatched_resolve(*, entry: UnmatchedRemittance, user: User, note: str) -> UnmatchedRemittance:
    """Take an unmatched payment off the queue, saying what was done (posted by hand,
    refunded, sent back to the payer …)."""
    locked = UnmatchedRemittance.objects.select_for_update().get(pk=entry.pk)
    if not note.strip():
        raise ValidationError({"note": "Say what was done with this payment."})
    if locked.resolved:
        raise ValidationError("This payment was already dealt with.")
    locked.resolved = True
    locked.note = note.strip()
    locked.resolved_by = acting_user(user)
    locked.save(update_fields=["resolved", "note", "resolved_by", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.claim.patient if locked.claim is not None else None,
        changes={"resolved": [False, True]},
        reason=locked.note,
    )
    return locked
