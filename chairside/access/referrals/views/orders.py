"""Treatment-order pages and recording lab results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations import selectors as access
from chairside.access.authorizations.estimates import order_estimate
from chairside.access.referrals import selectors, services
from chairside.access.referrals.forms import LabResultForm, OrderForm, OrderLabForm, OrderStatusForm
from chairside.access.referrals.views._util import redirect_next, status_for
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.formulary.selectors import regimen_templates
from chairside.patients import services as patient_services
from chairside.patients.selectors import access_patient
from chairside.rules.clinical.lab_codes import code_for, lab_codes
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


def _entered_by(order: Any) -> str:
    who = order.signature_voided_by or order.entered_by
    return (who.get_full_name() or who.username) if who else ""


TO_SIGN_CSV = export_columns(
    "referrals:to_sign",
    "orders-to-sign.csv",
    "Orders to sign",
    [
        ("patient_mrn", lambda o: o.patient.mrn),
        ("patient", lambda o: str(o.patient)),
        ("date_of_birth", lambda o: o.patient.date_of_birth),
        ("drug", lambda o: str(o.drug)),
        ("ordering_provider", lambda o: str(o.ordering_provider or "")),
        ("dose_mg", lambda o: o.dose_mg),
        ("dose_mg_per_kg", lambda o: o.dose_mg_per_kg),
        ("dose_max_mg", lambda o: o.dose_max_mg),
        ("route", lambda o: o.route),
        ("regimen", lambda o: o.regimen_name),
        ("diagnoses", lambda o: ", ".join(d.icd10_code for d in o.diagnoses.all())),
        ("entered_or_changed_by", _entered_by),
        ("signature_voided", lambda o: o.signature_void_reason if o.signature_voided_at else ""),
    ],
)


def _may_enter_orders(request: OrgRequest) -> bool:
    """Coordinators enter orders from paperwork (drafts); physicians and NPs write them."""
    return can(request, Perm.ACCESS_EDIT) or can(request, Perm.ORDER_SIGN)


def _require_order_entry(request: OrgRequest) -> None:
    if not _may_enter_orders(request):
        raise PermissionDenied("Your role does not allow entering or changing orders.")


@require_perm(Perm.PATIENT_VIEW)
def order_create(request: OrgRequest, patient_id: str) -> HttpResponse:
    _require_order_entry(request)
    patient = access_patient(organization=request.organization, public_id=patient_id)
    referral = None
    if request.GET.get("referral"):
        referral = selectors.access_referral(
            organization=request.organization, public_id=request.GET["referral"]
        )
    initial: dict[str, Any] = {
        "signed_on": timezone.localdate(),
        "location": patient.home_location,
        "diagnoses": list(patient.diagnoses.all()),
    }
    if referral is not None:
        initial |= {
            "drug": referral.requested_drug,
            "ordering_provider": referral.referring_provider,
        }
    form = OrderForm(
        request.POST or None, initial=initial, organization=request.organization, patient=patient
    )
    duplicate = None
    # Not submit_form: a duplicate order's refusal also shows the existing order on the page.
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            order = services.order_create(
                organization=request.organization,
                user=request.user,
                patient=patient,
                referral=referral,
                diagnoses=data.pop("diagnoses"),
                **data,
            )
        except services.DuplicateOrderError as exc:
            add_service_errors(form, exc)
            duplicate = exc.existing
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Order for {order.drug.generic_name} saved.")
            return redirect_next(request, "referrals:order", order.public_id)
    context = {
        "form": form,
        "patient": patient,
        "referral": referral,
        # From the chart: the open referrals an order for their drug will be linked to.
        "open_referrals": []
        if referral is not None
        else services.open_referrals_awaiting_order(patient=patient),
        "duplicate": duplicate,
        "can_sign": can(request, Perm.ORDER_SIGN),
    }
    return render(request, "referrals/order_form.html", context, status=status_for(request))


@require_perm(Perm.PATIENT_VIEW)
def order_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    _require_order_entry(request)
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    form = OrderForm(
        request.POST or None,
        instance=order,
        organization=request.organization,
        patient=order.patient,
    )

    def save(cleaned: dict[str, Any]) -> None:
        data = dict(cleaned)
        services.order_update(
            order=order, user=request.user, diagnoses=data.pop("diagnoses"), **data
        )

    return submit_form(
        request,
        form,
        save=save,
        message="Order saved.",
        done=reverse("referrals:order", kwargs={"public_id": order.public_id}),
        template="referrals/order_form.html",
        context={
            "patient": order.patient,
            "order": order,
            "can_sign": can(request, Perm.ORDER_SIGN),
        },
    )


@require_perm(Perm.PATIENT_VIEW)
def order_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    today = timezone.localdate()
    upcoming = selectors.next_dose_on(order)
    dose, measurement, dose_problem = selectors.current_dose(order)
    context = {
        "order": order,
        "today": today,
        "planned": order.planned_dates(),
        "doses_given": access.doses_documented(order),
        "next_dose": upcoming,
        "dose": dose,
        "measurement": measurement,
        "dose_problem": dose_problem,
        "labs_due": selectors.labs_due(order=order, on_date=upcoming or today),
        "benefits": access.benefits_for_order(order),
        "authorizations": access.authorizations_for_order(order),
        "overrides": order.authorization_overrides.select_related("overridden_by")[:10],
        "estimate": order_estimate(order, today),
        "lab_form": OrderLabForm(),
        "can_edit": can(request, Perm.ACCESS_EDIT),  # benefits and authorizations
        "can_order": _may_enter_orders(request),
        "can_sign": can(request, Perm.ORDER_SIGN),
    }
    return render(request, "referrals/order_detail.html", context)


@require_POST
@require_perm(Perm.ORDER_SIGN)
def order_sign(request: OrgRequest, public_id: str) -> HttpResponse:
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    try:
        services.order_sign(order=order, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Order for {order.drug.generic_name} signed.")
    return redirect_next(request, "referrals:order", order.public_id)


@require_perm(Perm.ORDER_SIGN)
def to_sign(request: OrgRequest) -> HttpResponse:
    """The physician's queue: orders entered from paperwork, signed one or several at once."""
    waiting = selectors.orders_to_sign(organization=request.organization)
    if wants_csv(request) and request.method == "GET":
        return csv_response(request, TO_SIGN_CSV, waiting)
    if request.method == "POST":
        chosen = [
            selectors.access_order(organization=request.organization, public_id=public_id)
            for public_id in request.POST.getlist("order")
        ]
        try:
            signed = services.orders_sign(orders=chosen, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Signed {len(signed)} order{'s' if len(signed) != 1 else ''}."
            )
            return redirect("referrals:to_sign")
    return render(request, "referrals/to_sign.html", {"orders": waiting})


