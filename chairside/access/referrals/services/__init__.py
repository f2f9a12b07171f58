"""Referral and treatment-order use cases (one module per area, re-exported here).

Every function is keyword-only, runs in one transaction, validates, raises a Django
ValidationError a coordinator can read, and writes the audit trail.
"""

from __future__ import annotations

from chairside.access.referrals.services.documents import (
    MAX_DOCUMENT_BYTES,
    referral_document_add,
    sniff_document,
    store_document,
)
from chairside.access.referrals.services.orders import (
    ORDER_FIELDS,
    DuplicateOrderError,
    live_order_for,
    open_referral_for,
    open_referrals_awaiting_order,
    order_create,
    order_lab_add,
    order_set_status,
    order_update,
)
from chairside.access.referrals.services.providers import PROVIDER_FIELDS, provider_save
from chairside.access.referrals.services.referrals import (
    REFERRAL_FIELDS,
    referral_advance,
    referral_create,
    referral_move_problem,
    referral_register_patient,
    referral_transition,
    referral_update,
)
from chairside.access.referrals.services.signing import (
    may_sign,
    order_sign,
    orders_sign,
)

__all__ = [
    "DuplicateOrderError",
    "live_order_for",
    "open_referral_for",
    "open_referrals_awaiting_order",
    "MAX_DOCUMENT_BYTES",
    "ORDER_FIELDS",
    "PROVIDER_FIELDS",
    "REFERRAL_FIELDS",
    "order_create",
    "order_lab_add",
    "may_sign",
    "order_set_status",
    "order_sign",
    "orders_sign",
    "order_update",
    "provider_save",
    "referral_advance",
    "referral_create",
    "referral_document_add",
    "referral_move_problem",
    "referral_register_patient",
    "referral_transition",
    "referral_update",
    "sniff_document",
    "store_document",
]
