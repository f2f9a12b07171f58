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
Medicare and most plans); a visit in a later year starts again from zero, against that
year's deductible: Original Medicare's is the amount CMS set for the year (the table
below; a year CMS has not published yet uses the latest known amount, an assumption the
estimate page states).
- Inflation-rebate coinsurance: for a Part B rebatable drug whose price rose faster than
  inflation, the beneficiary's coinsurance for the quarter is reduced below 20% (Social
  Security Act §1847A(i)(5), added by the Inflation Reduction Act §11101); CMS publishes
  the percentage in the quarterly ASP file's "Co-insurance Percentage" column. It applies
  to the drug's allowed amount only, for the quarters the file covers (:class:`CourseVisit`).
- Qualified Medicare Beneficiaries (QMB) owe no Medicare Part A/B cost sharing and
  providers may not bill them for it (Social Security Act §1902(n)(3)(B); CMS MLN
  "Prohibition on Billing Dually Eligible Individuals Enrolled in the Qualified Medicare
  Beneficiary Program", MLN006977): the estimate shows them owing nothing
  (``Benefit.qualified_medicare_beneficiary``).
- Units include discarded drug: a single-dose vial's billable remainder is billed on its
  own JW line and paid (CMS Pub. 100-04 ch. 17 §40), so coinsurance falls on it too
  (:func:`billed_units`).

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

from chairside.rules.billing.drug_units import drug_billing_lines
from chairside.rules.billing.payment import PATIENT_SHARE, SEQUESTRATION_KEPT
from chairside.rules.inventory.vials import choose_vials

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
    qualified_medicare_beneficiary: bool = False


@dataclass(frozen=True)
class CourseVisit:
    """One visit of the course: its allowed amount, and the part of it that is the drug
    with the quarter's inflation-rebate coinsurance from the ASP file (None: 20%)."""

    on: date
    allowed: Decimal
    drug_allowed: Decimal = ZERO
    drug_coinsurance_percent: Decimal | None = None


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
            if self.benefit.medicare_part_b:
                self.deductible_left = part_b_deductible(on.year)

    def share(self, amount: Decimal, visit: CourseVisit | None = None) -> tuple[Decimal, Decimal]:
        """(deductible part, patient's total share) of ``amount`` under this benefit."""
        b = self.benefit
        deductible = min(amount, self.deductible_left)
        rest = amount - deductible
        if b.medicare_part_b:
            coinsurance = _part_b_coinsurance(rest, amount, visit)
        else:
            coinsurance = _cent(rest * b.coinsurance_percent / HUNDRED)
        copay = ZERO if b.medicare_part_b else b.copay
        share = min(amount, deductible + coinsurance + copay)
        if self.out_of_pocket_left is not None:
            share = min(share, self.out_of_pocket_left)
            self.out_of_pocket_left -= share
        deductible = min(deductible, share)
        self.deductible_left -= deductible
        return deductible, share


def estimate_course(
    visits: Sequence[tuple[date, Decimal] | CourseVisit],
    primary: Benefit | None,
    secondary: Benefit | None = None,
) -> CourseEstimate:
    """Estimate each visit's split between the payers and the patient, in date order.

    ``visits`` are ``(date, allowed amount)`` or :class:`CourseVisit` (with the drug's part
    and its quarter's inflation-rebate coinsurance). Without a primary benefit the patient
    owes everything (self-pay). A Medicare Part B primary pays what is left after the
    deductible and the coinsurance (20%, or the ASP file's reduced percentage on the drug),
    less the 2% sequestration; the sequestered amount is the provider's loss, not the
    patient's. A Qualified Medicare Beneficiary owes nothing. Amounts are rounded half-up to
    the cent. Raises ValueError for a negative amount or percentage.
    """
    for benefit in (primary, secondary):
        if benefit is not None:
            _check_benefit(benefit)
    ordered = sorted((_course_visit(v) for v in visits), key=lambda v: v.on)
    if not ordered:
        return CourseEstimate(())
    first = ordered[0].on
    one = _Tracker.start(primary, first) if primary else None
    two = _Tracker.start(secondary, first) if secondary and primary else None
    return CourseEstimate(tuple(_visit(v, one, two) for v in ordered))


def _course_visit(visit: tuple[date, Decimal] | CourseVisit) -> CourseVisit:
    if isinstance(visit, CourseVisit):
        allowed = _money(visit.allowed, "allowed")
        drug = _money(visit.drug_allowed, "drug_allowed")
        if drug > allowed:
            raise ValueError(f"the drug's allowed {drug} is more than the visit's {allowed}")
        if visit.drug_coinsurance_percent is not None:
            percent = _money(visit.drug_coinsurance_percent, "drug_coinsurance_percent")
            if percent > HUNDRED:
                raise ValueError(f"coinsurance {percent}% must be between 0 and 100")
        return visit
    on, allowed = visit
    return CourseVisit(on, _money(allowed, "allowed"))


def _visit(visit: CourseVisit, one: _Tracker | None, two: _Tracker | None) -> VisitEstimate:
    on, allowed = visit.on, visit.allowed
    if one is None:
        return VisitEstimate(on, allowed, ZERO, ZERO, allowed)
    one.enter(on)
    deductible, share = one.share(allowed, visit)
    primary_pays = allowed - share
    if one.benefit.medicare_part_b:
        primary_pays = _cent((allowed - share) * SEQUESTRATION_KEPT)
    if one.benefit.qualified_medicare_beneficiary:
        # The provider may not bill a QMB the Medicare cost sharing (SSA §1902(n)(3)(B)).
        covered = share if two is not None else ZERO
        return VisitEstimate(on, allowed, primary_pays, covered, ZERO)
    if two is None:
        return VisitEstimate(on, allowed, primary_pays, ZERO, share)
    two.enter(on)
    kept = ZERO if two.benefit.covers_primary_deductible else deductible
    _, second_share = two.share(share - kept)
    secondary_pays = share - kept - second_share
    return VisitEstimate(on, allowed, primary_pays, secondary_pays, kept + second_share)


def _part_b_coinsurance(rest: Decimal, allowed: Decimal, visit: CourseVisit | None) -> Decimal:
    """20% of what is left after the deductible, the drug's part at the quarter's reduced
    percentage when the ASP file gives one (the deductible is spread pro rata)."""
    standard = PATIENT_SHARE * HUNDRED
    if visit is None or visit.drug_coinsurance_percent is None or allowed <= 0:
        return _cent(rest * standard / HUNDRED)
    drug_rest = rest * visit.drug_allowed / allowed
    other_rest = rest - drug_rest
    return _cent((drug_rest * visit.drug_coinsurance_percent + other_rest * standard) / HUNDRED)


def part_b_deductible(year: int) -> Decimal:
    """The Part B deductible CMS set for ``year``; for a year not published yet, the latest
    known amount (an estimate's assumption, never presented as the year's figure)."""
    known = MEDICARE_PART_B_DEDUCTIBLE.get(year)
    if known is not None:
        return known
    earlier = [y for y in MEDICARE_PART_B_DEDUCTIBLE if y <= year]
    if not earlier:
        raise ValueError(f"the Part B deductible for {year} is not in Chairside's table")
    return MEDICARE_PART_B_DEDUCTIBLE[max(earlier)]


def billed_units(dose_mg: Decimal, unit_mg: Decimal, vial_sizes_mg: Sequence[Decimal]) -> int:
    """Billing units a dose is billed for from single-dose vials: the administered units
    plus the discarded (JW) units of the vials it opens (least waste; CMS Pub. 100-04
    ch. 17 §40/§70). Without vial sizes, the administered units only."""
    if not vial_sizes_mg:
        return drug_billing_lines("J0000", unit_mg, dose_mg, dose_mg)[0].units
    vials = choose_vials(dose_mg, list(vial_sizes_mg))
    opened = sum((size * count for size, count in vials.items()), Decimal(0))
    return sum(line.units for line in drug_billing_lines("J0000", unit_mg, dose_mg, opened))


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
    enrolled: frozenset[str] = frozenset(),
) -> str:
    """Which assistance to seek when the patient's estimated share reaches ``threshold``.

    Empty when the share is below it. ``payer_kind`` is the primary payer's kind
    (``commercial``, ``medicare_b``, ``medicare_advantage``, ``medicaid``, ``tricare``,
    ``self_pay``) or None without coverage. ``enrolled`` holds the kinds of program the
    patient is already enrolled in for this drug (``copay``, ``foundation``,
    ``free_drug``): a program already joined is never advised again, and what its cap
    leaves points to the next kind of help.
    """
    if _money(patient_owes, "patient_owes") < threshold:
        return ""
    if payer_kind in GOVERNMENT_PAYERS:
        return _government_advice(enrolled)
    if payer_kind == "commercial":
        return _commercial_advice(enrolled)
    if "free_drug" in enrolled:
        return "The free-drug program covers the drug; offer a payment plan for the rest."
    return "Apply to the manufacturer's patient assistance (free drug) program or a foundation."


def _government_advice(enrolled: frozenset[str]) -> str:
    if "foundation" in enrolled:
        return (
            "The foundation grant does not cover the whole share: ask the foundation for a "
            "renewal or apply to a second fund (copay cards cannot be used with Medicare, "
            "Medicaid or TRICARE)."
        )
    return (
        "Apply to an independent charitable foundation: manufacturer copay cards cannot "
        "be used with Medicare, Medicaid or TRICARE."
    )


def _commercial_advice(enrolled: frozenset[str]) -> str:
    if "copay" not in enrolled:
        return "Enroll the patient in the manufacturer's copay program."
    if "foundation" not in enrolled:
        return (
            "The copay program's yearly cap leaves a share: apply to a charitable "
            "foundation for the rest."
        )
    return "Programs joined do not cover the whole share: offer a payment plan."
