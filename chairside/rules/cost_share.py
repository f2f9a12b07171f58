"""What a patient will owe for a course of infusions: primary, then secondary coverage.

An estimate for the financial conversation before the first infusion, not an adjudication.
Each visit's allowed amount goes through the primary coverage (deductible, then
coinsurance and copay, up to the out-of-pocket maximum), and what the primary leaves to the
patient goes to the secondary coverage, which applies its own cost sharing.

Sources for the Medicare rules:
- Part B pays 80% of the allowed amount for a drug and the beneficiary owes 20% coinsurance
  after the annual Part B deductible (Social Security Act 1833(a)(1)(S) and 1833(b); see
  ``payment``); Original Medicare has no out-of-pocket maximum.
- The 2026 Part B deductible is $283.00 (CMS-8091-N, 90 FR 52063, November 19, 2025).
- The 2% sequestration reduces Medicare's payment, not the patient's coinsurance.
- Medigap plans C and F pay the Part B deductible; plan G and the others do not (CMS,
  "Compare Medigap plan benefits"): ``Benefit.covers_primary_deductible``.
Deductibles and out-of-pocket amounts met are for one plan year (the calendar year for
Medicare and most plans); a visit in a later year starts again from zero.

Assistance: manufacturer copay cards may not be used by patients with federal health care
coverage (Medicare, Medicaid, TRICARE): OIG Special Advisory Bulletin "Pharmaceutical
Manufacturer Copayment Coupons" (September 2014), so those patients are pointed to
independent charitable foundations (OIG Supplemental Special Advisory Bulletin
"Independent Charity Patient Assistance Programs", May 2014).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chairside.rules.payment import MEDICARE_SHARE, PATIENT_SHARE, SEQUESTRATION_KEPT

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MEDICARE_PART_B_DEDUCTIBLE = {2025: Decimal("257.00"), 2026: Decimal("283.00")}
DEFAULT_ASSISTANCE_THRESHOLD = Decimal("250.00")
GOVERNMENT_PAYERS = frozenset({"medicare_b", "medicare_advantage", "medicaid", "tricare"})


@dataclass(frozen=True)
class Benefit:
    """One coverage's benefits for this drug, as verified with the payer.

    ``coinsurance_percent`` is the patient's share (0-100) after the deductible; ``copay``
    is per visit. ``plan_year`` is the year the *met* amounts refer to (None: the year of
    the first visit). ``medicare_part_b`` applies Original Medicare's fixed 20% and no
    out-of-pocket maximum, whatever the other fields say.
    """

    deductible: Decimal = ZERO
    deductible_met: Decimal = ZERO
    out_of_pocket_max: Decimal | None = None
    out_of_pocket_met: Decimal = ZERO
    coinsurance_percent: Decimal = ZERO
    copay: Decimal = ZERO
    medicare_part_b: bool = False
    covers_primary_deductible: bool = True
    plan_year: int | None = None


@dataclass(frozen=True)
class VisitEstimate:
    on: date
    allowed: Decimal
    primary_pays: Decimal
    secondary_pays: Decimal
    patient_owes: Decimal


@dataclass(frozen=True)
class CourseEstimate:
    visits: tuple[VisitEstimate, ...]

    @property
    def allowed(self) -> Decimal:
        return sum((v.allowed for v in self.visits), ZERO)

    @property
    def primary_pays(self) -> Decimal:
        return sum((v.primary_pays for v in self.visits), ZERO)

    @property
    def secondary_pays(self) -> Decimal:
        return sum((v.secondary_pays for v in self.visits), ZERO)

    @property
    def patient_owes(self) -> Decimal:
        return sum((v.patient_owes for v in self.visits), ZERO)


@dataclass
class _Tracker:
    """A benefit's running deductible and out-of-pocket totals through the plan year."""

    benefit: Benefit
    year: int
    deductible_left: Decimal
    out_of_pocket_left: Decimal | None

    @classmethod
    def start(cls, benefit: Benefit, first_visit: date) -> _Tracker:
        year = benefit.plan_year or first_visit.year
        tracker = cls(benefit, year, ZERO, None)
        tracker._reset(met=True)
        return tracker

    def _reset(self, *, met: bool) -> None:
        b = self.benefit
        self.deductible_left = max(ZERO, b.deductible - (b.deductible_met if met else ZERO))
        if b.out_of_pocket_max is None or b.medicare_part_b:
            self.out_of_pocket_left = None
        else:
            spent = b.out_of_pocket_met if met else ZERO
            self.out_of_pocket_left = max(ZERO, b.out_of_pocket_max - spent)

    def enter(self, on: date) -> None:
        if on.year < self.year:
            raise ValueError(f"the visit on {on} is before plan year {self.year}")
        if on.year > self.year:
            self.year = on.year
            self._reset(met=False)

    def share(self, amount: Decimal) -> tuple[Decimal, Decimal]:
        """(deductible part, patient's total share) of ``amount`` under this benefit."""
        b = self.benefit
        deductible = min(amount, self.deductible_left)
        rest = amount - deductible
        percent = PATIENT_SHARE * HUNDRED if b.medicare_part_b else b.coinsurance_percent
        copay = ZERO if b.medicare_part_b else b.copay
        share = min(amount, deductible + _cent(rest * percent / HUNDRED) + copay)
        if self.out_of_pocket_left is not None:
            share = min(share, self.out_of_pocket_left)
            self.out_of_pocket_left -= share
        deductible = min(deductible, share)
        self.deductible_left -= deductible
        return deductible, share


