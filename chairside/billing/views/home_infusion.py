"""Home infusion billing: a month's patients, their deliveries and visits, and their claim."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.billing import home_infusion, services
from chairside.patients.selectors import access_patient
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

MONTH_CSV = export_columns(
    "billing:home_infusion",
    "home-infusion-month.csv",
    "Home infusion billing (month)",
    [
        ("patient_mrn", lambda r: r.patient.mrn),
        ("patient", lambda r: r.patient.full_name),
        ("deliveries", lambda r: r.deliveries),
        ("without_proof", lambda r: r.without_proof),
        ("visits_done", lambda r: r.visits_done),
        ("suite_visits", lambda r: r.suite_visits),
        ("suite_ss_lines", lambda r: r.suite_lines),
        ("claim", lambda r: r.claim.control_number if r.claim else ""),
        ("payer", lambda r: r.claim.payer.name if r.claim else ""),
        (
            "claim_state",
            lambda r: (
                r.claim.state_label
                if r.claim
                else ("charges, no claim" if r.encounter else "not billed yet")
            ),
        ),
        ("problems_to_fix", lambda r: len(r.claim.problems) if r.claim else ""),
    ],
)


def _month(text: str | None) -> dt.date | None:
    """``YYYY-MM`` -> the month's first day; None when malformed."""
    try:
        return dt.date.fromisoformat(f"{text}-01") if text else timezone.localdate().replace(day=1)
    except ValueError:
        return None


@require_perm(Perm.BILLING_VIEW)
def home_infusion_months(request: OrgRequest) -> HttpResponse:
    month = _month(request.GET.get("month"))
    if month is None:
        return HttpResponse("The month must be given as YYYY-MM, e.g. 2026-11.", status=400)
    rows = home_infusion.month_rows(organization=request.organization, month=month)
    if wants_csv(request):
        return csv_response(request, MONTH_CSV, rows)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = home_infusion.month_of(month)[1] + dt.timedelta(days=1)
    context = {
        "month": month,
        "rows": rows,
        "previous": previous,
        "following": following,
        "can_edit": can(request, Perm.BILLING_EDIT),
    }
    return render(request, "billing/home_infusion.html", context)


@require_POST
@require_perm(Perm.BILLING_EDIT)
def home_infusion_derive(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = access_patient(organization=request.organization, public_id=public_id)
    month = _month(request.POST.get("month"))
    if month is None:
        return HttpResponse("The month must be given as YYYY-MM, e.g. 2026-11.", status=400)
    back = f"{reverse('billing:home_infusion')}?month={month:%Y-%m}"
    try:
        encounter = services.home_charges_derive(
            organization=request.organization, patient=patient, month=month, user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    lines = encounter.current_lines.count()
    messages.success(
        request, f"{patient.full_name}: {lines} line{'s' if lines != 1 else ''} for {month:%B %Y}."
    )
    return redirect(back)
