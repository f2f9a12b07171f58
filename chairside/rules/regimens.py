"""The contract path ``chairside.rules.regimens`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.clinical.regimens`, where the code is. New code imports from there."""

from chairside.rules.clinical.regimens import (
    MAX_WEIGHT_KG,
    DoseRule,
    Regimen,
    WeightBand,
    bands_from_data,
    bands_to_data,
    check_regimen,
    describe_band,
    dose_dates,
    dose_mg,
    doses_between,
    earliest_next_dose,
    weight_band_index,
)

__all__ = [
    "DoseRule",
    "MAX_WEIGHT_KG",
    "Regimen",
    "WeightBand",
    "bands_from_data",
    "bands_to_data",
    "check_regimen",
    "describe_band",
    "dose_dates",
    "dose_mg",
    "doses_between",
    "earliest_next_dose",
    "weight_band_index",
]
