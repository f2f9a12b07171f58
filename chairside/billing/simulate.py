"""A payer's side, simulated: the 835 a payer would send for claims we submitted.

Used by the demo center and by tests, never for real money. Each line is paid what the
contract says (the claim item's expected amounts); the charge above the allowed amount is
CO-45, Medicare's sequestration CO-253, the patient's share PR-2 (PR-23-style prior-payer
impact as OA-23 on a secondary claim); a denied line is CO with the given reason. Every line
balances, as a real 835 must.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.billing.models import Claim, ClaimItem
from chairside.rules.billing.x12.x12_835 import (
    CROSSOVER_REMARK,
    CROSSOVER_STATUS,
    REVERSAL_STATUS,
    ClaimPayment,
    RemitAdjustment,
    Remittance,
    ServicePayment,
    write_835,
)
from chairside.rules.billing.x12.x12_837i import FACILITY_TYPE_HOSPITAL_OUTPATIENT

# 835 CLP06 claim filing indicator (its list differs from the 837's: no "CI"; 12 is PPO).
REMIT_FILING = {"medicare_b": "MB", "medicare_advantage": "16", "medicaid": "MC", "tricare": "CH"}

Denied = Mapping[int, tuple[str, str]]  # item line number -> (CARC reason, RARC remark)


def _service(item: ClaimItem, secondary: bool, denied: tuple[str, str] | None) -> ServicePayment:
    charge = item.charge
    line = item.line
    base: dict[str, Any] = dict(
        code=line.code,
        modifiers=line.modifier_list,
        charge=charge,
        units=line.units,
        line_control=item.control_number,
        revenue_code=item.revenue_code,
    )
    if denied is not None:
        reason, remark = denied
        return ServicePayment(
            **base,
            paid=Decimal(0),
            adjustments=(RemitAdjustment("CO", reason, charge),),
            remarks=(remark,) if remark else (),
        )
    allowed = item.expected_allowed if item.expected_allowed is not None else charge
    paid = item.expected_payer if item.expected_payer is not None else allowed
    patient = item.expected_patient if item.expected_patient is not None else Decimal(0)
    adjustments = []
    if charge - allowed:
        adjustments.append(
            RemitAdjustment(
                "OA" if secondary else "CO", "23" if secondary else "45", charge - allowed
            )
        )
    if allowed - paid - patient:
        adjustments.append(RemitAdjustment("CO", "253", allowed - paid - patient))
    if patient:
        adjustments.append(RemitAdjustment("PR", "2", patient))
    return ServicePayment(
        **base,
        paid=paid,
        allowed=allowed,
        adjustments=tuple(adjustments),
    )


def claim_payment(
    claim: Claim, denied: Denied | None = None, *, crossover: bool = False
) -> ClaimPayment:
    """The payer's decision on ``claim``; ``crossover`` marks Medicare forwarding it to the
    supplemental payer (CLP02 19 and remark MA18)."""
    denied = denied or {}
    items = list(claim.items.select_related("line").order_by("line_number"))
    services = tuple(
        _service(item, claim.sequence > 1, denied.get(item.line_number)) for item in items
    )
    paid = sum((s.paid for s in services), Decimal(0))
    patient = sum(
        (a.amount for s in services for a in s.adjustments if a.group == "PR"), Decimal(0)
    )
    status = "4" if paid == 0 and patient == 0 else str(claim.sequence)
    if crossover and status == "1":
        status = CROSSOVER_STATUS
    return ClaimPayment(
        remarks=(CROSSOVER_REMARK,) if crossover else (),
        control_number=claim.control_number,
        status=status,
        charge=sum((s.charge for s in services), Decimal(0)),
        paid=paid,
        patient_responsibility=patient,
        claim_filing=_filing(claim),
        payer_claim_number=f"PCN{claim.control_number[1:]}{claim.sequence}",
        services=services,
        # CLP08/09 on an institutional claim: the type of bill's facility type and frequency.
        facility_type=FACILITY_TYPE_HOSPITAL_OUTPATIENT if claim.is_institutional else "",
        frequency_code=claim.frequency_code if claim.is_institutional else "",
    )


def _filing(claim: Claim) -> str:
    if claim.is_institutional and claim.payer.kind == "medicare_b":
        return "MA"  # Medicare's outpatient hospital claims are Part A claim types (837I SBR09)
    return REMIT_FILING.get(claim.payer.kind, "12")


def reversal_of(payment: ClaimPayment) -> ClaimPayment:
    """The payer taking ``payment`` back: CLP02 22 with every amount negated (TR3 §1.10.2.8)."""

    def flip(adjustments: Sequence[RemitAdjustment]) -> tuple[RemitAdjustment, ...]:
        return tuple(replace(a, amount=-a.amount) for a in adjustments)

    return replace(
        payment,
        status=REVERSAL_STATUS,
        charge=-payment.charge,
        paid=-payment.paid,
        patient_responsibility=-payment.patient_responsibility,
        adjustments=flip(payment.adjustments),
        services=tuple(
            replace(s, charge=-s.charge, paid=-s.paid, adjustments=flip(s.adjustments))
            for s in payment.services
        ),
        remarks=(),
    )


def simulated_835(
    claims: Sequence[Claim],
    *,
    trace: str,
    paid_on: dt.date,
    denied: Mapping[int, Denied] | None = None,
    control_number: int = 1,
    payments: Sequence[ClaimPayment] | None = None,
    crossover: bool = False,
) -> str:
    """An 835 paying ``claims`` (all of one payer); ``denied`` maps a claim pk to its
    denied lines. ``payments`` replaces the computed claim payments (reversals,
    corrections); ``crossover`` marks each payment as a Medicare crossover."""
    denied = denied or {}
    if payments is None:
        payments = tuple(claim_payment(c, denied.get(c.pk), crossover=crossover) for c in claims)
    payer = claims[0].payer
    remittance = Remittance(
        payer_name=payer.name,
        payer_id=payer.payer_id or "DEMO",
        payee_name=claims[0].organization.name,
        payee_npi=claims[0].organization.group_npi or "1234567893",
        payment_method="CHK",
        total_paid=sum((p.paid for p in payments), Decimal(0)),
        trace_number=trace,
        paid_on=paid_on,
        claims=tuple(payments),
    )
    names = {
        c.control_number: (c.patient.last_name, c.patient.first_name, c.member_id) for c in claims
    }
    return write_835(
        remittance,
        control_number=control_number,
        created_at=timezone.localtime(),
        sender_id=(payer.payer_id or "PAYER")[:15],
        receiver_id="CHAIRSIDE",
        patient_names=names,
    )
