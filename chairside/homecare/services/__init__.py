"""Home-care use cases, re-exported: homes, shifts, deliveries, visits, proof, routes, and
the clinical side (orders, plans of care, teaching, pharmacist monitoring).

Every function is keyword-only, runs in one transaction, raises a ValidationError a
coordinator can read, and writes the audit trail.
"""

from __future__ import annotations

from chairside.homecare.services.clinical import (
    FollowUpValues,
    HomeOrderValues,
    MonitoringValues,
    PlanValues,
    TeachingValues,
    chart_allergies,
    follow_up_done,
    home_order_save,
    monitoring_note_create,
    outside_hit_history_set,
    plan_of_care_create,
    plan_of_care_review,
    plan_of_care_update,
    teaching_sign,
)
from chairside.homecare.services.documentation import (
    delivered_lots,
    home_administration_record,
    home_administration_stop,
    home_reaction_record,
    home_visit_addendum,
    home_visit_sign,
    home_visit_state,
    home_visit_times_and_notes,
    home_vitals_record,
    may_sign,
    visit_orders,
)
from chairside.homecare.services.reaction_review import home_reaction_review
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
    "delivered_lots",
    "home_administration_record",
    "home_administration_stop",
    "home_reaction_record",
    "home_visit_addendum",
    "home_visit_sign",
    "home_visit_state",
    "home_visit_times_and_notes",
    "home_vitals_record",
    "may_sign",
    "visit_orders",
    "outside_hit_history_set",
    "FollowUpValues",
    "HomeOrderValues",
    "MonitoringValues",
    "PlanValues",
    "TeachingValues",
    "chart_allergies",
    "follow_up_done",
    "home_order_save",
    "home_reaction_review",
    "monitoring_note_create",
    "plan_of_care_create",
    "plan_of_care_review",
    "plan_of_care_update",
    "teaching_sign",
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
