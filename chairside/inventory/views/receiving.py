"""Receiving pages: a shipment of several lots on one invoice, NDC look-up, adding a package."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from chairside.core.forms_util import add_service_errors, submit_form
from chairside.inventory import selectors, services
from chairside.inventory.forms import PackageForm, ReceiptForm, ReceiptLineFormSet
from chairside.rules.inventory.ndc import format_ndc11
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm

MAX_LINES = 20


def _order_lines(order: Any) -> list[dict[str, Any]]:
    return [
        {"ndc": line.package.ndc, "vials": line.vials_outstanding, "cost_per_vial": line.unit_cost}
        for line in order.lines.select_related("package")
        if line.vials_outstanding
    ]


def _line_errors(
    forms: list[Any], exc: ValidationError
) -> tuple[list[str], ValidationError | None]:
    """Put ``<line>-<field>`` errors on their line (``forms``: the lines that were filled).

    Returns the unknown NDCs (11 digits, to offer adding them) and the errors that belong to
    the shipment as a whole (invoice, vendor), if any.
    """
    unknown: list[str] = []
    # Not submit_form: a header and a formset, and a refusal also lists the unknown NDCs.
    header: dict[str, list[Any]] = {}
    for key, errors in exc.update_error_dict({}).items():
        index, _, field = key.partition("-")
        if not index.isdigit() or int(index) >= len(forms):
            header[key] = errors
            continue
        form = forms[int(index)]
        for error in errors:
            if error.code == services.UNKNOWN_NDC:
                unknown.append(str((error.params or {})["ndc11"]))
            form.add_error(field if field in form.fields else None, error.messages[0])
    return unknown, ValidationError(header) if header else None


@require_perm(Perm.INVENTORY_EDIT)
def receive(request: OrgRequest) -> HttpResponse:
    order = None
    if request.GET.get("po"):
        order = selectors.access_order(
            organization=request.organization, public_id=request.GET["po"]
        )
    data = request.POST or None
    wanted = request.GET.get("lines", "3")
    count = min(MAX_LINES, max(1, int(wanted) if wanted.isdigit() else 3))
    initial = _order_lines(order) if order else [{} for _ in range(count)]
    header = ReceiptForm(
        data, organization=request.organization, initial={"vendor": order.vendor if order else None}
    )
    formset = ReceiptLineFormSet(data, initial=initial, prefix="line")
    unknown: list[str] = []
    if request.method == "POST" and header.is_valid() and formset.is_valid():
        filled = [form for form in formset.forms if not form.is_blank]
        try:
            lots = _receive(request, header, filled, order)
        except ValidationError as exc:
            unknown, problems = _line_errors(filled, exc)
            if problems is not None:
                add_service_errors(header, problems)
        else:
            messages.success(request, f"Received {len(lots)} lot{'s' if len(lots) != 1 else ''}.")
            return redirect("inventory:stock")
    status = 400 if request.method == "POST" else 200
    context = {
        "header": header,
        "formset": formset,
        "order": order,
        "unknown": [format_ndc11(n) for n in unknown],
        "more": count + 3,
    }
    return render(request, "inventory/receive.html", context, status=status)


def _receive(request: OrgRequest, header: ReceiptForm, filled: list[Any], order: Any) -> list[Any]:
    lines = [
        services.ReceiptLine(
            ndc=f.cleaned_data["ndc"],
            lot_number=f.cleaned_data["lot_number"],
            expires_on=f.cleaned_data["expires_on"],
            vials=f.cleaned_data["vials"],
            cost_per_vial=f.cleaned_data.get("cost_per_vial"),
        )
        for f in filled
    ]
    data = header.cleaned_data
    return services.shipment_receive(
        organization=request.organization,
        user=request.user,
        vendor=data["vendor"],
        storage_place=data["storage_place"],
        lines=lines,
        invoice_number=data["invoice_number"],
        invoice_date=data["invoice_date"],
        patient=data["patient"],
        purchase_order=order,
        replacement_program=data.get("replacement_program"),
        confirm_repeat=bool(data.get("confirm_repeat")),
    )


@require_perm(Perm.INVENTORY_VIEW)
def ndc_lookup(request: OrgRequest) -> HttpResponse:
    """htmx: what a scanned barcode or typed NDC is (with a GS1 scan's lot and expiry), or
    an offer to add it to the formulary."""
    text = next((str(v) for k, v in request.GET.items() if k.endswith("ndc")), "").strip()
    context: dict[str, Any] = {"text": text}
    if text:
        try:
            context["package"], context["scan"] = services.package_for_scan(
                organization=request.organization, text=text
            )
        except ValidationError as exc:
            context["error"] = exc.messages[0]
            if exc.error_list[0].code == services.UNKNOWN_NDC:
                ndc = format_ndc11(exc.error_list[0].params["ndc11"])  # type: ignore[index]
                context["add_url"] = (
                    reverse("inventory:package_add") + "?" + urlencode({"ndc": ndc})
                )
    return render(request, "inventory/_ndc_lookup.html", context)


@require_perm(Perm.INVENTORY_EDIT)
def package_add(request: OrgRequest) -> HttpResponse:
    form = PackageForm(
        request.POST or None,
        organization=request.organization,
        initial={"ndc": request.GET.get("ndc", "")},
    )
    return submit_form(
        request,
        form,
        save=lambda data: services.package_add(
            organization=request.organization, user=request.user, **data
        ),
        message=lambda package: f"{package} added to the formulary. You can receive it now.",
        done="inventory:receive",
        template="inventory/package_form.html",
    )
