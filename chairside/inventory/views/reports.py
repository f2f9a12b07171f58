"""Reports: reconciliation for a period, and the money (stock at cost, invoices coming due)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, page_filters, wants_csv
from chairside.inventory import selectors, services
from chairside.inventory.forms import PeriodForm, last_month
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites

RECONCILIATION_CSV = export_columns(
    "inventory:reconciliation",
    "stock-reconciliation.csv",
    "Stock reconciliation",
    [
        ("drug", lambda r: r.drug.generic_name),
        ("opening", lambda r: r.check.opening),
        ("received", lambda r: r.received),
        ("transfer_in", lambda r: r.transfer_in),
        ("dispensed", lambda r: r.dispensed),
        ("wasted", lambda r: r.wasted),
        ("returned", lambda r: r.returned),
        ("transfer_out", lambda r: r.transfer_out),
        ("expired", lambda r: r.expired),
        ("adjusted", lambda r: r.adjusted),
        ("closing", lambda r: r.check.closing),
        ("balanced", lambda r: r.check.balanced),
        ("off_by", lambda r: r.off_by),
        ("partial_waste_mg", lambda r: r.partial_waste_mg),
    ],
)


@require_perm(Perm.INVENTORY_VIEW)
def reconciliation(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(
        page_filters(request), organization=request.organization, initial=last_month(today)
    )
    period = (
        form.cleaned_data
        if form.is_bound and form.is_valid()
        else {**last_month(today), "location": None}
    )
    rows = []
    if not form.errors:
        rows = selectors.reconciliation(organization=request.organization, **period)
    if wants_csv(request) and not form.errors:
        return csv_response(request, RECONCILIATION_CSV, rows)
    context = {"form": form, "rows": rows, "period": period}
    return render(
        request, "inventory/reconciliation.html", context, status=400 if form.errors else 200
    )


@require_perm(Perm.INVENTORY_VIEW)
def money(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    org = request.organization
    due = selectors.payments_due(organization=org, today=today)
    context = {
        "total": selectors.inventory_value(organization=org),
        "by_location": [
            (loc, selectors.inventory_value(organization=org, location=loc))
            for loc in sites(organization=org)
        ],
        "by_drug": selectors.value_by_drug(organization=org),
        "due": due,
        "due_30": sum((d.amount for d in due if 0 <= d.days_left <= 30), 0),
        "overdue": sum((d.amount for d in due if d.overdue), 0),
        "can_edit": can(request, Perm.INVENTORY_EDIT),
        "today": today,
    }
    return render(request, "inventory/money.html", context)


@require_POST
@require_perm(Perm.INVENTORY_EDIT)
def invoice_paid(request: OrgRequest, public_id: str) -> HttpResponse:
    invoice = selectors.access_invoice(organization=request.organization, public_id=public_id)
    try:
        services.invoice_mark_paid(invoice=invoice, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invoice {invoice.number} marked paid.")
    return redirect("inventory:money")
