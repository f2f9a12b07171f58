"""The contract path ``chairside.rules.drug_units`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.billing.drug_units`, where the code is. New code imports from there."""

from chairside.rules.billing.drug_units import (
    JW,
    JZ,
    DrugLine,
    drug_billing_lines,
)

__all__ = [
    "DrugLine",
    "JW",
    "JZ",
    "drug_billing_lines",
]
