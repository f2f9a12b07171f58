"""The contract path ``chairside.rules.vials`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.inventory.vials`, where the code is. New code imports from there."""

from chairside.rules.inventory.vials import (
    choose_vials,
)

__all__ = [
    "choose_vials",
]
