"""Fee schedules (ASP files), payer contracts and the billing settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.billing import selectors, services
from chairside.billing.forms import (
    AdminFeeForm,
    BillingProfileForm,
    ContractForm,
    DrugRateForm,
    PayerDrugCategoryForm,
    UploadForm,
)
from chairside.billing.models import PayerContract
from chairside.billing.pricing import billing_profile
from chairside.billing.services.opps import opps_file_import
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


def _drug_terms(c: PayerContract) -> str:
    if c.drug_basis == PayerContract.Basis.FIXED:
        return f"{c.drug_rate} per unit"
    return f"{c.drug_percent.normalize():f}% {c.get_drug_basis_display().replace('% ', '')}"


CONTRACTS_CSV = export_columns(
    "billing:contracts",
    "payer-contracts.csv",
    "Payer contracts",
    [
        ("payer", lambda c: str(c.payer)),
        ("drugs_paid_at", _drug_terms),
        ("patient_share_percent", lambda c: c.patient_share_percent),
        (
            "administration_fees",
            lambda c: "; ".join(f"{a.cpt} {a.amount}" for a in c.admin_fees.all()),
        ),
        (
            "drug_exceptions",
            lambda c: "; ".join(f"{d.hcpcs} {d.get_basis_display()}" for d in c.drugs.all()),
        ),
        ("prior_authorization_required", lambda c: c.requires_prior_authorization),
        ("appeal_window_days", lambda c: c.appeal_window_days),
        ("demo_terms", lambda c: c.is_demo),
    ],
)


def _editing(request: OrgRequest) -> bool:
    if request.method == "POST" and not can(request, Perm.BILLING_EDIT):
        raise PermissionDenied("Your role does not allow this.")
    return request.method == "POST"


@require_perm(Perm.BILLING_VIEW)
def fee_schedule(request: OrgRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    _editing(request)

    def page() -> dict[str, Any]:
        files = selectors.asp_files(organization=request.organization)
        latest = files.first()
        prices = selectors.asp_prices(file=latest)
        return {
            "files": files,
            "latest": latest,
            "prices": prices,
            "can_edit": can(request, Perm.BILLING_EDIT),
        }

    return submit_form(
        request,
        form,
        save=lambda data: services.asp_file_import(
            organization=request.organization,
            data=data["file"].read(),
            filename=data["file"].name,
            user=request.user,
        ),
        message=lambda record: f"Imported {record.row_count} prices from {record.title}.",
        done="billing:fees",
        template="billing/fee_schedule.html",
        context=page,
    )


@require_perm(Perm.BILLING_VIEW)
def contract_list(request: OrgRequest) -> HttpResponse:
    contracts = selectors.contracts(organization=request.organization).prefetch_related(
        "admin_fees", "drugs"
    )
    if wants_csv(request):
        return csv_response(request, CONTRACTS_CSV, contracts)
    return render(
        request,
        "billing/contract_list.html",
        {"contracts": contracts, "can_edit": can(request, Perm.BILLING_EDIT)},
    )


def _contract_form(request: OrgRequest, contract: PayerContract | None = None) -> HttpResponse:
    form = ContractForm(request.POST or None, instance=contract, organization=request.organization)
    _editing(request)

    def save(cleaned: dict[str, Any]) -> PayerContract:
        data = dict(cleaned)
        payer = data.pop("payer") if contract is None else contract.payer
        data.pop("payer", None)
        return services.payer_contract_save(
            organization=request.organization,
            user=request.user,
            payer=payer,
            contract=contract,
            **data,
        )

    return submit_form(
        request,
        form,
        save=save,
        message=lambda saved: f"{saved} saved.",
        done=lambda saved: reverse("billing:contract", kwargs={"public_id": saved.public_id}),
        template="billing/contract_form.html",
        context=lambda: {
            "contract": contract,
            "fee_form": AdminFeeForm(),
            "drug_form": DrugRateForm(),
            "can_edit": can(request, Perm.BILLING_EDIT),
        },
    )


@require_perm(Perm.BILLING_EDIT)
def contract_new(request: OrgRequest) -> HttpResponse:
    return _contract_form(request)


@require_perm(Perm.BILLING_VIEW)
def contract_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    contract = selectors.access_contract(organization=request.organization, public_id=public_id)
    return _contract_form(request, contract)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def contract_admin_fee(request: OrgRequest, public_id: str) -> HttpResponse:
    contract = selectors.access_contract(organization=request.organization, public_id=public_id)
    form = AdminFeeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give a CPT code and an amount.")
        services.contract_admin_fee_set(contract=contract, user=request.user, **form.cleaned_data)
        messages.success(request, "Administration fee saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing:contract", public_id=contract.public_id)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def contract_drug_rate(request: OrgRequest, public_id: str) -> HttpResponse:
    contract = selectors.access_contract(organization=request.organization, public_id=public_id)
    form = DrugRateForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give a HCPCS code, a basis and a percent or rate.")
        services.contract_drug_rate_set(contract=contract, user=request.user, **form.cleaned_data)
        messages.success(request, "Drug rate saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing:contract", public_id=contract.public_id)


@require_perm(Perm.BILLING_VIEW)
def billing_settings(request: OrgRequest) -> HttpResponse:
    profile = billing_profile(request.organization)
    form = BillingProfileForm(
        request.POST or None, instance=profile, organization=request.organization
    )
    _editing(request)
    return submit_form(
        request,
        form,
        save=lambda data: services.billing_profile_save(
            organization=request.organization, user=request.user, **data
        ),
        message="Billing settings saved.",
        done="billing:settings",
        template="billing/settings.html",
        context=lambda: _settings_context(
            request, PayerDrugCategoryForm(organization=request.organization)
        ),
    )


def _settings_context(request: OrgRequest, category_form: PayerDrugCategoryForm) -> dict[str, Any]:
    return {
        "category_form": category_form,
        "payer_categories": selectors.payer_drug_categories(organization=request.organization),
        "can_edit": can(request, Perm.BILLING_EDIT),
    }


def _settings_page(
    request: OrgRequest, form: BillingProfileForm, category_form: PayerDrugCategoryForm
) -> HttpResponse:
    context = {"form": form, **_settings_context(request, category_form)}
    return render(
        request,
        "billing/settings.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require_perm(Perm.BILLING_EDIT)
def payer_drug_category(request: OrgRequest) -> HttpResponse:
    """Set or remove a payer's own administration category for a drug."""
    form = PayerDrugCategoryForm(request.POST, organization=request.organization)
    # Not submit_form: this form is the settings page's second one ("form" there is the profile).
    if form.is_valid():
        try:
            row = services.payer_drug_category_set(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            data = form.cleaned_data
            if row is None:
                messages.success(
                    request,
                    f"{data['drug']} for {data['payer']}: the formulary's category applies.",
                )
            else:
                messages.success(request, f"{row} — used for charges derived from now on.")
            return redirect("billing:settings")
    profile_form = BillingProfileForm(
        instance=billing_profile(request.organization), organization=request.organization
    )
    return _settings_page(request, profile_form, form)


@require_perm(Perm.BILLING_VIEW)
def opps_rates(request: OrgRequest) -> HttpResponse:
    """OPPS Addendum B rates for hospital outpatient departments: upload, and the latest file."""
    form = UploadForm(request.POST or None, request.FILES or None)
    _editing(request)

    def page() -> dict[str, Any]:
        files = selectors.opps_files(organization=request.organization)
        latest = files.first()
        return {
            "files": files[:20],
            "latest": latest,
            "rates": latest.rates.all()[:500] if latest else [],
            "can_edit": can(request, Perm.BILLING_EDIT),
        }

    return submit_form(
        request,
        form,
        save=lambda data: opps_file_import(
            organization=request.organization,
            data=data["file"].read(),
            filename=data["file"].name,
            user=request.user,
        ),
        message=lambda record: f"Imported {record.row_count} OPPS rates.",
        done="billing:opps",
        template="billing/opps_rates.html",
        context=page,
    )
