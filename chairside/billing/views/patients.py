"""Patient accounts: balances, one patient's ledger, payments, write-offs, plans, statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, client_ip
from chairside.billing import services
from chairside.billing.forms import PatientPaymentForm, PatientWriteOffForm, PaymentPlanForm
from chairside.billing.selectors import patient_accounts as accounts
from chairside.core.forms_util import add_service_errors
from chairside.core.pdf import pdf_response
from chairside.patients.selectors import patient_search
from chairside.tenancy.access import OrgRequest, can, require_any_perm, require_perm
from chairside.tenancy.roles import Perm

BALANCES_PAGE_SIZE = 50


BALANCES_CSV = export_columns(
    "billing:patient_balances",
    "patient-balances.csv",
    "Patient balances",
    [
        ("last_name", lambda a: a["patient"].last_name),
        ("first_name", lambda a: a["patient"].first_name),
        ("mrn", lambda a: a["patient"].mrn),
        ("balance", lambda a: a["balance"]),
        ("over_60_days", lambda a: a.get("over_60") or ""),
        ("last_statement", lambda a: a.get("last_statement")),
        ("plan_monthly", lambda a: a["plan"].monthly if a.get("plan") else ""),
    ],
)


@require_perm(Perm.BILLING_VIEW)
def patient_balances(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.get("q", "").strip()
    owing = accounts.patient_balances(organization=request.organization, today=today)
    receivables = accounts.patient_receivables_of(owing)
    if query:
        matched = set(
            patient_search(organization=request.organization, query=query).values_list(
                "pk", flat=True
            )
        )
        owing = [a for a in owing if a["patient"].pk in matched]
    if wants_csv(request):
        return csv_response(request, BALANCES_CSV, owing)
    context = {
        "page": Paginator(owing, BALANCES_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "receivables": receivables,
        "tab": "patients",
    }
    return render(request, "billing/patient_balances.html", context)


def _account_page(
    request: OrgRequest, patient: Any, status: int = 200, **bound: Any
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "patient": patient,
        **accounts.patient_account(patient=patient, today=today),
        "payment_form": bound.get("payment_form") or PatientPaymentForm(),
        "write_off_form": bound.get("write_off_form") or PatientWriteOffForm(),
        "plan_form": bound.get("plan_form") or PaymentPlanForm(),
        "can_edit": can(request, Perm.BILLING_EDIT),
        "can_take_payment": can(request, Perm.PAYMENT_TAKE),
        "can_see_billing": can(request, Perm.BILLING_VIEW),
        "copay_today": services.visit_copay_due(patient=patient, day=today),
        "today": today,
        "tab": "patients",
    }
    return render(request, "billing/patient_account.html", context, status=status)


@require_any_perm(Perm.BILLING_VIEW, Perm.PAYMENT_TAKE)
def patient_account(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = accounts.access_account_patient(
        organization=request.organization, public_id=public_id
    )
    audit_record(
        action=AuditEvent.Action.VIEW,
        user=request.user,
        organization=request.organization,
        obj=patient,
        patient=patient,
        reason="patient account",
        ip_address=client_ip(request),
    )
    return _account_page(request, patient)


def _post(
    request: OrgRequest,
    public_id: str,
    *,
    form_class: type[forms.Form],
    form_key: str,
    action: Any,
    done: str,
) -> HttpResponse:
    """Parse the form, call the service, and redirect, or show the page with the errors."""
    patient = accounts.access_account_patient(
        organization=request.organization, public_id=public_id
    )
    # Not submit_form: POST only, and the refused form is re-shown under its own key.
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(patient, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("billing:patient_account", public_id=patient.public_id)
    return _account_page(request, patient, status=400, **{form_key: form})


@require_POST
@require_perm(Perm.PAYMENT_TAKE)
def patient_payment(request: OrgRequest, public_id: str) -> HttpResponse:
    def record(patient: Any, data: dict[str, Any]) -> None:
        services.patient_payment_record(patient=patient, user=request.user, **data)

    return _post(
        request,
        public_id,
        form_class=PatientPaymentForm,
        form_key="payment_form",
        action=record,
        done="Payment recorded.",
    )


@require_POST
@require_perm(Perm.BILLING_EDIT)
def patient_write_off(request: OrgRequest, public_id: str) -> HttpResponse:
    """Write-offs are for billers and administrators only (``billing.edit``)."""

    def write_off(patient: Any, data: dict[str, Any]) -> None:
        services.patient_write_off(patient=patient, user=request.user, **data)

    return _post(
        request,
        public_id,
        form_class=PatientWriteOffForm,
        form_key="write_off_form",
        action=write_off,
        done="Written off.",
    )


@require_POST
@require_perm(Perm.BILLING_EDIT)
def payment_plan_start(request: OrgRequest, public_id: str) -> HttpResponse:
    def start(patient: Any, data: dict[str, Any]) -> None:
        services.payment_plan_start(patient=patient, user=request.user, **data)

    return _post(
        request,
        public_id,
        form_class=PaymentPlanForm,
        form_key="plan_form",
        action=start,
        done="Payment plan set up.",
    )


@require_POST
@require_perm(Perm.BILLING_EDIT)
def payment_plan_end(request: OrgRequest, public_id: str) -> HttpResponse:
    plan = accounts.access_plan(organization=request.organization, public_id=public_id)
    try:
        services.payment_plan_end(plan=plan, user=request.user)
        messages.success(request, "Payment plan ended.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing:patient_account", public_id=plan.patient.public_id)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def statement_create(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = accounts.access_account_patient(
        organization=request.organization, public_id=public_id
    )
    try:
        statement = services.patient_statement_create(patient=patient, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("billing:patient_account", public_id=patient.public_id)
    messages.success(request, f"Statement {statement.number} issued.")
    return redirect("billing:statement", public_id=statement.public_id)


def _readable(data: dict[str, Any]) -> dict[str, Any]:
    """The stored statement with dates as dates and amounts as Decimals, for the template."""

    def day(value: str) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    lines = [
        {
            **line,
            "date": day(line["date"]),
            "service_date": day(line["service_date"]),
            "amount": Decimal(line["amount"]),
            "balance": Decimal(line["balance"]),
        }
        for line in data["lines"]
    ]
    plan = data.get("plan")
    if plan:
        plan = {**plan, "next_due": day(plan["next_due"]), "monthly": Decimal(plan["monthly"])}
    return {
        **data,
        "statement_date": day(data["statement_date"]),
        "due_date": day(data["due_date"]),
        "balance": Decimal(data["balance"]),
        "amount_due": Decimal(data["amount_due"]),
        "ageing": {k: Decimal(v) for k, v in data["ageing"].items()},
        "lines": lines,
        "plan": plan,
    }


@require_perm(Perm.BILLING_VIEW)
def statement_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    """The statement as a printable page, or its PDF (``?format=pdf``, WeasyPrint as for the
    CMS-1500)."""
    statement = accounts.access_statement(organization=request.organization, public_id=public_id)
    pdf = request.GET.get("format") == "pdf"
    template = "billing/statement_pdf.html" if pdf else "billing/statement.html"
    html = render(request, template, {"statement": statement, "s": _readable(statement.data)})
    if not pdf:
        return html
    return pdf_response(
        request, html.content.decode(), filename=f"statement-{statement.number}.pdf"
    )
