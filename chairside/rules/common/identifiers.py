"""Placeholder identifiers: numbers that have the right shape but name no one.

A claim whose billing provider's tax ID is ``000000000`` or whose NPI is the check-digit
document's example passes a format check and is rejected by the payer (or, worse, pays the
wrong entity). These checks catch the usual stand-ins typed during set-up.

* EIN: 9 digits ``XX-XXXXXXX`` (26 CFR 301.6109-1). The first two digits are the prefix of
  the IRS campus or channel that assigned it; the IRS lists the valid prefixes ("How EINs
  are assigned and valid EIN prefixes": 01–06, 10–16, 20–27, 30–39, 40–48, 50–59, 60–68,
  71–77, 80–88, 90–95, 98, 99), so any other prefix was never assigned.
* NPI: 10 digits with a Luhn check digit (``rules.common.npi``); CMS issues NPIs beginning with 1
  or 2 (CMS, "Requirements for NPI and NPI Enumeration", check-digit section, whose worked
  example 123456789 → 1234567893 is a classic placeholder).
* Both: one digit repeated, or the runs 123456789 / 987654321.
"""

from __future__ import annotations

from chairside.rules.common.npi import is_valid_npi

_EIN_PREFIXES: frozenset[str] = frozenset(
    f"{n:02d}"
    for n in [
        *range(1, 7),
        *range(10, 17),
        *range(20, 28),
        *range(30, 40),
        *range(40, 49),
        *range(50, 60),
        *range(60, 69),
        *range(71, 78),
        *range(80, 89),
        *range(90, 96),
        98,
        99,
    ]
)
_RUNS = ("123456789", "987654321")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _stand_in(digits: str) -> bool:
    """One digit repeated, or a run of consecutive digits."""
    return len(set(digits)) == 1 or digits in _RUNS


def ein_problem(ein: str) -> str | None:
    """Why ``ein`` cannot be a real employer identification number, or None if it can be.

    Hyphens and surrounding spaces are ignored (``12-3456789``).
    """
    digits = ein.replace("-", "").strip()
    if len(digits) != 9 or not _digits(digits):
        return "must be a 9-digit EIN"
    if _stand_in(digits):
        return f"{digits} is a placeholder, not an EIN"
    if digits[:2] not in _EIN_PREFIXES:
        return f"{digits} begins with {digits[:2]}, a prefix the IRS never assigns"
    return None


def npi_problem(npi: str) -> str | None:
    """Why ``npi`` cannot be a real NPI (bad check digit, or a placeholder), or None."""
    text = npi.strip()
    if not is_valid_npi(text):
        return "is not valid (check digit)"
    body = text[:9]
    if text[0] not in "12":
        return "does not begin with 1 or 2, as every NPI CMS issues does"
    if _stand_in(body) or set(body[1:]) == {"0"}:
        return "is a placeholder, not an assigned NPI"
    return None
