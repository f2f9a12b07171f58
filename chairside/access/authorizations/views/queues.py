"""The work-queue pages and assigning an item to a staff member."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations.forms import AssignForm
from chairside.access.authorizations.models import BenefitsInvestigation, PriorAuthorization
from chairside.access.authorizations.queues import QUEUES, QUEUES_BY_KEY, queue_rows
from chairside.access.authorizations.services import work_item_assign
from chairside.access.referrals.models import Referral, TreatmentOrder
from chairside.access.referrals.views._util import redirect_next
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import active_staff, sites

ASSIGNABLE: dict[str, Any] = {
    "referral": Referral,
    "order": TreatmentOrder,
    "benefits": BenefitsInvestigation,
    "authorization": PriorAuthorization,
}


def _patient_mrn(row: Any) -> str:
    patient = getattr(row.item, "patient", None)
    return patient.mrn if patient is not None else ""


# One export for every queue: the file and the audit name the queue (see ``queue``).
QUEUE_CSV = export_columns(
    "authorizations:queue",
    "access-work-queue.csv",
    "Access work queue",
    [
        ("patient_mrn", _patient_mrn),
        ("patient", lambda r: r.patient),
        ("what", lambda r: r.what),
        ("why_it_is_here", lambda r: r.detail),
        ("since", lambda r: r.since),
        ("site", lambda r: r.location.name if r.location else ""),
        ("assigned_to", lambda r: str(r.assigned_to or "")),
        ("next_step", lambda r: r.action_label),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def home(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = [(q, len(q.rows(request.organization, today))) for q in QUEUES]
    return render(request, "authorizations/home.html", {"counts": counts})


@require_perm(Perm.PATIENT_VIEW)
def queue(request: OrgRequest, key: str) -> HttpResponse:
    chosen = QUEUES_BY_KEY.get(key)
    if chosen is None:
        raise Http404("No such work queue.")
    location = request.GET.get("location", "")
    assignee = request.GET.get("assignee", "")
    locations = sites(organization=request.organization, active_only=True)
    staff = active_staff(organization=request.organization)
    site = locations.filter(public_id=location).first() if location else None
    rows = queue_rows(
        chosen,
        organization=request.organization,
        today=timezone.localdate(),
        location_id=site.pk if site else None,
        assignee=assignee,
        me=staff.filter(user=request.user).first(),
    )
    if wants_csv(request):
        export = dataclasses.replace(
            QUEUE_CSV, filename=f"access-{chosen.key}.csv", title=f"Access queue: {chosen.title}"
        )
        return csv_response(request, export, rows)
    context = {
        "queue": chosen,
        "queues": QUEUES,
        "rows": rows,
        "locations": locations,
        "staff": staff,
        "location": location,
        "assignee": assignee,
        "can_edit": can(request, Perm.ACCESS_EDIT),
    }
    return render(request, "authorizations/queue.html", context)


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def assign(request: OrgRequest, kind: str, public_id: str) -> HttpResponse:
    model = ASSIGNABLE.get(kind)
    if model is None:
        raise Http404("Nothing of that kind can be assigned.")
    item = get_object_or_404(model, organization=request.organization, public_id=public_id)
    form = AssignForm(request.POST, organization=request.organization)
    status = 200
    if form.is_valid():
        try:
            item = work_item_assign(item=item, staff=form.cleaned_data["staff"], user=request.user)
        except ValidationError:
            status = 400
    else:
        status = 400
    if request.htmx:
        context = {"item": item, "kind": kind, "editable": True, "request": request}
        context["staff"] = active_staff(organization=request.organization)
        return render(request, "authorizations/_assign.html", context, status=status)
    return redirect_next(request, "authorizations:home")