def estimate_course(
    visits: Sequence[tuple[date, Decimal]],
    primary: Benefit | None,
    secondary: Benefit | None = None,
) -> CourseEstimate:
    """Estimate each visit's split between the payers and the patient, in date order.

    ``visits`` are ``(date, allowed amount)``. Without a primary benefit the patient owes
    everything (self-pay). A Medicare Part B primary pays 80% of what is left after the
    deductible, less the 2% sequestration; the sequestered amount is the provider's loss,
    not the patient's. Amounts are rounded half-up to the cent. Raises ValueError for a
    negative amount or percentage.
    """
    for benefit in (primary, secondary):
        if benefit is not None:
            _check_benefit(benefit)
    ordered = sorted(visits, key=lambda v: v[0])
    if not ordered:
        return CourseEstimate(())
    first = ordered[0][0]
    one = _Tracker.start(primary, first) if primary else None
    two = _Tracker.start(secondary, first) if secondary and primary else None
    return CourseEstimate(tuple(_visit(on, _money(a, "allowed"), one, two) for on, a in ordered))


def _visit(on: date, allowed: Decimal, one: _Tracker | None, two: _Tracker | None) -> VisitEstimate:
    if one is None:
        return VisitEstimate(on, allowed, ZERO, ZERO, allowed)
    one.enter(on)
    deductible, share = one.share(allowed)
    primary_pays = allowed - share
    if one.benefit.medicare_part_b:
        primary_pays = _cent((allowed - deductible) * MEDICARE_SHARE * SEQUESTRATION_KEPT)
    if two is None:
        return VisitEstimate(on, allowed, primary_pays, ZERO, share)
    two.enter(on)
    kept = ZERO if two.benefit.covers_primary_deductible else deductible
    _, second_share = two.share(share - kept)
    secondary_pays = share - kept - second_share
    return VisitEstimate(on, allowed, primary_pays, secondary_pays, kept + second_share)


def _check_benefit(b: Benefit) -> None:
    for name in ("deductible", "deductible_met", "out_of_pocket_met", "copay"):
        _money(getattr(b, name), name)
    if b.out_of_pocket_max is not None:
        _money(b.out_of_pocket_max, "out_of_pocket_max")
    percent = _money(b.coinsurance_percent, "coinsurance_percent")
    if percent > HUNDRED:
        raise ValueError(f"coinsurance {percent}% must be between 0 and 100")


def _money(value: Decimal, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal amount")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} {value} must not be negative")
    return amount


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def medicare_part_b_benefit(year: int, deductible_met: Decimal = ZERO) -> Benefit:
    """Original Medicare Part B for ``year``; ValueError for a year whose deductible we lack."""
    try:
        deductible = MEDICARE_PART_B_DEDUCTIBLE[year]
    except KeyError:
        raise ValueError(f"the Part B deductible for {year} is not in Chairside's table") from None
    return Benefit(
        deductible=deductible, deductible_met=deductible_met, medicare_part_b=True, plan_year=year
    )


def assistance_advice(
    payer_kind: str | None,
    patient_owes: Decimal,
    threshold: Decimal = DEFAULT_ASSISTANCE_THRESHOLD,
) -> str:
    """Which assistance to seek when the patient's estimated share reaches ``threshold``.

    Empty when the share is below it. ``payer_kind`` is the primary payer's kind
    (``commercial``, ``medicare_b``, ``medicare_advantage``, ``medicaid``, ``tricare``,
    ``self_pay``) or None without coverage.
    """
    if _money(patient_owes, "patient_owes") < threshold:
        return ""
    if payer_kind in GOVERNMENT_PAYERS:
        return (
            "Apply to an independent charitable foundation: manufacturer copay cards cannot "
            "be used with Medicare, Medicaid or TRICARE."
        )
    if payer_kind == "commercial":
        return "Enroll the patient in the manufacturer's copay program."
    return "Apply to the manufacturer's patient assistance (free drug) program or a foundation."