@require_POST
@require_perm(Perm.PATIENT_VIEW)
def order_status(request: OrgRequest, public_id: str) -> HttpResponse:
    _require_order_entry(request)
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    form = OrderStatusForm(request.POST)
    if form.is_valid():
        try:
            services.order_set_status(order=order, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Order status changed.")
    return redirect("referrals:order", public_id=order.public_id)


@require_POST
@require_perm(Perm.PATIENT_VIEW)
def order_lab_add(request: OrgRequest, public_id: str) -> HttpResponse:
    _require_order_entry(request)
    order = selectors.access_order(organization=request.organization, public_id=public_id)
    form = OrderLabForm(request.POST)
    if form.is_valid():
        try:
            services.order_lab_add(order=order, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Required lab added.")
    else:
        messages.error(request, "Name the lab; the interval is a whole number of days.")
    return redirect("referrals:order", public_id=order.public_id)


@require_perm(Perm.PATIENT_VIEW)
def regimen_options(request: OrgRequest) -> HttpResponse:
    """htmx: the regimen choices of the drug picked on the order form."""
    _require_order_entry(request)
    templates = regimen_templates(
        organization=request.organization, drug_id=request.GET.get("drug") or 0
    )
    return render(request, "referrals/_regimen_options.html", {"templates": templates})


@require_perm(Perm.PATIENT_VIEW)
def lab_add(request: OrgRequest, patient_id: str) -> HttpResponse:
    """Record a lab result: nurses and providers (clinical) or coordinators (access)."""
    if not (can(request, Perm.CLINICAL_EDIT) or can(request, Perm.ACCESS_EDIT)):
        raise PermissionDenied("Your role does not allow recording lab results.")
    patient = access_patient(organization=request.organization, public_id=patient_id)
    # The patient's orders' required labs, then the coded list (typing one of these names
    # records a coded result that matches the required lab by code).
    names = sorted(
        {lab.name for o in patient.treatment_orders.all() for lab in o.required_labs.all()}
        | {entry.name for entry in lab_codes().values()}
    )
    initial = {"lab_name": request.GET.get("lab", ""), "result_on": timezone.localdate()}
    form = LabResultForm(request.POST or None, initial=initial, lab_names=names)
    # Not submit_form: an uncoded result is saved with a warning, not a success message.
    if request.method == "POST" and form.is_valid():
        try:
            patient_services.lab_result_record(
                patient=patient, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            typed = form.cleaned_data["lab_name"]
            entry = lab_codes().get(code_for(typed))
            if entry is not None:
                messages.success(request, f"{typed} recorded (LOINC {entry.loinc_codes}).")
            else:
                messages.warning(
                    request,
                    f"{typed} recorded, uncoded: it is not on the coded lab list, so it only "
                    "counts for a required lab of exactly the same name.",
                )
            return redirect_next(request, "patients:chart", patient.public_id)
    context = {"form": form, "patient": patient, "lab_names": names}
    return render(request, "referrals/lab_form.html", context, status=status_for(request))
