"""What Medicare Part B pays for a separately payable drug, and what the patient owes.

Sources:
- 42 CFR 414.904 and Social Security Act section 1847A: the payment limit for most Part B
  drugs is 106% of the average sales price (ASP + 6%) per HCPCS billing unit, published
  quarterly by CMS in the ASP pricing files; that limit is the allowed amount per unit.
- Social Security Act section 1833(a)(1)(S): Medicare pays 80% of the allowed amount for a
  drug paid under 1847A and the beneficiary owes 20% coinsurance once the Part B deductible
  is met. Not modelled here: since April 2023 the Inflation Reduction Act lowers the
  coinsurance of "Part B rebatable drugs" whose price outran inflation (SSA 1847A(i)(5);
  CMS publishes the adjusted coinsurance quarterly); callers must not use this for those.
- Mandatory payment reduction ("sequestration"), Budget Control Act of 2011 section 251A
  as extended by later laws: 2% off the Medicare payment (CMS MLN Matters on the 2%
  payment adjustment). The reduction is not passed to the patient, so Medicare's payment
  plus the coinsurance is 1.6% short of the allowed amount: the provider absorbs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import MAX_PREC, ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
MEDICARE_SHARE = Decimal("0.80")  # SSA 1833(a)(1)(S)
PATIENT_SHARE = Decimal("0.20")  # SSA 1833(a)(1)(S): coinsurance, deductible met
SEQUESTRATION_KEPT = Decimal("0.98")  # 2% mandatory payment reduction


@dataclass(frozen=True)
class PartBPayment:
    """Amounts for one drug line, each rounded half-up to the cent."""

    allowed: Decimal
    medicare_payment: Decimal
    patient_coinsurance: Decimal


def medicare_part_b(payment_limit_per_unit: Decimal, units: int) -> PartBPayment:
    """Return the allowed amount, Medicare's payment and the patient's coinsurance.

    allowed = limit x units, rounded half-up to the cent; Medicare pays allowed x 0.80 x 0.98
    (rounded once); the patient owes allowed x 0.20. Example: limit 10.000 x 100 units gives
    1000.00, 784.00 and 200.00. Raises ValueError for a negative or non-Decimal limit, or
    units that are not a whole number >= 0.
    """
    limit = _limit(payment_limit_per_unit)
    if isinstance(units, bool) or not isinstance(units, int):
        raise ValueError(f"units {units!r} must be a whole number of HCPCS billing units")
    if units < 0:
        raise ValueError(f"units {units} must not be negative")
    allowed = _to_cent(limit, Decimal(units))
    return PartBPayment(
        allowed=allowed,
        # Multiplying the shares before rounding rounds once, as the reduction is applied to
        # the payment amount, not to a separately rounded 80% figure.
        medicare_payment=_to_cent(allowed, MEDICARE_SHARE, SEQUESTRATION_KEPT),
        patient_coinsurance=_to_cent(allowed, PATIENT_SHARE),
    )


def _limit(value: Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValueError(f"payment limit {value!r} must be a Decimal amount of dollars")
    limit = Decimal(value)
    if not limit.is_finite() or limit < 0:
        raise ValueError(f"payment limit {value} per unit must not be negative")
    return limit


def _to_cent(*factors: Decimal) -> Decimal:
    """Multiply exactly, then round half-up to the cent: the only rounding step."""
    with localcontext() as ctx:
        # Products of finite Decimals are exact at this precision (no division is done).
        ctx.prec = MAX_PREC
        return math.prod(factors, start=Decimal(1)).quantize(CENT, rounding=ROUND_HALF_UP)
