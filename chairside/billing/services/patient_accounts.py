"""Patient accounts: charges from self-pay visits and from what the last payer left to the
patient, payments, write-offs, payment plans and statements.

Every write runs in one transaction with the patient row locked (so two billers cannot both
take the same balance), validates, and records an audit event. The rules (ageing, plan
schedule, card numbers) are in ``chairside.rules.billing.patient_ar``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from chairside.access.authorizations.selectors import benefits_for_order
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.models import (
    Claim,
    Encounter,
    PatientLedgerEntry,
    PatientStatement,
    PaymentPlan,
)
from chairside.billing.selectors.patient_accounts import statement_data
from chairside.billing.services.payers import payer_of
from chairside.core.actors import acting_user
from chairside.patients.models import Patient
from chairside.rules.billing.patient_ar import CENT, card_reference_problem, plan_schedule
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.models import Appointment

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Entry = PatientLedgerEntry


def _lock(patient: Patient) -> Patient:
    return Patient.objects.select_for_update().get(pk=patient.pk)


def patient_balance(*, patient: Patient) -> Decimal:
    """What the patient owes now (negative: a credit)."""
    total = PatientLedgerEntry.objects.filter(patient=patient).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0).quantize(CENT)


def _post_difference(
    *,
    patient: Patient,
    target: Decimal,
    posted: Decimal,
    user: User | None,
    encounter: Encounter,
    claim: Claim | None,
    description: str,
) -> PatientLedgerEntry | None:
    delta = target - posted
    if delta == 0:
        return None
    entry = PatientLedgerEntry.objects.create(
        organization=patient.organization,
        patient=patient,
        kind=Entry.Kind.CHARGE,
        amount=delta,
        posted_on=timezone.localdate(),
        service_date=encounter.date_of_service,
        encounter=encounter,
        claim=claim,
        description=description if posted == 0 else f"{description} (changed {posted} → {target})",
        recorded_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=entry,
        patient=patient,
        changes={"patient_owes": [str(posted), str(target)]},
    )
    return entry


def _owed_to_patient(claim: Claim) -> bool:
    """Whether the claim's patient responsibility is the patient's to pay: no further payer
    (a secondary coverage, or Medicare's crossover to the supplemental payer) takes it."""
    if claim.superseded or claim.crossed_over_on is not None:
        return False
    return payer_of(claim.encounter, claim.sequence) is None


@transaction.atomic
def patient_ar_sync_claim(*, claim: Claim, user: User | None) -> PatientLedgerEntry | None:
    """Bring the patient's account in line with what the claim's payer left to the patient
    (835 group PR adjustments: deductible, coinsurance, co-payment). Called after each 835
    posting; a reversal or correction posts the difference."""
    _lock(claim.patient)
    target = claim.patient_responsibility if _owed_to_patient(claim) else Decimal(0)
    posted = PatientLedgerEntry.objects.filter(claim=claim, kind=Entry.Kind.CHARGE).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    return _post_difference(
        patient=claim.patient,
        target=max(Decimal(0), target),
        posted=posted,
        user=user,
        encounter=claim.encounter,
        claim=claim,
        description=f"Patient responsibility after {claim.payer} (claim {claim.control_number})",
    )


@transaction.atomic
def patient_ar_sync_self_pay(
    *, encounter: Encounter, self_pay: bool, user: User | None
) -> PatientLedgerEntry | None:
    """A visit with no insurance to bill is the patient's: its charges (the charge master
    price of the current lines) go on the account; when a payer is found later, they leave."""
    _lock(encounter.patient)
    target = Decimal(0)
    if self_pay:
        lines = encounter.current_lines.prefetch_related("adjustments")
        target = sum((line.adjusted_charge or Decimal(0) for line in lines), Decimal(0))
    posted = PatientLedgerEntry.objects.filter(
        encounter=encounter, claim__isnull=True, kind=Entry.Kind.CHARGE
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return _post_difference(
        patient=encounter.patient,
        target=target,
        posted=posted,
        user=user,
        encounter=encounter,
        claim=None,
        description="Self-pay visit (no insurance billed)",
    )


def _money(amount: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(amount))
    except ArithmeticError:
        raise ValidationError({field: "Give an amount in dollars and cents."}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({field: "Give an amount more than zero."})
    if value != value.quantize(CENT):
        raise ValidationError({field: "Give the amount in whole cents."})
    return value


@transaction.atomic
def patient_payment_record(
    *,
    patient: Patient,
    amount: Any,
    method: str,
    reference: str = "",
    received_on: dt.date | None = None,
    note: str = "",
    at_visit: bool = False,
    user: User,
) -> PatientLedgerEntry:
    """Record a payment from the patient: cash, card (the terminal's authorization code or
    last four digits — never the card number) or check (its number).

    ``at_visit``: the co-pay collected at the front desk on the day of a visit, before the
    claim is paid. It may go beyond what the patient owes now by the co-pay of the verified
    primary benefits of today's appointment (a credit until the payer's remittance puts the
    patient's share on the account); without such a visit and co-pay it is refused."""
    _lock(patient)
    value = _money(amount, "amount")
    reference = reference.strip()
    if method not in Entry.Method.values:
        raise ValidationError({"method": "Choose cash, card or check."})
    for field, text in (("reference", reference), ("note", note)):
        problem = card_reference_problem(text)
        if problem:
            raise ValidationError({field: problem})
    if method == Entry.Method.CHECK and not reference:
        raise ValidationError({"reference": "Give the check number."})
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ValidationError({"received_on": "A payment cannot be received in the future."})
    balance = patient_balance(patient=patient)
    copay = visit_copay_due(patient=patient, day=today) if at_visit else None
    if at_visit and copay is None:
        raise ValidationError(
            {
                "at_visit": "No appointment today with a verified co-pay: record a payment "
                "against the balance instead."
            }
        )
    limit = balance + (copay or Decimal(0))
    if value > limit:
        raise ValidationError(
            {
                "amount": f"The patient owes ${balance}"
                + (f" and today's co-pay is ${copay}" if copay is not None else "")
                + f"; record at most ${max(limit, Decimal(0))} (no other credit balances)."
            }
        )
    entry = PatientLedgerEntry.objects.create(
        organization=patient.organization,
        patient=patient,
        kind=Entry.Kind.PAYMENT,
        amount=-value,
        posted_on=received_on,
        description="Co-pay at the visit — thank you" if at_visit else "Payment — thank you",
        method=method,
        reference=reference[:40],
        note=note,
        recorded_by=user,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=entry,
        patient=patient,
        changes={
            "payment": [None, str(value)],
            "method": [None, method],
            **({"at_visit": [None, True]} if at_visit else {}),
        },
    )
    return entry


def visit_copay_due(*, patient: Patient, day: dt.date) -> Decimal | None:
    """The co-pay of the verified primary benefits behind the patient's appointment on
    ``day`` (the first appointment that has one), or None when there is no such visit."""
    appointments = (
        Appointment.objects.filter(
            organization=patient.organization, patient=patient, start__date=day
        )
        .exclude(status__in=(states.CANCELLED, states.NO_SHOW, states.RESCHEDULED))
        .select_related("order")
        .order_by("start")
    )
    for appointment in appointments:
        for check in benefits_for_order(appointment.order):
            if check.status == "verified" and check.copay > 0:
                return Decimal(check.copay)
            break  # only the primary coverage's co-pay is collected at the desk
    return None


@transaction.atomic
def patient_write_off(
    *, patient: Patient, amount: Any, reason: str, note: str = "", user: User
) -> PatientLedgerEntry:
    """Write off part or all of what the patient owes, with a reason (small balance,
    hardship/charity, bad debt, administrative). The view lets only billers and
    administrators (``billing.edit``) call it."""
    _lock(patient)
    value = _money(amount, "amount")
    if reason not in Entry.WriteOffReason.values:
        raise ValidationError({"reason": "Choose why the balance is written off."})
    if card_reference_problem(note):
        raise ValidationError({"note": card_reference_problem(note)})
    balance = patient_balance(patient=patient)
    if value > balance:
        raise ValidationError({"amount": f"The patient owes ${balance}; write off at most that."})
    entry = PatientLedgerEntry.objects.create(
        organization=patient.organization,
        patient=patient,
        kind=Entry.Kind.WRITE_OFF,
        amount=-value,
        posted_on=timezone.localdate(),
        description="Adjustment",
        write_off_reason=reason,
        note=note,
        recorded_by=user,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=entry,
        patient=patient,
        changes={"write_off": [None, str(value)], "reason": [None, reason]},
        reason=note,
    )
    return entry


@transaction.atomic
def payment_plan_start(
    *, patient: Patient, monthly: Any, first_due: dt.date, note: str = "", user: User
) -> PaymentPlan:
    """Put today's balance on a plan of ``monthly`` a month from ``first_due``; an open plan
    is ended and replaced."""
    _lock(patient)
    value = _money(monthly, "monthly")
    today = timezone.localdate()
    if first_due < today:
        raise ValidationError({"first_due": "The first payment cannot be due in the past."})
    balance = patient_balance(patient=patient)
    if balance <= 0:
        raise ValidationError("The patient owes nothing: there is nothing to put on a plan.")
    try:
        schedule = plan_schedule(total=balance, monthly=value, first_due=first_due)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    for old in PaymentPlan.objects.filter(patient=patient, ended_on__isnull=True):
        _end(old, today, user, "Replaced by a new plan.")
    plan = PaymentPlan.objects.create(
        organization=patient.organization,
        patient=patient,
        total=balance,
        monthly=value,
        first_due=first_due,
        started_on=today,
        note=note,
        created_by=user,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=patient.organization,
        obj=plan,
        patient=patient,
        changes={
            "total": [None, str(balance)],
            "monthly": [None, str(value)],
            "first_due": [None, first_due.isoformat()],
            "instalments": [None, len(schedule)],
        },
    )
    return plan


def _end(plan: PaymentPlan, today: dt.date, user: User, reason: str) -> None:
    plan.ended_on = today
    plan.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=plan.organization,
        obj=plan,
        patient=plan.patient,
        changes={"ended_on": [None, today.isoformat()]},
        reason=reason,
    )


@transaction.atomic
def payment_plan_end(*, plan: PaymentPlan, user: User, reason: str = "") -> PaymentPlan:
    if plan.ended_on is not None:
        raise ValidationError("This plan has ended already.")
    _end(plan, timezone.localdate(), user, reason or "Ended by the biller.")
    return plan


@transaction.atomic
def patient_statement_create(*, patient: Patient, user: User) -> PatientStatement:
    """Issue a statement: the account's activity, the balance by age, the plan if any, and
    the amount due by the due date — kept as the exact data printed."""

    _lock(patient)
    today = timezone.localdate()
    data = statement_data(patient=patient, today=today)
    if Decimal(data["balance"]) <= 0:
        raise ValidationError("The patient owes nothing: no statement to send.")
    for _attempt in range(5):
        count = PatientStatement.objects.filter(organization=patient.organization).count()
        number = f"S{count + 1:07d}"
        data["number"] = number
        statement = PatientStatement(
            organization=patient.organization,
            patient=patient,
            number=number,
            statement_date=today,
            due_date=dt.date.fromisoformat(data["due_date"]),
            balance=Decimal(data["balance"]),
            amount_due=Decimal(data["amount_due"]),
            data=data,
            created_by=user,
        )
        try:
            with transaction.atomic():
                statement.save()
        except IntegrityError:
            continue  # another biller took that number a moment ago
        audit_record(
            action=AuditEvent.Action.CREATE,
            user=user,
            organization=patient.organization,
            obj=statement,
            patient=patient,
            changes={"balance": [None, data["balance"]], "amount_due": [None, data["amount_due"]]},
        )
        return statement
    raise ValidationError("Could not number the statement; try again.")
