"""Chair-side visit models, re-exported: import them from ``chairside.treatments.models``."""

from __future__ import annotations

from chairside.treatments.models.clinical import (
    Administration,
    Interruption,
    Preparation,
    PreparationVial,
    RateStep,
    Reaction,
    Vitals,
)
from chairside.treatments.models.report import VisitReport
from chairside.treatments.models.verification import (
    DoseVerification,
    EarlyPreparation,
    PreparedNotGiven,
)
from chairside.treatments.models.visit import Addendum, Consent, Visit, VisitAlert

__all__ = [
    "Addendum",
    "Administration",
    "Consent",
    "DoseVerification",
    "EarlyPreparation",
    "Interruption",
    "Preparation",
    "PreparationVial",
    "PreparedNotGiven",
    "RateStep",
    "Reaction",
    "Visit",
    "VisitAlert",
    "VisitReport",
    "Vitals",
]
