"""Inventory use cases (one module per area, re-exported here).

Every write is keyword-only, runs in one transaction, locks the lots it touches, raises a
Django ValidationError a pharmacist can read, and writes the stock ledger and audit trail.
The visit dispenses through ``dispense_suggestion`` / ``stock_dispense`` /
``stock_dispense_dose`` and records partial-vial waste through ``stock_waste``.
"""

from __future__ import annotations

from chairside.inventory.services.catalog import (
    inventory_settings_for,
    inventory_settings_save,
    storage_place_save,
    vendor_save,
)
from chairside.inventory.services.counts import (
    cycle_count_complete,
    cycle_count_record,
    cycle_count_start,
)
from chairside.inventory.services.purchasing import (
    invoice_mark_paid,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_refresh,
    purchase_order_send,
)
from chairside.inventory.services.receiving import (
    UNKNOWN_NDC,
    ReceiptLine,
    package_add,
    package_for_ndc,
    package_for_scan,
    shipment_receive,
)
from chairside.inventory.services.reservations import (
    reservation_release,
    reservation_reserve,
)
from chairside.inventory.services.stock import (
    dispense_suggestion,
    stock_adjust,
    stock_dispense,
    stock_dispense_dose,
    stock_expire,
    stock_expire_lots,
    stock_receive,
    stock_return,
    stock_transfer,
    stock_waste,
)

__all__ = [
    "UNKNOWN_NDC",
    "ReceiptLine",
    "cycle_count_complete",
    "cycle_count_record",
    "cycle_count_start",
    "dispense_suggestion",
    "inventory_settings_for",
    "inventory_settings_save",
    "invoice_mark_paid",
    "package_add",
    "package_for_ndc",
    "package_for_scan",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_refresh",
    "purchase_order_send",
    "reservation_release",
    "reservation_reserve",
    "shipment_receive",
    "stock_adjust",
    "stock_dispense",
    "stock_dispense_dose",
    "stock_expire",
    "stock_expire_lots",
    "stock_receive",
    "stock_return",
    "stock_transfer",
    "stock_waste",
    "storage_place_save",
    "vendor_save",
]
