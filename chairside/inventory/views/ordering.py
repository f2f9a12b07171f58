"""Forecast and ordering pages: demand, suggested order, purchase orders and their receipt."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, page_filters, wants_csv
from chairside.formulary.models import Package
from chairside.inventory import selectors, services
from chairside.inventory.forms import ForecastForm
from chairside.inventory.models import Vendor
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites

FORECAST_CSV = export_columns(
    "inventory:forecast",
    "forecast-and-suggested-order.csv",
    "Forecast and suggested order",
    [
        ("drug", lambda r: r.drug.generic_name),
        ("strength_mg", lambda r: r.package.strength_mg),
        ("ndc", lambda r: r.package.ndc),
        ("free_on_hand", lambda r: r.on_hand),
        ("reserved", lambda r: r.reserved),
        ("on_order", lambda r: r.on_order_total),
        ("booked", lambda r: r.booked_in_window),
        ("from_patients_own_stock", lambda r: r.white_bag_vials),
        ("use_per_day", lambda r: round(r.daily_use, 1)),
        ("days_on_hand", lambda r: r.days_on_hand),
        ("runs_short_on", lambda r: r.stockout),
        ("order_by", lambda r: r.order_by if r.stockout else None),
        ("suggested_vials", lambda r: r.suggestion.vials),
        ("arrives_on", lambda r: r.suggestion.arrives_on),
        ("order_value", lambda r: r.order_value),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def forecast(request: OrgRequest) -> HttpResponse:
    first = sites(organization=request.organization).first()
    form = ForecastForm(
        page_filters(request),
        organization=request.organization,
        initial={"location": first, "days": 14},
    )
    data: dict[str, Any] = (
        form.cleaned_data if form.is_bound and form.is_valid() else {"location": first}
    )
    result = None
    if data.get("location") is not None:
        result = selectors.demand_forecast(
            organization=request.organization,
            location=data["location"],
            days=data.get("days"),
            vendor=data.get("vendor"),
        )
    if wants_csv(request):
        return csv_response(request, FORECAST_CSV, result.rows if result is not None else [])
    context = {
        "form": form,
        "forecast": result,
        "po_vendor": data.get("vendor") or _suggested_vendor(result),
        "vendors": selectors.order_vendors(organization=request.organization),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/forecast.html", context)


def _suggested_vendor(result: Any) -> Vendor | None:
    """The vendor whose lead time the suggestion assumed for most of its value.

    Without a vendor chosen, each row's arrival date comes from the vendor it was last
    bought from; the purchase order should default to that vendor, not the first by name
    (a slower one would arrive after the day the order was meant to cover).
    """
    if result is None:
        return None
    value: dict[Vendor, Decimal] = {}
    for row in result.rows:
        if row.vendor is not None and row.suggestion.vials:
            value[row.vendor] = value.get(row.vendor, Decimal(0)) + row.order_value + 1
    return max(value, key=lambda v: value[v]) if value else None


def _posted_lines(request: OrgRequest) -> list[tuple[Package, int, Decimal]]:
    lines = []
    wanted = [selectors.parse_uuid(v) for v in request.POST.getlist("package")]
    packages = selectors.packages_by_id(
        organization=request.organization, public_ids=[w for w in wanted if w is not None]
    )
    for package in packages:
        raw = request.POST.get(f"vials-{package.public_id}", "").strip()
        if not raw or raw == "0":
            continue
        try:
            cost = Decimal(request.POST.get(f"cost-{package.public_id}", "0") or "0")
        except InvalidOperation:
            cost = Decimal(0)
        lines.append((package, raw, cost))
    return lines  # type: ignore[return-value]


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def order_create(request: OrgRequest) -> HttpResponse:
    location = selectors.location_by_id(
        organization=request.organization, public_id=request.POST.get("location")
    )
    vendor_id = selectors.parse_uuid(request.POST.get("vendor"))
    vendor = (
        selectors.vendor_or_none(organization=request.organization, public_id=vendor_id)
        if vendor_id
        else None
    )
    if location is None or vendor is None:
        messages.error(request, "Choose the site and the vendor for the order.")
        return redirect("inventory:forecast")
    try:
        order = services.purchase_order_create(
            organization=request.organization,
            location=location,
            vendor=vendor,
            user=request.user,
            lines=_posted_lines(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inventory:forecast")
    messages.success(request, f"Purchase order {order.number} drafted. Check it, then send it.")
    return redirect("inventory:order", public_id=order.public_id)


ORDERS_CSV = export_columns(
    "inventory:orders",
    "purchase-orders.csv",
    "Purchase orders",
    [
        ("number", lambda o: o.number),
        ("vendor", lambda o: o.vendor),
        ("site", lambda o: o.location),
        ("status", lambda o: o.get_status_display()),
        ("ordered_on", lambda o: o.ordered_on),
        ("expected_on", lambda o: o.expected_on),
        ("lines", lambda o: len(o.lines.all())),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def order_list(request: OrgRequest) -> HttpResponse:
    found = selectors.purchase_orders(organization=request.organization)
    if wants_csv(request):
        return csv_response(request, ORDERS_CSV, found)
    orders = found[:50]
    return render(
        request,
        "inventory/order_list.html",
        {"orders": orders, "can_edit": can(request, Perm.INVENTORY_EDIT)},
    )


@require_perm(Perm.INVENTORY_VIEW)
def order_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    lines = list(order.lines.select_related("package__drug").prefetch_related("lots"))
    context = {
        "order": order,
        "lines": lines,
        "total": sum((line.line_total for line in lines), Decimal(0)),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/order_detail.html", context)


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def order_send(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    try:
        order = services.purchase_order_send(order=order, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{order.number} sent; expected {order.expected_on:%a %m/%d}.")
    return redirect("inventory:order", public_id=order.public_id)


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def order_cancel(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    try:
        services.purchase_order_cancel(
            order=order, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{order.number} cancelled.")
    return redirect("inventory:order", public_id=order.public_id)
