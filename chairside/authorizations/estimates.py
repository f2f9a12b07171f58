"""The patient's estimated share for the rest of an order's course (a read; nothing saved).

Allowed amount per visit = billing units of the dose, discarded (JW) drug of single-dose
vials included, x the expected allowed amount per unit (from the benefits check, else the
formulary reference file's DEMO price) + other services per visit. The split between payers
and patient is ``rules.cost_share`` (the ASP file's reduced coinsurance for Original
Medicare in the quarters it covers; nothing owed by a Qualified Medicare Beneficiary).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from chairside.authorizations.models import BenefitsInvestigation
from chairside.authorizations.selectors import doses_documented
from chairside.formulary.services import reference_formulary
from chairside.patients.selectors import latest_measurement
from chairside.referrals.models import TreatmentOrder
from chairside.rules.cost_share import (
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
    from chairside.billing.pricing import PriceBook

    book = PriceBook(order.organization)
    return lambda day: book.asp_coinsurance(order.drug.hcpcs, day)


@dataclass(frozen=True)
class OrderEstimate:
    estimate: CourseEstimate | None
    doses: int
    price_per_unit: Decimal | None
    price_is_demo: bool
    advice: str
    notes: tuple[str, ...]
    problem: str = ""


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
    advice = assistance_advice(kind, estimate.patient_owes)
    return OrderEstimate(estimate, len(visits), price, is_demo, advice, tuple(notes))
