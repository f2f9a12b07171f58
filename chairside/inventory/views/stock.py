"""Stock pages: on hand, a lot and its history, the lot actions, expiring lots, dispensing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.inventory import selectors, services
from chairside.inventory.forms import (
    AdjustForm,
    DispenseForm,
    ReturnForm,
    TransferForm,
    WasteForm,
)
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites

LOT_COLUMNS = [
    ("drug", lambda lot: lot.package.drug.generic_name),
    ("strength_mg", lambda lot: lot.package.strength_mg),
    ("ndc11", lambda lot: lot.package.ndc11),
    ("lot", lambda lot: lot.lot_number),
    ("expires_on", lambda lot: lot.expires_on),
    ("site", lambda lot: lot.storage_place.location.name),
    ("storage", lambda lot: lot.storage_place.name),
    ("on_hand_vials", lambda lot: lot.on_hand),
    ("cost_per_vial", lambda lot: lot.cost_per_vial),
    ("value", lambda lot: lot.value),
    ("patient_specific_for", lambda lot: lot.patient.full_name if lot.patient_id else ""),
]
MOVEMENTS_CSV = export_columns(
    "inventory:lot",
    "lot-movements.csv",
    "Lot movement history",
    [
        ("at", lambda m: m.at),
        ("kind", lambda m: m.get_kind_display()),
        ("vials", lambda m: m.vials),
        ("mg", lambda m: m.mg),
        ("balance_after", lambda m: m.balance_after),
        ("patient", lambda m: m.patient.full_name if m.patient_id else ""),
        ("visit", lambda m: m.visit_ref),
        ("by", lambda m: m.user.get_username() if m.user_id else ""),
        ("reason", lambda m: m.reason),
    ],
)
STOCK_CSV = export_columns("inventory:stock", "stock-lots.csv", "Stock on hand (lots)", LOT_COLUMNS)
EXPIRING_CSV = export_columns(
    "inventory:expiring", "expiring-lots.csv", "Expiring lots", LOT_COLUMNS
)


def _location(request: OrgRequest) -> Any:
    wanted = request.GET.get("location", "")
    return selectors.location_by_id(organization=request.organization, public_id=wanted)


@require_perm(Perm.INVENTORY_VIEW)
def stock(request: OrgRequest) -> HttpResponse:
    location = _location(request)
    lots = selectors.lots(organization=request.organization, location=location)
    if wants_csv(request):
        order = ("storage_place__location__name", "package__drug__generic_name", "expires_on")
        return csv_response(request, STOCK_CSV, lots.order_by(*order, "id"))
    rows = selectors.stock_summary(organization=request.organization, location=location)
    by_drug: dict[tuple[int, int], list[Any]] = {}
    for lot in lots:
        by_drug.setdefault((lot.storage_place.location_id, lot.package.drug_id), []).append(lot)
    context = {
        "rows": [(row, by_drug.get((row.location.pk, row.drug.pk), [])) for row in rows],
        "locations": sites(organization=request.organization),
        "location": location,
        "total_value": sum((row.value for row in rows), 0),
        "today": timezone.localdate(),
        "soon": timezone.localdate() + dt.timedelta(days=selectors.EXPIRY_WARNING_DAYS),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/stock.html", context)


@require_perm(Perm.INVENTORY_VIEW)
def lot_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    lot = selectors.access_lot(organization=request.organization, public_id=public_id)
    if wants_csv(request):
        return csv_response(request, MOVEMENTS_CSV, selectors.lot_history(lot).order_by("at", "id"))
    reservations = list(selectors.lot_reservations(lot)[:50])
    held = sum(r.vials for r in reservations if r.status == "active")
    context = {
        "lot": lot,
        "reservations": reservations,
        "reserved_vials": held,
        "free_vials": max(0, lot.on_hand - held),
        "movements": selectors.lot_history(lot),
        "ledger_on_hand": selectors.ledger_on_hand(lot),
        "today": timezone.localdate(),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/lot_detail.html", context)


def _lot_action(
    request: OrgRequest,
    public_id: str,
    form_class: type,
    act: Callable[[Any, dict[str, Any]], object],
    title: str,
) -> HttpResponse:
    """Shared flow of the lot actions: parse the form, call the service, back to the lot."""
    lot = selectors.access_lot(organization=request.organization, public_id=public_id)
    extra = {"organization": request.organization, "lot": lot} if form_class is TransferForm else {}
    form = form_class(request.POST or None, **extra)
    return submit_form(
        request,
        form,
        save=lambda data: act(lot, data),
        message=f"{title}: lot {lot.lot_number} updated.",
        done=reverse("inventory:lot", kwargs={"public_id": lot.public_id}),
        template="inventory/lot_action.html",
        context={"lot": lot, "title": title},
    )


@require_perm(Perm.INVENTORY_EDIT)
def lot_transfer(request: OrgRequest, public_id: str) -> HttpResponse:
    return _lot_action(
        request,
        public_id,
        TransferForm,
        lambda lot, d: services.stock_transfer(lot=lot, user=request.user, **d),
        "Transfer",
    )


def _waste(request: OrgRequest, lot: Any, data: dict[str, Any]) -> object:
    amount = {"mg": data["mg"]} if data["what"] == "mg" else {"vials": data["vials"]}
    return services.stock_waste(
        lot=lot, user=request.user, reason=data["reason"], visit_ref=data["visit_ref"], **amount
    )


@require_perm(Perm.INVENTORY_EDIT)
def lot_waste(request: OrgRequest, public_id: str) -> HttpResponse:
    return _lot_action(
        request, public_id, WasteForm, lambda lot, d: _waste(request, lot, d), "Waste"
    )


@require_perm(Perm.INVENTORY_EDIT)
def lot_adjust(request: OrgRequest, public_id: str) -> HttpResponse:
    return _lot_action(
        request,
        public_id,
        AdjustForm,
        lambda lot, d: services.stock_adjust(lot=lot, user=request.user, **d),
        "Adjustment",
    )


@require_perm(Perm.INVENTORY_EDIT)
def lot_return(request: OrgRequest, public_id: str) -> HttpResponse:
    return _lot_action(
        request,
        public_id,
        ReturnForm,
        lambda lot, d: services.stock_return(lot=lot, user=request.user, **d),
        "Return to vendor",
    )


@require_perm(Perm.INVENTORY_EDIT)
def lot_expire(request: OrgRequest, public_id: str) -> HttpResponse:
    """Take one expired lot off the shelf: what will be removed, then the confirmation."""
    lot = selectors.access_lot(organization=request.organization, public_id=public_id)
    expired = selectors.expired_on_shelf(
        organization=request.organization, today=timezone.localdate()
    )
    return _expire_confirm(request, [x for x in expired if x.pk == lot.pk], back=lot)


@require_perm(Perm.INVENTORY_EDIT)
def expired_remove(request: OrgRequest) -> HttpResponse:
    """Take every expired lot still on a shelf off it, after showing the list."""
    today = timezone.localdate()
    lots = selectors.expired_on_shelf(organization=request.organization, today=today)
    return _expire_confirm(request, lots, back=None)


def _shown(request: OrgRequest, lots: list[Any]) -> list[tuple[Any, int]] | None:
    """The lots and vial counts the confirmation page showed (None: the form was tampered)."""
    by_id = {str(lot.public_id): lot for lot in lots}
    shown = []
    for item in request.POST.getlist("lot"):
        lot_id, _, vials = item.partition(":")
        if lot_id not in by_id or not vials.isdigit():
            return None
        shown.append((by_id[lot_id], int(vials)))
    return shown


def _expire_confirm(request: OrgRequest, lots: list[Any], back: Any) -> HttpResponse:
    if request.method == "POST":
        shown = _shown(request, lots)
        try:
            if not shown:
                raise ValidationError("The list changed since it was shown: look at it again.")
            moves = services.stock_expire_lots(lots=shown, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            vials = sum(-m.vials for m in moves)
            messages.success(
                request, f"{vials} expired vials of {len(moves)} lots taken off the shelf."
            )
            if back is not None:
                return redirect("inventory:lot", public_id=back.public_id)
            return redirect("inventory:expiring")
    context = {
        "lots": lots,
        "back": back,
        "vials": sum(lot.on_hand for lot in lots),
        "value": sum((lot.value for lot in lots if lot.patient_id is None), Decimal(0)),
        "today": timezone.localdate(),
    }
    return render(request, "inventory/expire_confirm.html", context)


@require_perm(Perm.INVENTORY_VIEW)
def expiring(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    if wants_csv(request):
        found = selectors.expiring_lots(organization=request.organization, today=today)
        return csv_response(request, EXPIRING_CSV, found)
    context = {
        "lots": selectors.expiring_lots(organization=request.organization, today=today),
        "today": today,
        "days": selectors.EXPIRY_WARNING_DAYS,
        "expired": selectors.expired_on_shelf(organization=request.organization, today=today),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
    }
    return render(request, "inventory/expiring.html", context)


@require_perm(Perm.INVENTORY_EDIT)
def dispense(request: OrgRequest) -> HttpResponse:
    """Suggest lots for a dose (first expiry first); dispense them when confirmed."""
    form = DispenseForm(request.POST or request.GET or None, organization=request.organization)
    picks: list[Any] = []
    # Not submit_form: a valid GET previews the lots (htmx partial); only a confirmed POST saves.
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            if request.method == "POST" and request.POST.get("confirm"):
                moves = services.stock_dispense_dose(
                    organization=request.organization, user=request.user, **data
                )
                messages.success(
                    request, f"Dispensed {sum(-m.vials for m in moves)} vials to {data['patient']}."
                )
                return redirect("inventory:dispense")
            picks = services.dispense_suggestion(
                organization=request.organization,
                location=data["location"],
                drug=data["drug"],
                dose_mg=data["dose_mg"],
                patient=data["patient"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    status = 400 if form.is_bound and form.errors else 200
    template = "inventory/_dispense_plan.html" if request.htmx else "inventory/dispense.html"
    return render(request, template, {"form": form, "picks": picks}, status=status)
