"""What a patient-assistance program pays of the patient's share.

Three kinds of help exist for infusion drugs:

* **Manufacturer copay programs** pay the commercially insured patient's share up to an
  annual maximum. They cannot be used by patients of federal health care programs
  (Medicare, Medicaid, TRICARE): a manufacturer's payment there is remuneration under the
  federal anti-kickback statute, 42 U.S.C. §1320a-7b(b) (HHS-OIG Special Advisory Bulletin
  "Pharmaceutical Manufacturer Copayment Coupons", September 2014).
* **Independent charitable foundations** give grants that may be used with Medicare
  (HHS-OIG Supplemental Special Advisory Bulletin "Independent Charity Patient Assistance
  Programs", May 2014), up to the grant's remaining balance.
* **Free-drug (replacement) programs** give the drug itself; replacement drug is never billed
  to anyone, so there is no drug share to pay — the estimate counts the drug at zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

FEDERAL_PAYERS = frozenset({"medicare_b", "medicare_advantage", "medicaid", "tricare"})
CENT = Decimal("0.01")


class ProgramKind(StrEnum):
    COPAY = "copay"
    FOUNDATION = "foundation"
    FREE_DRUG = "free_drug"


@dataclass(frozen=True)
class ProgramShare:
    pays: Decimal
    patient_still_owes: Decimal
    note: str


def remaining_balance(cap: Decimal | None, used: Decimal) -> Decimal | None:
    """What is left of an annual cap (None: the program states no cap); never negative."""
    if cap is None:
        return None
    return max(cap - used, Decimal(0)).quantize(CENT)


def program_pays(
    kind: ProgramKind | str,
    *,
    payer_kind: str | None,
    patient_owes: Decimal,
    remaining: Decimal | None,
) -> ProgramShare:
    """How much of ``patient_owes`` the program pays, and why, for an estimate or a claim."""
    kind = ProgramKind(kind)
    owes = max(patient_owes, Decimal(0)).quantize(CENT)
    if kind is ProgramKind.FREE_DRUG:
        return ProgramShare(
            Decimal(0), owes, "Free drug: the replacement drug is not billed; no drug share."
        )
    if kind is ProgramKind.COPAY and payer_kind in FEDERAL_PAYERS:
        return ProgramShare(
            Decimal(0),
            owes,
            "A manufacturer copay program cannot be used with Medicare, Medicaid or TRICARE "
            "(anti-kickback statute); look for an independent foundation instead.",
        )
    pays = owes if remaining is None else min(owes, remaining)
    note = "Covered up to the program's remaining balance." if remaining is not None else ""
    return ProgramShare(pays.quantize(CENT), (owes - pays).quantize(CENT), note)
