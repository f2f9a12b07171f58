"""Home-care use cases, re-exported: homes, shifts, deliveries, visits, proof, routes.

Every function is keyword-only, runs in one transaction, raises a ValidationError a
coordinator can read, and writes the audit trail.
"""

from __future__ import annotations

from chairside.homecare.services.routes import route_accept, route_discard, route_propose
from chairside.homecare.services.stops import (
    ItemIn,
    delivery_create,
    delivery_record_proof,
    field_shift_add,
    home_set,
    visit_create,
)

__all__ = [
    "ItemIn",
    "delivery_create",
    "delivery_record_proof",
    "field_shift_add",
    "home_set",
    "route_accept",
    "route_discard",
    "route_propose",
    "visit_create",
]
