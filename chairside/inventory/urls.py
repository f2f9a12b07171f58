from __future__ import annotations

from django.urls import path

from chairside.inventory.views import (
    counts,
    ordering,
    receiving,
    reports,
    reservations,
    setup,
    stock,
)

app_name = "inventory"

urlpatterns = [
    path("", stock.stock, name="stock"),
    path("expiring/", stock.expiring, name="expiring"),
    path("expiring/remove/", stock.expired_remove, name="expired_remove"),
    path("dispense/", stock.dispense, name="dispense"),
    path("reservations/", reservations.reservations, name="reservations"),
    path("reservations/<uuid:public_id>/reserve/", reservations.reserve, name="reserve"),
    path("lots/<uuid:public_id>/", stock.lot_detail, name="lot"),
    path("lots/<uuid:public_id>/transfer/", stock.lot_transfer, name="lot_transfer"),
    path("lots/<uuid:public_id>/waste/", stock.lot_waste, name="lot_waste"),
    path("lots/<uuid:public_id>/adjust/", stock.lot_adjust, name="lot_adjust"),
    path("lots/<uuid:public_id>/return/", stock.lot_return, name="lot_return"),
    path("lots/<uuid:public_id>/expire/", stock.lot_expire, name="lot_expire"),
    path("receive/", receiving.receive, name="receive"),
    path("receive/ndc/", receiving.ndc_lookup, name="ndc_lookup"),
    path("packages/new/", receiving.package_add, name="package_add"),
    path("counts/", counts.count_list, name="counts"),
    path("counts/<uuid:public_id>/", counts.count_sheet, name="count"),
    path("counts/<uuid:public_id>/complete/", counts.count_complete, name="count_complete"),
    path("forecast/", ordering.forecast, name="forecast"),
    path("orders/", ordering.order_list, name="orders"),
    path("orders/new/", ordering.order_create, name="order_create"),
    path("orders/<uuid:public_id>/", ordering.order_detail, name="order"),
    path("orders/<uuid:public_id>/send/", ordering.order_send, name="order_send"),
    path("orders/<uuid:public_id>/cancel/", ordering.order_cancel, name="order_cancel"),
    path("reconciliation/", reports.reconciliation, name="reconciliation"),
    path("money/", reports.money, name="money"),
    path("invoices/<uuid:public_id>/paid/", reports.invoice_paid, name="invoice_paid"),
    path("setup/", setup.setup, name="setup"),
    path("setup/vendors/new/", setup.vendor_edit, name="vendor_create"),
    path("setup/vendors/<uuid:public_id>/", setup.vendor_edit, name="vendor_edit"),
    path("setup/places/new/", setup.place_edit, name="place_create"),
    path("setup/places/<uuid:public_id>/", setup.place_edit, name="place_edit"),
    path("setup/sites/<uuid:public_id>/", setup.site_settings, name="site_settings"),
]
