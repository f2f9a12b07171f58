"""Sending a claim's patient share to an assistance program, and recording its answer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.referrals.views._util import serve_document
from chairside.billing import selectors, services
from chairside.billing.forms import AssistanceClaimForm, AssistanceDecisionForm
from chairside.core.forms_util import add_service_errors
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.BILLING_VIEW)
def claim_assistance(request: OrgRequest, public_id: str) -> HttpResponse:
    claim = selectors.access_claim(organization=request.organization, public_id=public_id)
    patient = claim.encounter.patient
    editable = can(request, Perm.BILLING_EDIT)
    today = timezone.localdate()
    posted = editable and request.method == "POST"
    form = AssistanceClaimForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        patient=patient,
        initial={"amount": services.claim_share_open(claim), "submitted_on": today},
    )
    # Not submit_form: a POST by a role that cannot edit re-renders with 200, not 400.
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.assistance_claim_submit(
                claim=claim,
                enrollment=data["enrollment"],
                amount=data["amount"],
                submitted_on=data["submitted_on"],
                eob=data["eob"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"${made.amount_requested:,.2f} sent to {made.enrollment.program}."
            )
            return redirect("billing:claim_assistance", public_id=claim.public_id)
    context = {
        "claim": claim,
        "patient": patient,
        "form": form,
        "decide_form": AssistanceDecisionForm(initial={"decided_on": today}),
        "sent": claim.assistance_claims.select_related("enrollment__program").prefetch_related(
            "documents"
        ),
        "open_share": services.claim_share_open(claim),
        "can_edit": editable,
    }
    status = 400 if posted and form.errors else 200
    return render(request, "billing/claim_assistance.html", context, status=status)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def assistance_decide(request: OrgRequest, public_id: str) -> HttpResponse:
    made = selectors.access_assistance_claim(organization=request.organization, public_id=public_id)
    form = AssistanceDecisionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.assistance_claim_decide(
                assistance_claim=made, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The program's answer is recorded.")
    else:
        messages.error(
            request,
            "Check the answer: "
            + "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()),
        )
    return redirect("billing:claim_assistance", public_id=made.claim.public_id)


@require_perm(Perm.BILLING_VIEW)
def assistance_document(request: OrgRequest, public_id: str) -> HttpResponse:
    document = selectors.access_assistance_document(
        organization=request.organization, public_id=public_id
    )
    return serve_document(request, document, document.assistance_claim.claim.encounter.patient)
