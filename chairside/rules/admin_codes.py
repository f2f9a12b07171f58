"""The contract path ``chairside.rules.admin_codes`` (shared/ARCHITECTURE.md): re-exports
:mod:`chairside.rules.billing.admin_codes`, where the code is. New code imports from there."""

from chairside.rules.billing.admin_codes import (
    ADDON_PRIMARIES,
    CATEGORIES,
    DISTINCT_MODIFIERS,
    METHODS,
    SETTINGS,
    Administration,
    AdminLine,
    Interval,
    addons_without_primary,
    administration_codes,
    administration_lines,
)

__all__ = [
    "ADDON_PRIMARIES",
    "AdminLine",
    "Administration",
    "CATEGORIES",
    "DISTINCT_MODIFIERS",
    "Interval",
    "METHODS",
    "SETTINGS",
    "addons_without_primary",
    "administration_codes",
    "administration_lines",
]
