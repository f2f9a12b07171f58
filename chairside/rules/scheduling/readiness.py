"""Is an appointment ready to treat? One status from the checks of every input.

A treatment happens only when the right patient has a valid signed order, the payer's
authorization covers the day, the benefits are verified for the plan year, the labs and the
consent are current, the drug is reserved for it from stock (vials of specific lots set
aside), a competent nurse is assigned and, where the site requires it, a supervising
provider is on site (issue 16; Seed 000's "keep patients on schedule, authorizations
updated, inventory in stock").

Each check gives a finding: ``blocking`` ones make the appointment *not ready* (the dose
cannot be given as things stand); ``risk`` ones make it *at risk* (it can still be put right
on the day, e.g. the patient has not confirmed, or the consent is signed at check-in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    READY = "ready"
    AT_RISK = "at_risk"
    NOT_READY = "not_ready"


LABELS = {Level.READY: "Ready", Level.AT_RISK: "At risk", Level.NOT_READY: "Not ready"}

# Checks in the order a coordinator works them.
CHECKS = {
    "order": "Signed, active order",
    "authorization": "Authorization",
    "benefits": "Benefits verified",
    "labs": "Labs current",
    "consent": "Consent",
    "stock": "Drug reserved",
    "nurse": "Nurse assigned",
    "supervision": "Provider on site",
    "confirmed": "Patient confirmed",
}


@dataclass(frozen=True)
class Finding:
    check: str
    blocking: bool
    message: str

    @property
    def label(self) -> str:
        return CHECKS.get(self.check, self.check)


def level(findings: Iterable[Finding]) -> Level:
    """Not ready if anything blocks, at risk if anything is left, else ready."""
    found = list(findings)
    if any(f.blocking for f in found):
        return Level.NOT_READY
    return Level.AT_RISK if found else Level.READY


def plan_year_problem(plan_year: int | None, on_year: int) -> str | None:
    """Benefits are re-verified for each plan year (each January for calendar-year plans)."""
    if plan_year is None or plan_year == on_year:
        return None
    return f"Benefits were verified for {plan_year}; re-verify them for {on_year}."
