"""What a payer is expected to pay for each claim line, and what the patient owes.

Contract terms per payer (what the center negotiated, or Medicare's own rules):

* drugs: a percent of the CMS ASP payment limit (the quarterly file's "Payment Limit",
  itself 106% of ASP for most drugs, 42 CFR 414.904), a percent of WAC (the wholesale
  acquisition cost per billing unit), or a fixed rate per billing unit; per HCPCS code
  overrides of the payer's default;
* administration: a fee per CPT unit.

Medicare Part B (original Medicare) pays 80% of the allowed amount less the 2% sequestration
and the patient owes 20% (``rules.billing.payment.medicare_part_b``; the same 80/20 split applies
to the drug administration services under the physician fee schedule, SSA 1833(a)(1)).
Other payers: the patient's coinsurance percent of the allowed amount, the payer the rest
(deductibles and copays are not modelled: they depend on the patient's year to date).
A secondary payer pays its covered percent of what the primary left to the patient
(a Medigap plan G covers the Part B coinsurance in full).
Every amount is rounded once, half-up, to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from chairside.rules.billing.payment import medicare_part_b

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
BASES = frozenset({"asp", "wac", "fixed"})


@dataclass(frozen=True)
class DrugTerms:
    """``basis`` "asp" or "wac" with ``percent`` (e.g. 106), or "fixed" with ``rate``."""

    basis: str
    percent: Decimal = HUNDRED
    rate: Decimal | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"drug payment basis {self.basis!r} must be asp, wac or fixed")
        if self.basis == "fixed" and (self.rate is None or self.rate < 0):
            raise ValueError("a fixed drug rate needs a rate per unit of at least 0")
        if self.basis != "fixed" and self.percent < 0:
            raise ValueError("a percent of ASP or WAC must not be negative")


@dataclass(frozen=True)
class ContractTerms:
    payer_kind: str
    drug_default: DrugTerms = field(default_factory=lambda: DrugTerms("asp"))
    drug_overrides: Mapping[str, DrugTerms] = field(default_factory=dict)
    admin_fees: Mapping[str, Decimal] = field(default_factory=dict)
    patient_share_percent: Decimal = Decimal(20)
    secondary_covers_percent: Decimal = HUNDRED

    @property
    def is_original_medicare(self) -> bool:
        return self.payer_kind == "medicare_b"


@dataclass(frozen=True)
class Expected:
    """Allowed amount and its split; ``allowed - payer - patient`` is what nobody pays
    (Medicare's 2% sequestration)."""

    allowed: Decimal
    payer: Decimal
    patient: Decimal

    def __add__(self, other: Expected) -> Expected:
        return Expected(
            self.allowed + other.allowed, self.payer + other.payer, self.patient + other.patient
        )


ZERO = Expected(Decimal(0), Decimal(0), Decimal(0))


def expected_line(
    terms: ContractTerms,
    *,
    kind: str,
    code: str,
    units: int,
    asp_limit: Decimal | None = None,
    wac: Decimal | None = None,
) -> Expected | None:
    """The expected payment for one line, or None when the price it needs is not on file.

    ``kind`` is "drug" or "administration"; ``asp_limit`` and ``wac`` are per billing unit.
    """
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise ValueError(f"units {units!r} must be a whole number >= 0")
    per_unit = _price_per_unit(terms, kind, code, asp_limit, wac)
    if per_unit is None:
        return None
    if terms.is_original_medicare:
        part_b = medicare_part_b(per_unit, units)
        return Expected(part_b.allowed, part_b.medicare_payment, part_b.patient_coinsurance)
    allowed = _cent(per_unit * units)
    patient = _cent(allowed * terms.patient_share_percent / HUNDRED)
    return Expected(allowed, allowed - patient, patient)


def _price_per_unit(
    terms: ContractTerms, kind: str, code: str, asp_limit: Decimal | None, wac: Decimal | None
) -> Decimal | None:
    if kind == "administration":
        return terms.admin_fees.get(code)
    if kind != "drug":
        raise ValueError(f"line kind {kind!r} must be drug or administration")
    drug = terms.drug_overrides.get(code, terms.drug_default)
    if terms.is_original_medicare and code not in terms.drug_overrides:
        drug = DrugTerms("asp")  # Medicare pays the published payment limit
    if drug.basis == "fixed":
        return drug.rate
    base = asp_limit if drug.basis == "asp" else wac
    if base is None:
        return None
    return base * drug.percent / HUNDRED


def secondary_share(primary: Expected, secondary: ContractTerms | None) -> Expected:
    """What a secondary payer is expected to pay of the primary's patient share.

    Returns ``Expected(allowed=primary's patient share, payer=secondary pays, patient=rest)``.
    """
    if secondary is None:
        return Expected(primary.patient, Decimal(0), primary.patient)
    pays = _cent(primary.patient * secondary.secondary_covers_percent / HUNDRED)
    pays = min(pays, primary.patient)
    return Expected(primary.patient, pays, primary.patient - pays)


def _cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
