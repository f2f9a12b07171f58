"""The contract path ``chairside.rules.payment`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.billing.payment`, where the code is. New code imports from there."""

from chairside.rules.billing.payment import (
    CENT,
    MEDICARE_SHARE,
    PATIENT_SHARE,
    SEQUESTRATION_KEPT,
    PartBPayment,
    medicare_part_b,
)

__all__ = [
    "CENT",
    "MEDICARE_SHARE",
    "PATIENT_SHARE",
    "PartBPayment",
    "SEQUESTRATION_KEPT",
    "medicare_part_b",
]
