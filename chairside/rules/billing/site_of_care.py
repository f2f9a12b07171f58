"""Site of care: what one course of treatment costs the payer and the patient, by site.

The same drug given in a physician office (place of service 11) is paid under the physician
fee schedule with no facility fee; in a hospital outpatient department (place of service
19/22) the hospital also bills a facility charge under the outpatient prospective payment
system, and the patient's coinsurance applies to that too. Every fee is an input: real
amounts depend on the payer, the locality and the year, so the planner's defaults are
illustrative (demo) figures, never real prices.

Patient cost sharing, stated: the deductible still unmet is paid first, then coinsurance on
the rest of the allowed amount, up to an optional out-of-pocket maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SiteFees:
    """Allowed amounts for one treatment at one site."""

    site: str
    drug: Decimal
    administration: Decimal
    facility: Decimal = Decimal(0)


@dataclass(frozen=True)
class CostSharing:
    coinsurance: Decimal  # fraction the patient owes after the deductible, e.g. 0.20
    deductible_remaining: Decimal = Decimal(0)
    out_of_pocket_max: Decimal | None = None


@dataclass(frozen=True)
class CourseCost:
    site: str
    treatments: int
    allowed: Decimal
    payer_pays: Decimal
    patient_pays: Decimal


def course_cost(fees: SiteFees, treatments: int, sharing: CostSharing) -> CourseCost:
    """Split the allowed amount of ``treatments`` treatments between payer and patient.

    Raises ValueError for negative fees or counts, or coinsurance outside 0-1.
    """
    if isinstance(treatments, bool) or not isinstance(treatments, int) or treatments < 0:
        raise ValueError(f"treatments {treatments!r} must be a whole number, not negative")
    per_treatment = sum(
        (
            _money(fees.drug, f"{fees.site}: drug"),
            _money(fees.administration, f"{fees.site}: administration"),
            _money(fees.facility, f"{fees.site}: facility fee"),
        ),
        Decimal(0),
    )
    allowed = _cent(per_treatment * treatments)
    coinsurance = _money(sharing.coinsurance, "coinsurance")
    if coinsurance > 1:
        raise ValueError(f"coinsurance {coinsurance} is a fraction and must be at most 1")
    deductible = min(_money(sharing.deductible_remaining, "deductible remaining"), allowed)
    patient = deductible + _cent((allowed - deductible) * coinsurance)
    if sharing.out_of_pocket_max is not None:
        patient = min(patient, _money(sharing.out_of_pocket_max, "out-of-pocket maximum"))
    return CourseCost(fees.site, treatments, allowed, allowed - patient, patient)


def compare_sites(sites: list[SiteFees], treatments: int, sharing: CostSharing) -> list[CourseCost]:
    """The same course at each site, in the order given (the first is the reference)."""
    if not sites:
        raise ValueError("name at least one site to compare")
    return [course_cost(fees, treatments, sharing) for fees in sites]


def _money(value: Decimal, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"{name} {value!r} must be a Decimal amount")
    result = Decimal(value)
    if not result.is_finite() or result < 0:
        raise ValueError(f"{name} {value} must be a finite amount, not negative")
    return result


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
