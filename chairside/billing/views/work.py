"""Working the money: encounters and their lines, remittances, denials, margins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.billing import selectors, services
from chairside.billing.forms import (
    DenialForm,
    LineAdjustForm,
    PeriodForm,
    ResolveUnmatchedForm,
    UploadForm,
)
from chairside.billing.selectors.margins import margin_report
from chairside.billing.tasks import import_835
from chairside.core.forms_util import add_service_errors
from chairside.core.jobs import job_start
from chairside.core.models import BackgroundJob
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

REMITTANCES_CSV = export_columns(
    "billing:remittances",
    "remittances.csv",
    "Remittances (835)",
    [
        ("paid_on", lambda r: r.paid_on),
        ("payer", lambda r: r.payer_name),
        ("trace_number", lambda r: r.trace_number),
        ("amount", lambda r: r.total_paid),
        ("method", lambda r: r.payment_method),
        ("claims", lambda r: r.claims.count()),
        ("file", lambda r: r.filename),
    ],
)
UNMATCHED_CSV = export_columns(
    "billing:unmatched",
    "unmatched-payments.csv",
    "Unmatched payments",
    [
        ("paid_on", lambda u: u.remittance.paid_on),
        ("payer", lambda u: u.remittance.payer_name),
        ("trace_number", lambda u: u.remittance.trace_number),
        ("claim_number", lambda u: u.control_number),
        ("payer_claim_number", lambda u: u.payer_claim_number),
        ("patient", lambda u: str(u.claim.patient) if u.claim else ""),
        ("status", lambda u: u.status_label),
        ("charge", lambda u: u.charge),
        ("paid", lambda u: u.paid),
        ("patient_responsibility", lambda u: u.patient_responsibility),
        ("why_not_posted", lambda u: u.reason),
    ],
)
CROSSOVERS_CSV = export_columns(
    "billing:unmatched",
    "crossovers-to-follow-up.csv",
    "Medicare crossovers to follow up",
    [
        ("crossed_over_on", lambda c: c.crossed_over_on),
        ("claim_number", lambda c: c.control_number),
        ("patient", lambda c: str(c.patient)),
        ("date_of_service", lambda c: c.encounter.date_of_service),
        ("patient_share_after_medicare", lambda c: c.patient_responsibility),
    ],
    table="crossovers",
)


@require_perm(Perm.BILLING_VIEW)
def encounter_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    encounter = selectors.access_encounter(organization=request.organization, public_id=public_id)
    context = {
        "encounter": encounter,
        "lines": encounter.lines.prefetch_related("adjustments__user").order_by(
            "-version", "position"
        ),
        "claims": encounter.claims.select_related("payer").order_by("sequence", "created_at"),
        "facts": encounter.encounter_facts(),
        "adjust_form": LineAdjustForm(),
        "can_edit": can(request, Perm.BILLING_EDIT),
    }
    return render(request, "billing/encounter_detail.html", context)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def line_adjust(request: OrgRequest, public_id: str) -> HttpResponse:
    line = selectors.access_line(organization=request.organization, public_id=public_id)
    form = LineAdjustForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Give the amount (e.g. -120.00) and the reason.")
        services.charge_line_adjust(
            line=line,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        messages.success(request, f"{line} adjusted.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing:encounter", public_id=line.encounter.public_id)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def encounter_reviewed(request: OrgRequest, public_id: str) -> HttpResponse:
    encounter = selectors.access_encounter(organization=request.organization, public_id=public_id)
    services.encounter_mark_reviewed(
        encounter=encounter, user=request.user, note=request.POST.get("note", "")
    )
    messages.success(request, "Taken off the review queue.")
    return redirect("billing:encounter", public_id=encounter.public_id)


# An 835 larger than this is posted by a background job (a payer's weekly file can hold
# thousands of claim payments); a smaller one is posted at once, so its errors show here.
REMITTANCE_BACKGROUND_BYTES = 256 * 1024


@require_perm(Perm.BILLING_VIEW)
def remittance_list(request: OrgRequest) -> HttpResponse:
    if request.method == "GET" and wants_csv(request):
        found = selectors.remittances(organization=request.organization)
        return csv_response(request, REMITTANCES_CSV, found)
    form = UploadForm(request.POST or None, request.FILES or None)
    # Not submit_form: a large file goes to a background job, and a viewer's POST is a 403.
    if request.method == "POST" and can(request, Perm.BILLING_EDIT) and form.is_valid():
        upload = form.cleaned_data["file"]
        text = upload.read().decode("ascii", errors="replace")
        if len(text) > REMITTANCE_BACKGROUND_BYTES:
            job_start(
                organization=request.organization,
                kind=BackgroundJob.Kind.IMPORT_835,
                params={"filename": upload.name[:200], "text": text},
                user=request.user,
                task=import_835,
            )
            messages.success(
                request, f"{upload.name} is being posted in the background; see below."
            )
            return redirect("billing:remittances")
        try:
            remittance = services.remittance_import(
                organization=request.organization,
                text=text,
                filename=upload.name,
                user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Posted {remittance.payer_name} {remittance.trace_number}.")
            return redirect("billing:remittance", public_id=remittance.public_id)
    elif request.method == "POST" and not can(request, Perm.BILLING_EDIT):
        return HttpResponse("Your role does not allow this.", status=403)
    context = {
        "form": form,
        "remittances": selectors.remittances(organization=request.organization)[:50],
        "jobs": selectors.recent_835_imports(organization=request.organization)[:10],
        "can_edit": can(request, Perm.BILLING_EDIT),
    }
    return render(
        request,
        "billing/remittance_list.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_perm(Perm.BILLING_VIEW)
def remittance_detail(request: OrgRequest, public_id: str) -> HttpResponse:
    remittance = selectors.access_remittance(organization=request.organization, public_id=public_id)
    claims = remittance.claims.select_related("claim", "claim__patient").prefetch_related(
        "payments__item__line", "payments__adjustments", "adjustments"
    )
    return render(
        request, "billing/remittance_detail.html", {"remittance": remittance, "claims": claims}
    )


@require_POST
@require_perm(Perm.BILLING_EDIT)
def denial_update(request: OrgRequest, public_id: str) -> HttpResponse:
    denial = selectors.access_denial(organization=request.organization, public_id=public_id)
    form = DenialForm(request.POST, organization=request.organization)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a status and an assignee from the lists.")
        denial = services.denial_update(denial=denial, user=request.user, **form.cleaned_data)
        error = ""
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = {
            "denial": denial,
            "error": error,
            "can_edit": True,
            "today": timezone.localdate(),
            "form": DenialForm(organization=request.organization),
        }
        return render(request, "billing/_denial_row.html", context, status=400 if error else 200)
    (messages.error if error else messages.success)(request, error or "Denial updated.")
    return redirect("billing:claim", public_id=denial.claim.public_id)


@require_perm(Perm.BILLING_VIEW)
def margins(request: OrgRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    if not form.is_bound:  # show the default period in the date boxes
        form = PeriodForm(initial={"start": start, "end": end})
    report = margin_report(organization=request.organization, start=start, end=end)
    return render(
        request, "billing/margins.html", {"form": form, "start": start, "end": end, **report}
    )


@require_perm(Perm.BILLING_VIEW)
def unmatched_list(request: OrgRequest) -> HttpResponse:
    """Payments no claim could take, and crossovers the supplemental payer has not paid."""
    organization, today = request.organization, timezone.localdate()
    unmatched = selectors.unmatched_remittances(organization=organization)
    crossovers = selectors.crossovers_to_follow_up(organization=organization, today=today)
    if wants_csv(request):
        return csv_response(request, UNMATCHED_CSV, unmatched)
    if wants_csv(request, table="crossovers"):
        return csv_response(request, CROSSOVERS_CSV, crossovers)
    context = {
        "unmatched": unmatched,
        "crossovers": crossovers,
        "resolved": selectors.unmatched_remittances(organization=organization, resolved=True)[:20],
        "form": ResolveUnmatchedForm(),
        "today": today,
        "can_edit": can(request, Perm.BILLING_EDIT),
    }
    return render(request, "billing/unmatched.html", context)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def unmatched_resolve(request: OrgRequest, public_id: str) -> HttpResponse:
    entry = selectors.access_unmatched(organization=request.organization, public_id=public_id)
    form = ResolveUnmatchedForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what was done with this payment.")
        services.unmatched_resolve(entry=entry, user=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"Payment for {entry.control_number} taken off the queue.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("billing:unmatched")
