"""Referral pages: the list, a referral's page (intake, documents, state), and its forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations.queues import booking_url
from chairside.access.referrals import selectors, services
from chairside.access.referrals.forms import (
    DocumentForm,
    LinkPatientForm,
    ReferralForm,
    RegisterPatientForm,
    TransitionForm,
)
from chairside.access.referrals.models import Referral
from chairside.access.referrals.views._util import redirect_next, serve_document
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import add_service_errors, submit_form
from chairside.patients.reference import icd10_catalog
from chairside.patients.selectors import access_patient
from chairside.patients.services import likely_duplicates
from chairside.rules.access import referral_states as rs
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

REFERRALS_CSV = export_columns(
    "referrals:list",
    "referrals.csv",
    "Referrals",
    [
        ("patient", lambda r: r.patient_display),
        ("urgent", lambda r: r.is_urgent),
        ("drug", lambda r: r.drug_display),
        ("referred_by", lambda r: r.referring_provider or ""),
        ("practice", lambda r: r.referring_provider.practice_name if r.referring_provider else ""),
        ("received_on", lambda r: r.received_on),
        ("state", lambda r: r.state_label),
        ("state_since", lambda r: r.state_changed_on),
        ("assigned_to", lambda r: r.assigned_to or ""),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def referral_list(request: OrgRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    found = selectors.referrals(
        organization=request.organization, state=state, query=request.GET.get("q", "")
    )
    if wants_csv(request):
        return csv_response(request, REFERRALS_CSV, found)
    context = {
        "page": Paginator(found, 30).get_page(request.GET.get("page")),
        "state": state,
        "query": request.GET.get("q", ""),
        "states": rs.REFERRAL.labels.items(),
        "can_edit": can(request, Perm.ACCESS_EDIT),
    }
    return render(request, "referrals/referral_list.html", context)


@require_perm(Perm.ACCESS_EDIT)
def referral_edit(request: OrgRequest, public_id: str | None = None) -> HttpResponse:
    referral = (
        selectors.access_referral(organization=request.organization, public_id=public_id)
        if public_id
        else None
    )
    initial = {"received_on": timezone.localdate()} if referral is None else None
    form = ReferralForm(
        request.POST or None, instance=referral, initial=initial, organization=request.organization
    )

    def save(data: dict[str, Any]) -> Referral:
        if referral is None:
            return services.referral_create(
                organization=request.organization, user=request.user, **data
            )
        services.referral_update(referral=referral, user=request.user, **data)
        return referral

    return submit_form(
        request,
        form,
        save=save,
        message="Referral saved.",
        done=lambda saved: reverse("referrals:detail", kwargs={"public_id": saved.public_id}),
        template="referrals/referral_form.html",
        context=lambda: {"referral": referral, "icd10": icd10_catalog().values()},
    )


@require_perm(Perm.PATIENT_VIEW)
def referral_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    referral = selectors.access_referral(organization=request.organization, public_id=public_id)
    matches = []
    if referral.patient_id is None and referral.patient_date_of_birth:
        matches = likely_duplicates(
            organization=request.organization,
            first_name=referral.patient_first_name,
            last_name=referral.patient_last_name,
            date_of_birth=referral.patient_date_of_birth,
        )
    context = {
        "referral": referral,
        "days": selectors.referral_days(referral, timezone.localdate()),
        "labels": rs.REFERRAL.labels,
        "moves": _moves(referral),
        "book_url": _booking_url(referral),
        "hidden_steps": rs.REFERRAL.needs_reason,
        "matches": matches,
        "register_form": RegisterPatientForm(),
        "document_form": DocumentForm(),
        "can_edit": can(request, Perm.ACCESS_EDIT),
    }
    return render(request, "referrals/referral_detail.html", context)


def _booking_url(referral: Referral) -> str:
    """Where to book the first dose once the referral is authorized (scheduling's page)."""

    order = referral.orders.filter(status="active").first()
    if referral.state != rs.AUTHORIZED or order is None:
        return ""
    return booking_url(order)


def _moves(referral: Referral) -> dict[str, list[dict[str, str]]]:
    """The allowed moves, split into forward (with what blocks them), back and closing."""
    order = rs.REFERRAL.states
    moves: dict[str, list[dict[str, str]]] = {"forward": [], "back": [], "close": []}
    for key, label in referral.next_states():
        move = {"key": key, "label": label}
        if key in rs.REFERRAL.needs_reason:
            moves["close"].append(move)
        elif order.index(key) < order.index(referral.state):
            moves["back"].append(move)
        else:
            move["problem"] = services.referral_move_problem(referral, key)
            moves["forward"].append(move)
    return moves


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def referral_transition(request: OrgRequest, public_id: str) -> HttpResponse:
    referral = selectors.access_referral(organization=request.organization, public_id=public_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the date of the change.")
        return redirect("referrals:detail", public_id=referral.public_id)
    try:
        services.referral_transition(referral=referral, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = rs.REFERRAL.label(form.cleaned_data["to_state"])
        messages.success(request, f"Referral is now {label.lower()}.")
    return redirect_next(request, "referrals:detail", referral.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def referral_register_patient(request: OrgRequest, public_id: str) -> HttpResponse:
    referral = selectors.access_referral(organization=request.organization, public_id=public_id)
    form = RegisterPatientForm(request.POST)
    if form.is_valid():
        try:
            patient = services.referral_register_patient(
                referral=referral, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{patient} registered and linked to the referral.")
    else:
        messages.error(request, "Give the new patient's MRN and administrative sex.")
    return redirect("referrals:detail", public_id=referral.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def referral_link_patient(request: OrgRequest, public_id: str) -> HttpResponse:
    referral = selectors.access_referral(organization=request.organization, public_id=public_id)
    form = LinkPatientForm(request.POST)
    if form.is_valid():
        patient = access_patient(
            organization=request.organization, public_id=form.cleaned_data["patient"]
        )
        services.referral_update(referral=referral, user=request.user, patient=patient)
        messages.success(request, f"Referral linked to {patient}.")
    return redirect("referrals:detail", public_id=referral.public_id)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def referral_document_add(request: OrgRequest, public_id: str) -> HttpResponse:
    referral = selectors.access_referral(organization=request.organization, public_id=public_id)
    form = DocumentForm(request.POST, request.FILES)
    # Not submit_form: POST only, and the refused form is re-shown as "document_form".
    if form.is_valid():
        try:
            services.referral_document_add(
                referral=referral,
                user=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        context = {"referral": referral, "document_form": form}
        return render(request, "referrals/document_form.html", context, status=400)
    messages.success(request, "Document attached.")
    return redirect("referrals:detail", public_id=referral.public_id)


@require_perm(Perm.PATIENT_VIEW)
def referral_document(request: OrgRequest, public_id: str) -> HttpResponse:
    """Serve a document through the organization check; each opening is audited."""
    document = selectors.access_referral_document(
        organization=request.organization, public_id=public_id
    )
    return serve_document(request, document, document.referral.patient)
