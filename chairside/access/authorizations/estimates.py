"""The patient's estimated share for the rest of an order's course (a read; nothing saved).

Allowed amount per visit = billing units of the dose, discarded (JW) drug of single-dose
vials included, x the expected allowed amount per unit (from the benefits check, else the
formulary reference file's DEMO price) + other services per visit. The split between payers
and patient is ``rules.billing.cost_share`` (the ASP file's reduced coinsurance for Original
Medicare in the quarters it covers; nothing owed by a Qualified Medicare Beneficiary).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from chairside.access.authorizations.events import reduced_coinsurance
from chairside.access.authorizations.models import AssistanceEnrollment, BenefitsInvestigation
from chairside.access.authorizations.selectors import doses_documented
from chairside.access.authorizations.services.assistance import (
    active_enrollments,
    enrollment_remaining,
)
from chairside.access.referrals.models import TreatmentOrder
from chairside.formulary.services import reference_formulary
from chairside.patients.selectors import latest_measurement
from chairside.rules.access.assistance import program_pays
from chairside.rules.billing.cost_share import (
    Benefit,
    CourseEstimate,
    CourseVisit,
    assistance_advice,
    billed_units,
    estimate_course,
)


@cache
def demo_price_per_unit(drug_key: str) -> Decimal | None:
    """The reference file's DEMO payment limit per unit (not a real ASP figure)."""
    for row in reference_formulary():
        if row["key"] == drug_key:
            price = (row.get("demo_prices") or {}).get("payment_limit_per_unit")
            return Decimal(str(price)) if price else None
    return None


def _reduced_coinsurance(
    order: TreatmentOrder, primary: BenefitsInvestigation | None
) -> Callable[[dt.date], Decimal | None]:
    """The ASP file's reduced Part B coinsurance for the drug in a visit's quarter (the
    inflation rebate, SSA §1847A(i)(5)); None outside Original Medicare or the file."""
    if primary is None or primary.coverage.payer.kind != "medicare_b":
        return lambda _day: None
    lookup = reduced_coinsurance(order.organization)
    return lambda day: lookup(order.drug.hcpcs, day)


@dataclass(frozen=True)
class ProgramHelp:
    """What one assistance enrolment pays of the patient's estimated share."""

    program: str
    kind: str
    pays: Decimal
    remaining: Decimal | None
    note: str


@dataclass(frozen=True)
class OrderEstimate:
    estimate: CourseEstimate | None
    doses: int
    price_per_unit: Decimal | None
    price_is_demo: bool
    advice: str
    notes: tuple[str, ...]
    problem: str = ""
    programs: tuple[ProgramHelp, ...] = ()
    patient_after_programs: Decimal | None = None


def _benefit(check: BenefitsInvestigation | None) -> Benefit | None:
    if check is None or check.status != BenefitsInvestigation.Status.VERIFIED:
        return None
    return Benefit(
        deductible=check.deductible,
        deductible_met=check.deductible_met,
        out_of_pocket_max=check.out_of_pocket_max,
        out_of_pocket_met=check.out_of_pocket_met,
        coinsurance_percent=check.coinsurance_percent,
        copay=check.copay,
        medicare_part_b=check.coverage.payer.kind == "medicare_b",
        covers_primary_deductible=check.covers_primary_deductible,
        plan_year=check.plan_year,
        qualified_medicare_beneficiary=check.qualified_medicare_beneficiary,
    )


def _remaining_dates(order: TreatmentOrder, today: dt.date) -> list[tuple[int, dt.date]]:
    """(dose number, date) of the doses still to give; a course not started starts today."""
    probe = order
    if order.first_dose_on is None:
        probe = copy.copy(order)
        probe.first_dose_on = today
    given = doses_documented(order)
    return [(n, d) for n, d in enumerate(probe.planned_dates(), start=1) if n > given]


def order_estimate(order: TreatmentOrder, today: dt.date) -> OrderEstimate:
    """Estimate what the patient owes for the doses left on the order (primary, secondary)."""
    checks = {c.coverage.order: c for c in order.benefits.select_related("coverage__payer")}
    primary, secondary = checks.get(1), checks.get(2)
    notes: list[str] = []
    price, is_demo = (primary.allowed_per_unit if primary else None), False
    if price is None:
        price, is_demo = demo_price_per_unit(order.drug.key), True
    if price is None:
        return OrderEstimate(
            None, 0, None, False, "", (), "No price per unit is known for this drug."
        )
    measurement = latest_measurement(order.patient)
    weight = measurement.weight_kg if measurement else order.weight_kg_at_order
    white_bag = primary is not None and primary.acquisition_path == "white_bag"
    if white_bag:
        notes.append("White bagging: the drug is billed by the specialty pharmacy, not here.")
    enrollments = active_enrollments(patient=order.patient, drug=order.drug, on=today)
    free_drug = next((e for e in enrollments if e.program.kind == "free_drug"), None)
    if free_drug is not None and not white_bag:
        white_bag = True  # replacement drug is never billed: no drug amount to share
        notes.append(f"Free drug from {free_drug.program}: the drug is not billed.")
    visits = []
    vials = [
        Decimal(p.strength_mg) for p in order.drug.packages.all() if p.single_dose
    ]  # the discarded (JW) part of single-dose vials is billed and shared too
    coinsurance = _reduced_coinsurance(order, primary)
    try:
        for number, day in _remaining_dates(order, today):
            dose = order.dose_for_weight(weight, number)
            units = billed_units(dose, Decimal(order.drug.billing_unit_mg), vials)
            drug = Decimal(0) if white_bag else (units * price).quantize(Decimal("0.01"))
            other = primary.other_allowed_per_visit if primary else Decimal(0)
            visits.append(
                CourseVisit(
                    day,
                    (drug + other).quantize(Decimal("0.01")),
                    drug_allowed=drug,
                    drug_coinsurance_percent=coinsurance(day) if drug else None,
                )
            )
    except ValueError as exc:
        return OrderEstimate(None, 0, price, is_demo, "", tuple(notes), str(exc))
    if primary is not None and primary.status != BenefitsInvestigation.Status.VERIFIED:
        notes.append("Benefits are not verified yet: the estimate treats the patient as self-pay.")
    if secondary is not None and secondary.status != BenefitsInvestigation.Status.VERIFIED:
        notes.append("The secondary coverage is not verified yet and is left out.")
    estimate = estimate_course(visits, _benefit(primary), _benefit(secondary))
    kind = primary.coverage.payer.kind if primary else None
    helps, left = _program_help(enrollments, kind, estimate.patient_owes, today.year)
    joined = frozenset(e.program.kind for e in enrollments)
    advice = "" if helps and left == 0 else assistance_advice(kind, left, enrolled=joined)
    return OrderEstimate(
        estimate,
        len(visits),
        price,
        is_demo,
        advice,
        tuple(notes),
        programs=tuple(helps),
        patient_after_programs=left if helps else None,
    )


def _program_help(
    enrollments: list[AssistanceEnrollment], payer_kind: str | None, owes: Decimal, year: int
) -> tuple[list[ProgramHelp], Decimal]:
    """Each enrolment in turn pays what it may of what is still owed."""
    helps = []
    for enrollment in enrollments:
        remaining = enrollment_remaining(enrollment, year)
        share = program_pays(
            enrollment.program.kind, payer_kind=payer_kind, patient_owes=owes, remaining=remaining
        )
        helps.append(
            ProgramHelp(
                str(enrollment.program),
                enrollment.program.get_kind_display(),
                share.pays,
                remaining,
                share.note,
            )
        )
        owes = share.patient_still_owes
    return helps, owes
