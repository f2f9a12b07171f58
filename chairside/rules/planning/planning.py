"""Break-even planning for a new or growing infusion center.

Standard contribution-margin break-even (fixed costs / margin per unit), in whole
treatments: a center cannot give a fraction of an infusion, so the count is rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from chairside.rules.billing.payment import medicare_part_b


def break_even_treatments_per_month(
    fixed_monthly_cost: Decimal, margin_per_treatment: Decimal
) -> int:
    """Return the treatments a month whose margin covers the fixed monthly cost.

    ``ceil(fixed / margin)``, computed exactly; 0 when there is no fixed cost. Raises
    ValueError for a negative fixed cost or a margin that is not positive.
    """
    fixed = _decimal(fixed_monthly_cost, "fixed monthly cost")
    margin = _decimal(margin_per_treatment, "margin per treatment")
    if fixed < 0:
        raise ValueError(f"fixed monthly cost {fixed_monthly_cost} must not be negative")
    if margin <= 0:
        raise ValueError(
            f"margin per treatment {margin_per_treatment} must be greater than 0: "
            "a treatment that loses money never breaks even"
        )
    # Fractions are exact: Decimal division would round at 28 digits before the ceiling.
    return math.ceil(Fraction(fixed) / Fraction(margin))


def months_to_break_even(
    fixed_monthly_cost: Decimal,
    margin_per_treatment: Decimal,
    starting_treatments_per_month: int,
    monthly_growth: int,
    max_months: int = 120,
) -> int | None:
    """Return the first month (1 = the opening month) whose volume reaches break-even.

    Volume ramps up linearly: month m has ``starting + (m - 1) * growth`` treatments. This
    is the month the center stops losing money each month; it does not recover the losses
    of the earlier months. Returns None if that does not happen within ``max_months``.
    Raises ValueError for negative volumes or growth, or ``max_months`` below 1, and for
    the inputs :func:`break_even_treatments_per_month` rejects.
    """
    needed = break_even_treatments_per_month(fixed_monthly_cost, margin_per_treatment)
    start = _whole(starting_treatments_per_month, "starting treatments per month")
    growth = _whole(monthly_growth, "monthly growth")
    if _whole(max_months, "max months") < 1:
        raise ValueError(f"max months {max_months} must be at least 1")
    if start >= needed:
        return 1
    if growth == 0:
        return None
    month = 1 + -(-(needed - start) // growth)
    return month if month <= max_months else None


def _decimal(value: Decimal, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal amount of dollars")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} {value} must be a finite amount")
    return result


def _whole(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} {value!r} must be a whole number")
    if value < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return value


# --- The inputs to break-even: fixed costs, margin per treatment, ramp-up, opening cash ---
#
# Added beside the two contract functions above (which stay exactly as they are). Every
# amount is a Decimal in dollars; shares are fractions (0.40 = 40%).

CENT = Decimal("0.01")
ASP_ADD_ON = Decimal("1.06")  # SSA 1847A / 42 CFR 414.904: Part B limit = 106% of ASP


@dataclass(frozen=True)
class NurseStaffing:
    """Nurse payroll for a month: each nurse is paid at least the minimum shift length.

    A nurse called in for a short day is still paid the agreed minimum shift ("paid minimum
    shifts"), so a thin schedule costs more per treatment than hours worked suggest.
    """

    nurses_per_day: int
    shift_hours: Decimal
    minimum_paid_hours: Decimal
    hourly_rate: Decimal
    open_days_per_month: Decimal
    benefits_share: Decimal  # payroll taxes and benefits on top of wages


def nurse_payroll_per_month(staffing: NurseStaffing) -> Decimal:
    """Wages plus benefits for the nurses, paying max(shift, minimum paid hours) each day."""
    nurses = _whole(staffing.nurses_per_day, "nurses per day")
    shift = _amount(staffing.shift_hours, "shift hours")
    minimum = _amount(staffing.minimum_paid_hours, "minimum paid hours")
    rate = _amount(staffing.hourly_rate, "nurse hourly rate")
    days = _amount(staffing.open_days_per_month, "open days per month")
    benefits = _amount(staffing.benefits_share, "benefits share")
    paid_hours = max(shift, minimum)
    return _cent(Decimal(nurses) * paid_hours * rate * days * (1 + benefits))


@dataclass(frozen=True)
class FixedCosts:
    """A month's fixed costs. ``management_fee`` is a fixed monthly fee, if any."""

    rent: Decimal
    nurse_payroll: Decimal
    coordinator: Decimal
    supplies: Decimal
    software: Decimal
    management_fee: Decimal
    other: Decimal = Decimal(0)

    def items(self) -> list[tuple[str, Decimal]]:
        return [
            ("Rent and utilities", self.rent),
            ("Nurse payroll", self.nurse_payroll),
            ("Coordinator", self.coordinator),
            ("Supplies (fixed)", self.supplies),
            ("Software", self.software),
            ("Management fee (fixed)", self.management_fee),
            ("Other", self.other),
        ]


def fixed_monthly_cost(costs: FixedCosts) -> Decimal:
    return _cent(sum((_amount(v, k) for k, v in costs.items()), Decimal(0)))


@dataclass(frozen=True)
class PayerShare:
    """A slice of the payer mix.

    ``kind`` ``medicare_b`` is paid ASP + 6% through :func:`medicare_part_b` (80% less the 2%
    sequestration, plus the patient's 20%); any other kind is paid ``percent_of_asp`` of ASP
    (e.g. 1.15 for a commercial contract at ASP + 15%).
    """

    name: str
    kind: str
    share: Decimal
    percent_of_asp: Decimal = Decimal(1)


@dataclass(frozen=True)
class DrugEconomics:
    """One drug of the mix: its share of treatments and per-treatment money."""

    name: str
    share: Decimal
    units_per_treatment: int
    asp_per_unit: Decimal
    acquisition_cost_per_unit: Decimal
    administration_payment: Decimal  # what the payer allows for the CPT administration codes
    variable_supplies: Decimal = Decimal(0)  # tubing, saline, premedication per treatment


@dataclass(frozen=True)
class TreatmentMargin:
    name: str
    revenue: Decimal
    drug_cost: Decimal
    margin: Decimal


def drug_revenue(drug: DrugEconomics, payer: PayerShare) -> Decimal:
    """What the center collects for the drug line of one treatment from this payer.

    Medicare Part B: Medicare's payment plus the patient's coinsurance, assumed collected
    (the 2% sequestration is the center's loss). Others: ASP x percent x units.
    """
    asp = _amount(drug.asp_per_unit, f"{drug.name}: ASP per unit")
    units = _whole(drug.units_per_treatment, f"{drug.name}: units per treatment")
    if payer.kind == "medicare_b":
        paid = medicare_part_b(_cent_up(asp * ASP_ADD_ON, "0.001"), units)
        return paid.medicare_payment + paid.patient_coinsurance
    percent = _amount(payer.percent_of_asp, f"{payer.name}: percent of ASP")
    return _cent(asp * percent * units)


def treatment_margins(
    drugs: list[DrugEconomics], payers: list[PayerShare]
) -> list[TreatmentMargin]:
    """Per drug: payer-mix-weighted revenue (drug + administration), drug cost and margin."""
    _check_shares([p.share for p in payers], "payer mix")
    rows = []
    for drug in drugs:
        acquisition = _amount(drug.acquisition_cost_per_unit, f"{drug.name}: acquisition cost")
        admin = _amount(drug.administration_payment, f"{drug.name}: administration payment")
        supplies = _amount(drug.variable_supplies, f"{drug.name}: supplies per treatment")
        revenue = sum((p.share * (drug_revenue(drug, p) + admin) for p in payers), Decimal(0))
        cost = acquisition * drug.units_per_treatment + supplies
        rows.append(TreatmentMargin(drug.name, _cent(revenue), _cent(cost), _cent(revenue - cost)))
    return rows


def blended_margin_per_treatment(drugs: list[DrugEconomics], payers: list[PayerShare]) -> Decimal:
    """The margin of an average treatment for the drug mix and payer mix (shares sum to 1)."""
    _check_shares([d.share for d in drugs], "drug mix")
    margins = treatment_margins(drugs, payers)
    return _cent(sum((d.share * m.margin for d, m in zip(drugs, margins, strict=True)), Decimal(0)))


@dataclass(frozen=True)
class RampMonth:
    month: int
    treatments: int
    contribution: Decimal
    fixed_cost: Decimal
    net: Decimal
    cumulative: Decimal


def ramp_up(
    fixed_monthly_cost: Decimal,
    margin_per_treatment: Decimal,
    starting_treatments_per_month: int,
    monthly_growth: int,
    months: int,
    *,
    ceiling: int | None = None,
) -> list[RampMonth]:
    """Month by month on a linear ramp (capped at ``ceiling`` treatments, e.g. capacity).

    The same ramp as :func:`months_to_break_even`, with each month's net and the cumulative
    result, whose lowest point is the cash the opening must fund (:func:`cash_to_fund_ramp`).
    """
    fixed = _amount(fixed_monthly_cost, "fixed monthly cost")
    margin = _decimal(margin_per_treatment, "margin per treatment")
    start = _whole(starting_treatments_per_month, "starting treatments per month")
    growth = _whole(monthly_growth, "monthly growth")
    if _whole(months, "months") < 1:
        raise ValueError(f"months {months} must be at least 1")
    if ceiling is not None and _whole(ceiling, "capacity ceiling") < start:
        raise ValueError(f"capacity ceiling {ceiling} is below the starting volume {start}")
    rows: list[RampMonth] = []
    cumulative = Decimal(0)
    for m in range(1, months + 1):
        volume = start + (m - 1) * growth
        volume = min(volume, ceiling) if ceiling is not None else volume
        contribution = _cent(margin * volume)
        net = contribution - fixed
        cumulative += net
        rows.append(RampMonth(m, volume, contribution, fixed, net, cumulative))
    return rows


DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class CashMonth:
    """One month of the ramp in cash: what payers paid in it, the fixed costs paid, and the
    cash position at its end (negative: what the opening must have funded so far)."""

    month: int
    collected: Decimal
    fixed_cost: Decimal
    position: Decimal


def ramp_cash(rows: list[RampMonth], *, collection_days: int) -> list[CashMonth]:
    """The ramp in cash rather than on paper.

    Fixed costs are paid in the month they fall due; a treatment's contribution (payment
    less its drug and supplies) arrives ``collection_days`` after the treatment.
    Treatments are spread evenly over a 30-day month, so month k's contribution comes in
    evenly from day 30(k-1) + delay to day 30k + delay. (The drug bought ahead of payment
    is the separate :func:`opening_inventory_cash`.)
    """
    delay = _whole(collection_days, "days to collect")
    positions: list[CashMonth] = []
    collected_before = Decimal(0)
    paid = Decimal(0)
    for row in rows:
        day = DAYS_PER_MONTH * row.month
        collected = Decimal(0)
        for earned in rows[: row.month]:
            start = DAYS_PER_MONTH * (earned.month - 1) + delay
            share = min(Fraction(1), max(Fraction(0), Fraction(day - start, DAYS_PER_MONTH)))
            collected += earned.contribution * Decimal(share.numerator) / share.denominator
        collected = _cent(collected)
        paid += row.fixed_cost
        positions.append(
            CashMonth(row.month, collected - collected_before, row.fixed_cost, collected - paid)
        )
        collected_before = collected
    return positions


def cash_to_fund_ramp(rows: list[RampMonth], *, collection_days: int = 0) -> Decimal:
    """The cash the opening must fund: the lowest cash position on the ramp, when payers pay
    ``collection_days`` after each treatment (0 when the position never goes below zero).

    With no delay this is the deepest cumulative loss. Counting each month's margin as cash
    in the month it is earned (the old behaviour, issue 13.16) showed $0 for any ramp whose
    first month beat break-even, although nothing is collected before the first payments.
    """
    cash = ramp_cash(rows, collection_days=collection_days)
    return max((-c.position for c in cash), default=Decimal(0)).max(Decimal(0))


def opening_inventory_cash(
    drug_cost_per_month: Decimal,
    *,
    days_on_hand: int,
    vendor_terms_days: int,
    collection_days: int,
) -> Decimal:
    """Cash tied up in drug stock: the cash conversion cycle applied to drug spend.

    A vial sits ``days_on_hand`` days on the shelf, then the claim takes ``collection_days``
    to be paid, while the distributor is paid ``vendor_terms_days`` after delivery. The gap
    (days on hand + collection - terms, never below 0) times the daily drug spend is the cash
    the center must have. A month is taken as 30 days.
    """
    spend = _amount(drug_cost_per_month, "drug cost per month")
    on_hand = _whole(days_on_hand, "days on hand")
    terms = _whole(vendor_terms_days, "vendor terms (days)")
    collect = _whole(collection_days, "days to collect")
    gap = max(0, on_hand + collect - terms)
    return _cent(spend * gap / 30)


def management_fee_owed(
    *, basis: str, treatments: int, collections: Decimal, per_treatment: Decimal, share: Decimal
) -> Decimal:
    """A managed practice's fee: per treatment, or a share of collections."""
    if basis == "per_treatment":
        return _cent(_amount(per_treatment, "fee per treatment") * _whole(treatments, "treatments"))
    if basis == "share_of_collections":
        fraction = _amount(share, "share of collections")
        if fraction > 1:
            raise ValueError(f"share of collections {share} must be at most 1 (100%)")
        return _cent(_amount(collections, "collections") * fraction)
    raise ValueError(f"fee basis {basis!r} must be 'per_treatment' or 'share_of_collections'")


def _amount(value: Decimal, name: str) -> Decimal:
    result = _decimal(value, name)
    if result < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return result


def _check_shares(shares: list[Decimal], name: str) -> None:
    if not shares:
        raise ValueError(f"the {name} is empty")
    for share in shares:
        if _amount(share, f"{name} share") > 1:
            raise ValueError(f"a {name} share {share} must be at most 1 (100%)")
    total = sum(shares, Decimal(0))
    if abs(total - 1) > Decimal("0.0001"):
        raise ValueError(f"the {name} shares add up to {total * 100:.2f}%, not 100%")


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cent_up(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
