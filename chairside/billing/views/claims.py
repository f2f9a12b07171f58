"""The billing home (work queues) and the claim pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.billing import selectors, services
from chairside.billing.documents import cms1500_context, ub04_context
from chairside.billing.forms import (
    ClaimFilterForm,
    DenialForm,
    MueOverrideForm,
    ReasonForm,
    TransitionForm,
    transition_choices,
)
from chairside.billing.models import Claim
from chairside.billing.pricing import billing_profile
from chairside.billing.selectors.patient_accounts import patient_receivables
from chairside.core.pdf import pdf_response
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

DENIALS_SHOWN = 50  # the home page lists the most urgent; the count is of all of them
CLAIMS_PER_PAGE = 50


@require_perm(Perm.BILLING_VIEW)
def home(request: OrgRequest) -> HttpResponse:
    organization, today = request.organization, timezone.localdate()
    denials = selectors.open_denials(organization=organization)
    context = {
        "review": selectors.charges_to_review(organization=organization),
        "ready": selectors.claims_ready(organization=organization),
        "rejected": selectors.claims_rejected(organization=organization),
        "denials": denials[:DENIALS_SHOWN],
        "denial_count": denials.count(),
        "denials_shown": DENIALS_SHOWN,
        "receivables": selectors.receivables(organization=organization, today=today),
        "patient_receivables": patient_receivables(organization=organization, today=today),
        "today": today,
        "can_edit": can(request, Perm.BILLING_EDIT),
        "fresh_exports": _fresh(request),
    }
    return render(request, "billing/home.html", context)


def _fresh(request: OrgRequest) -> list[Any]:
    return selectors.fresh_exports(
        organization=request.organization, public_ids=request.GET.getlist("export")
    )


CLAIMS_CSV = export_columns(
    "billing:claims",
    "claims.csv",
    "Claims",
    [
        ("claim", lambda c: c.control_number),
        ("sequence", lambda c: c.sequence),
        ("date_of_service", lambda c: c.encounter.date_of_service),
        ("patient", lambda c: c.patient),
        ("mrn", lambda c: c.patient.mrn),
        ("payer", lambda c: c.payer),
        ("state", lambda c: c.state_label),
        ("charge", lambda c: c.total_charge),
        ("expected", lambda c: c.expected_payer),
        ("paid", lambda c: c.paid),
    ],
)


@require_perm(Perm.BILLING_VIEW)
def claim_list(request: OrgRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    claims = selectors.claims_search(
        organization=request.organization, state=data.get("state", ""), query=data.get("q", "")
    )
    if wants_csv(request):
        return csv_response(request, CLAIMS_CSV, claims)
    page = Paginator(claims, CLAIMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": data.get("q", "")}
    return render(request, "billing/claim_list.html", context)


@require_perm(Perm.BILLING_VIEW)
def claim_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    context = {
        "claim": claim,
        **selectors.claim_detail(claim=claim),
        "moves": TransitionForm(choices=transition_choices(claim.state)),
        "has_moves": bool(transition_choices(claim.state)),
        "form": DenialForm(organization=request.organization),
        "can_edit": can(request, Perm.BILLING_EDIT),
        "today": timezone.localdate(),
        "reason_form": ReasonForm(),
        "mue_form": MueOverrideForm(initial={"note": claim.mue_override_note}),
        "has_mue_problem": any(p.get("code") == "mue" for p in claim.problems or []),
        "correction_pending": claim.encounter.lines.filter(status="correction").exists(),
        "fresh_exports": _fresh(request),
    }
    return render(request, "billing/claim_detail.html", context)


def _claim_action(request: OrgRequest, public_id: str, action: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    reason = request.POST.get("reason", "") or request.POST.get("note", "")
    try:
        if action == "replace":
            made = services.claim_replace(claim=claim, user=request.user, reason=reason)
            messages.success(request, f"Replacement claim {made.control_number} made.")
            return redirect(made.get_absolute_url())
        if action == "void":
            made = services.claim_void(claim=claim, user=request.user, reason=reason)
            messages.success(request, f"Void claim {made.control_number} made.")
            return redirect(made.get_absolute_url())
        services.claim_mue_override(claim=claim, user=request.user, note=reason)
        messages.success(request, "MUE override note saved; the check ran again.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(claim.get_absolute_url())


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_replace(request: OrgRequest, public_id: str) -> HttpResponse:
    return _claim_action(request, public_id, "replace")


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_void(request: OrgRequest, public_id: str) -> HttpResponse:
    return _claim_action(request, public_id, "void")


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_mue_override(request: OrgRequest, public_id: str) -> HttpResponse:
    return _claim_action(request, public_id, "mue")


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_check(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    error = ""
    try:
        services.claim_check(claim=claim, user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    claim.refresh_from_db()
    context = {
        "claim": claim,
        "error": error,
        "can_edit": True,
        "just_checked": True,
        "check_notes": selectors.check_notes(claim=claim),
    }
    if request.htmx:
        return render(request, "billing/_check_results.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("billing:claim", public_id=claim.public_id)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_transition(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    form = TransitionForm(request.POST, choices=transition_choices(claim.state))
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the states offered.")
        services.claim_transition(
            claim=claim,
            to_state=form.cleaned_data["to_state"],
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("billing:claim", public_id=claim.public_id)
    messages.success(request, f"Claim {claim.control_number} moved.")
    return redirect("billing:claim", public_id=claim.public_id)


def _export(request: OrgRequest, claims: Sequence[Claim], back: str) -> HttpResponse:
    try:
        exports = services.claims_export_by_form(
            organization=request.organization,
            claims=claims,
            user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    for export in exports:
        messages.success(
            request,
            f"{export.claim_form} file #{export.control_number} made with "
            f"{export.claim_count} claim(s).",
        )
    query = "&".join(f"export={export.public_id}" for export in exports)
    return redirect(f"{back}?{query}")


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claim_submit(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    return _export(request, [claim], claim.get_absolute_url())


@require_POST
@require_perm(Perm.BILLING_EDIT)
def claims_export_ready(request: OrgRequest) -> HttpResponse:
    chosen = request.POST.getlist("claim")
    ready = selectors.claims_ready(organization=request.organization)
    claims = list(ready.filter(public_id__in=chosen))
    if len(claims) != len(set(chosen)):
        messages.error(request, "Some chosen claims are no longer ready; nothing was sent.")
        return redirect("billing:home")
    return _export(request, claims, reverse("billing:home"))


@require_perm(Perm.BILLING_VIEW)
def export_download(request: OrgRequest, public_id: str) -> HttpResponse:
    export = selectors.access_export(organization=request.organization, public_id=public_id)
    response = HttpResponse(export.content, content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_perm(Perm.BILLING_VIEW)
def claim_cms1500(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    if claim.is_institutional:
        return redirect("billing:claim_ub04", public_id=claim.public_id)
    context = {
        "claim": claim,
        **cms1500_context(claim),
        "profile": billing_profile(request.organization),
    }
    html = render(request, "billing/cms1500.html", context)
    if request.GET.get("format") != "pdf":
        return html
    return pdf_response(
        request, html.content.decode(), filename=f"CMS-1500-{claim.control_number}.pdf"
    )


@require_perm(Perm.BILLING_VIEW)
def claim_ub04(request: OrgRequest, public_id: str) -> HttpResponse:
    """The institutional claim laid out by UB-04 form locator, as HTML or PDF."""
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    if not claim.is_institutional:
        return redirect("billing:claim_cms1500", public_id=claim.public_id)
    context = {
        "claim": claim,
        **ub04_context(claim),
        "profile": billing_profile(request.organization),
    }
    html = render(request, "billing/ub04.html", context)
    if request.GET.get("format") != "pdf":
        return html
    return pdf_response(
        request, html.content.decode(), filename=f"UB-04-{claim.control_number}.pdf"
    )
