"""Billing units for a drug from single-dose containers, with the JW and JZ modifiers.

The rules, and where they come from:

* Units are the administered amount divided by the dose in the HCPCS descriptor, rounded
  *up* when the dose is not a multiple of it. CMS Medicare Claims Processing Manual
  (Pub. 100-04) ch. 17 §70; restated in CGS "Billing and Coding: JW and JZ Modifier
  Guidelines" (2023): "If dosage given is not a multiple of the number provided in the HCPCS
  code description, the provider is to round up to the nearest whole number".
* The discarded remainder of a single-dose container is billed on a *separate line* with
  modifier JW; the administered line carries no modifier. CMS Pub. 100-04 ch. 17 §40 and
  the CMS "Discarded Drugs and Biologicals - JW Modifier and JZ Modifier Policy FAQs";
  Noridian JE Part A "Drug Wastage - JW and JZ Modifiers" (infliximab J1745, 350 mg given
  from 4 x 100 mg vials: ``J1745 x 35`` and ``J1745-JW x 5``).
* When nothing billable was discarded the single administered line carries JZ, required
  for dates of service from July 1, 2023 (CY 2023 PFS final rule, 87 FR 69718; CMS
  JW/JZ FAQs; Noridian JE: ``J1745-JZ x 40`` when the whole 400 mg is given).
* The administered amount is rounded up and the discarded amount rounded *down*, so the
  claim never bills more drug than the opened containers held beyond what the rounding of
  the dose itself requires ("always round up the amount administered to the next billing
  unit and round down the amount of drug discarded", ACR, The Rheumatologist, "Key Facts
  on Billing Drug Wastage", 2023, whose example is 77 mg given from a 100 mg vial at 10 mg
  a unit: 8 units administered, and the 23 mg left over is 2 JW units, not 3).
* When the rounded-up administered units already cover the discarded drug, there is no
  JW line and the administered line takes JZ: "When the HCPCS code UOS is equal to or
  greater than the total of the actual dose and the amount discarded, use of the JW
  modifier is not permitted" (Noridian JD DME "Modifier JZ", quoting the CMS FAQ: 70 mg
  given from a 100 mg vial billed per 100 mg is 1 unit with JZ, not 1 + 1 JW).

So the JW units are the opened amount less the *billed* administered amount (units x
unit size), in whole units rounded down. Where the container holds a whole number of
billing units (nearly every product) this equals rounding the discarded milligrams down;
where it does not (romiplostim J2796, 10 mcg units, 125 mcg vial) it keeps administered +
JW units within the labelled amount, the limit CMS pays discarded drug up to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A Level II HCPCS code is a letter and four digits (J1745); a CPT code five digits (90677).
# ASCII classes on purpose: "\d" would accept other scripts' digits.
_HCPCS = re.compile(r"[A-Z][0-9]{4}|[0-9]{5}")

JW = "JW"  # drug amount discarded/not administered to any patient
JZ = "JZ"  # zero drug amount discarded/not administered to any patient


@dataclass(frozen=True)
class DrugLine:
    """One claim line for a drug: the HCPCS code, its billing units and the modifier.

    ``modifier`` is ``None`` on the administered line when a JW line follows it, ``"JW"`` on
    the discarded line and ``"JZ"`` on the only line when nothing billable was discarded.
    """

    hcpcs: str
    units: int
    modifier: str | None


def drug_billing_lines(
    hcpcs: str, unit_mg: Decimal, dose_mg: Decimal, opened_mg: Decimal
) -> list[DrugLine]:
    """Return the claim lines for a dose drawn from single-dose containers.

    ``unit_mg`` is the amount in the HCPCS descriptor (10 for "infliximab, 10 mg"),
    ``dose_mg`` the amount administered and ``opened_mg`` the labelled amount of all the
    containers opened for it. The result is ``[administered (no modifier), discarded
    (JW)]`` when at least one whole billing unit was discarded beyond the rounding of the
    dose, else ``[administered (JZ)]``. The code is returned in upper case.

    Raises ValueError for a malformed code, a non-positive unit or dose, or less drug
    opened than administered.
    """
    code = _normalized_hcpcs(hcpcs)
    unit = _amount("unit_mg", unit_mg)
    dose = _amount("dose_mg", dose_mg)
    opened = _amount("opened_mg", opened_mg)
    if unit <= 0:
        raise ValueError(f"unit_mg must be positive, got {unit}")
    if dose <= 0:
        raise ValueError(f"dose_mg must be positive, got {dose}")
    if opened < dose:
        raise ValueError(f"opened_mg ({opened}) is less than dose_mg ({dose})")
    administered = _units_rounded_up(dose, unit)
    discarded = _discarded_units(opened, administered, unit)
    if discarded == 0:
        return [DrugLine(code, administered, JZ)]
    return [DrugLine(code, administered, None), DrugLine(code, discarded, JW)]


def _normalized_hcpcs(hcpcs: str) -> str:
    if not isinstance(hcpcs, str):
        raise ValueError(f"HCPCS code must be a string, not {type(hcpcs).__name__}")
    code = hcpcs.strip().upper()
    if not code:
        raise ValueError("HCPCS code is empty")
    if not _HCPCS.fullmatch(code):
        raise ValueError(
            f"HCPCS code {hcpcs!r} must be a letter and four digits (J1745) or five digits"
        )
    return code


def _amount(name: str, value: Decimal) -> Decimal:
    # bool is an int subclass; True mg is a bug, not a dose.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise ValueError(f"{name} must be a Decimal, not {type(value).__name__}")
    # str() keeps a float's shortest repr (0.1 -> "0.1") instead of its binary expansion.
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    return amount


def _units_rounded_up(amount: Decimal, unit: Decimal) -> int:
    # Decimal // and % are exact (no rounding of the quotient), unlike amount / unit.
    whole, rest = divmod(amount, unit)
    return int(whole) + (1 if rest > 0 else 0)


def _discarded_units(opened: Decimal, administered_units: int, unit: Decimal) -> int:
    # What the administered line already bills of the opened drug is not discarded again.
    left_unbilled = opened - administered_units * unit
    if left_unbilled <= 0:
        return 0
    return int(left_unbilled // unit)
