"""The contract path ``chairside.rules.ndc`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.inventory.ndc`, where the code is. New code imports from there."""

from chairside.rules.inventory.ndc import (
    UNIT_QUALIFIERS,
    claim_ndc,
    format_ndc11,
    to_ndc11,
)

__all__ = [
    "UNIT_QUALIFIERS",
    "claim_ndc",
    "format_ndc11",
    "to_ndc11",
]
