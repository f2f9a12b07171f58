"""Checks later steps add before a dose is dispensed for a booking or visit.

Inventory sits upstream of the visit, so it imports none of it: the visit module registers its
prep gate (``treatments.services.prep_gate``) here in ``TreatmentsConfig.ready()``, as apps
register Today cards in ``tenancy.today``. A gate raises ValidationError to refuse the dispense
(inside the dispense's transaction, so nothing moves).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chairside.core.registry import Registry

# (organization=, visit_ref=) → None, or raises ValidationError with the reason.
DispenseGate = Callable[..., None]

_DISPENSE_GATES: Registry[DispenseGate] = Registry()
register_dispense_gate = _DISPENSE_GATES.register


def dispense_gates(*, organization: Any, visit_ref: str) -> None:
    for gate in _DISPENSE_GATES:
        gate(organization=organization, visit_ref=visit_ref)
