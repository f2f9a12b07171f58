"""Patient accounts read: balance, ageing, ledger with running balance, plan, statements.
Always scoped to one organization (through the patient or the ``organization`` argument)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.shortcuts import get_object_or_404

from chairside.billing.models import PatientLedgerEntry, PatientStatement, PaymentPlan
from chairside.billing.pricing import billing_profile
from chairside.patients.models import Patient
from chairside.rules.billing.patient_ar import (
    PATIENT_AGEING_BUCKETS,
    OpenCharge,
    PlanStatus,
    charge_ages_from,
    patient_ageing,
    plan_status,
)

Entry = PatientLedgerEntry
STATEMENT_DUE_DAYS = 30


def _ageing_of(
    entries: list[PatientLedgerEntry], statement_dates: list[dt.date], today: dt.date
) -> dict[str, Decimal]:
    """The entries' open balance by bucket: charges net per visit or claim, credits applied
    oldest first."""
    per_source: dict[tuple[Any, Any], list[PatientLedgerEntry]] = defaultdict(list)
    credits = Decimal(0)
    for entry in entries:
        if entry.kind == Entry.Kind.CHARGE:
            per_source[(entry.claim_id, entry.encounter_id)].append(entry)
        else:
            credits += -entry.amount
    charges = []
    for rows in per_source.values():
        first = rows[0]
        ages_from = charge_ages_from(
            service_date=first.service_date or first.posted_on,
            posted_on=first.posted_on,
            statement_dates=statement_dates,
        )
        charges.append(OpenCharge(ages_from, sum((r.amount for r in rows), Decimal(0))))
    return patient_ageing(charges, credits, today)


def _plan_status(
    plan: PaymentPlan, entries: list[PatientLedgerEntry], today: dt.date
) -> PlanStatus:
    # Payments recorded after the plan was set up: its total is the balance left by the ones
    # before.
    paid = [
        -e.amount
        for e in entries
        if e.kind == Entry.Kind.PAYMENT and e.created_at > plan.created_at
    ]
    return plan_status(
        total=plan.total, monthly=plan.monthly, first_due=plan.first_due, payments=paid, today=today
    )


def patient_account(
    *, patient: Patient, today: dt.date, issuing_statement: bool = False
) -> dict[str, Any]:
    """Everything the account page shows. ``issuing_statement``: age as if today's statement
    were already sent (the statement being printed bills what it lists)."""
    entries = list(
        PatientLedgerEntry.objects.filter(patient=patient).select_related(
            "recorded_by", "claim", "encounter"
        )
    )
    statements = list(PatientStatement.objects.filter(patient=patient))
    running = Decimal(0)
    rows = []
    for entry in entries:
        running += entry.amount
        rows.append((entry, running))
    plan = PaymentPlan.objects.filter(patient=patient, ended_on__isnull=True).first()
    return {
        "balance": running,
        "rows": rows,
        "ageing": _ageing_of(
            entries,
            [s.statement_date for s in statements] + ([today] if issuing_statement else []),
            today,
        ),
        "plan": plan,
        "plan_status": _plan_status(plan, entries, today) if plan else None,
        "past_plans": PaymentPlan.objects.filter(patient=patient, ended_on__isnull=False),
        "statements": statements,
    }


def _zip(code: str) -> str:
    """ZIP+4 written 19000-1234."""
    digits = code.replace("-", "")
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 and digits.isdigit() else code


def statement_data(*, patient: Patient, today: dt.date) -> dict[str, Any]:
    """The statement as JSON-safe data (kept with the statement and printed from it)."""
    account = patient_account(patient=patient, today=today, issuing_statement=True)
    profile = billing_profile(patient.organization)
    status: PlanStatus | None = account["plan_status"]
    balance: Decimal = account["balance"]
    if status is not None and status.next_due is not None:
        amount_due, due_date = min(status.amount_due, balance), status.next_due
    else:
        amount_due, due_date = balance, today + dt.timedelta(days=STATEMENT_DUE_DAYS)
    return {
        "statement_date": today.isoformat(),
        "due_date": due_date.isoformat(),
        "balance": str(balance),
        "amount_due": str(amount_due),
        "provider": {
            "name": profile.billing_name or patient.organization.name,
            "address": [
                x
                for x in (
                    profile.address_line1,
                    profile.address_line2,
                    f"{profile.city}, {profile.state} {_zip(profile.postal_code)}"
                    if profile.city
                    else "",
                )
                if x
            ],
            "phone": profile.contact_phone,
        },
        "patient": {
            "name": f"{patient.first_name} {patient.last_name}",
            "mrn": patient.mrn,
            "address": [
                x
                for x in (
                    patient.address_line1,
                    patient.address_line2,
                    f"{patient.city}, {patient.state} {_zip(patient.postal_code)}"
                    if patient.city
                    else "",
                )
                if x
            ],
        },
        "lines": [
            {
                "date": entry.posted_on.isoformat(),
                "service_date": entry.service_date.isoformat() if entry.service_date else "",
                "description": entry.description,
                "how": entry.how,
                "amount": str(entry.amount),
                "balance": str(running),
            }
            for entry, running in account["rows"]
        ],
        "ageing": {name: str(value) for name, value in account["ageing"].items()},
        "plan": None
        if status is None
        else {
            "monthly": str(account["plan"].monthly),
            "next_due": status.next_due.isoformat() if status.next_due else "",
            "missed": status.missed,
            "remaining": str(status.remaining),
        },
    }


def patient_balances(*, organization: Any, today: dt.date) -> list[dict[str, Any]]:
    """Patients who owe something, most owed first, each with ageing and plan status."""
    owing = (
        PatientLedgerEntry.objects.filter(organization=organization)
        .values("patient")
        .annotate(balance=Sum("amount"))
        .filter(balance__gt=0)
    )
    ids = [row["patient"] for row in owing]
    entries: dict[int, list[PatientLedgerEntry]] = defaultdict(list)
    for entry in PatientLedgerEntry.objects.filter(organization=organization, patient_id__in=ids):
        entries[entry.patient_id].append(entry)
    statements: dict[int, list[dt.date]] = defaultdict(list)
    for pid, day in PatientStatement.objects.filter(
        organization=organization, patient_id__in=ids
    ).values_list("patient_id", "statement_date"):
        statements[pid].append(day)
    plans = {
        p.patient_id: p
        for p in PaymentPlan.objects.filter(
            organization=organization, patient_id__in=ids, ended_on__isnull=True
        )
    }
    result: list[dict[str, Any]] = []
    for patient in Patient.objects.filter(organization=organization, pk__in=ids):
        rows = entries[patient.pk]
        plan = plans.get(patient.pk)
        ageing = _ageing_of(rows, statements[patient.pk], today)
        result.append(
            {
                "patient": patient,
                "balance": sum((e.amount for e in rows), Decimal(0)),
                "ageing": ageing,
                "over_60": sum(list(ageing.values())[2:], Decimal(0)),
                "last_statement": max(statements[patient.pk], default=None),
                "plan": plan,
                "plan_status": _plan_status(plan, rows, today) if plan else None,
            }
        )
    result.sort(key=lambda r: (-r["balance"], r["patient"].last_name))
    return result


def patient_receivables(*, organization: Any, today: dt.date) -> dict[str, Any]:
    """Patient AR by age for the AR report: every bucket, the total and how many patients."""
    return patient_receivables_of(patient_balances(organization=organization, today=today))


def patient_receivables_of(accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """Patient AR by age over accounts already read by :func:`patient_balances`."""
    buckets = {name: Decimal(0) for name, _, _ in PATIENT_AGEING_BUCKETS}
    for account in accounts:
        for name, value in account["ageing"].items():
            buckets[name] += value
    return {"buckets": buckets, "total": sum(buckets.values(), Decimal(0)), "count": len(accounts)}


def access_account_patient(*, organization: Any, public_id: uuid.UUID | str) -> Patient:
    return get_object_or_404(Patient, organization=organization, public_id=public_id)


def access_statement(*, organization: Any, public_id: uuid.UUID | str) -> PatientStatement:
    return get_object_or_404(
        PatientStatement.objects.select_related("patient"),
        organization=organization,
        public_id=public_id,
    )


def access_plan(*, organization: Any, public_id: uuid.UUID | str) -> PaymentPlan:
    return get_object_or_404(
        PaymentPlan.objects.select_related("patient"),
        organization=organization,
        public_id=public_id,
    )
