"""Chair-side visit models, re-exported: import them from ``chairside.treatments.models``."""

from __future__ import annotations

from chairside.treatments.models.clinical import (
    Administration,
    Interruption,
    Preparation,
    PreparationVial,
    RateStep,
    Reaction,
    ReactionRecord,
    VitalReadings,
    Vitals,
    ctcae_grade_constraint,
    vitals_bounds,
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
    "ReactionRecord",
    "Visit",
    "VisitAlert",
    "VisitReport",
    "VitalReadings",
    "Vitals",
    "ctcae_grade_constraint",
    "vitals_bounds",
]
