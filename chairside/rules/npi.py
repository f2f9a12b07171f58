"""The contract path ``chairside.rules.npi`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.common.npi`, where the code is. New code imports from there."""

from chairside.rules.common.npi import (
    is_valid_npi,
    npi_check_digit,
)

__all__ = [
    "is_valid_npi",
    "npi_check_digit",
]
