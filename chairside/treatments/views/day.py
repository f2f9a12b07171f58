"""The nurse's list of today's patients, and starting a visit from an appointment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.inventory.selectors import parse_uuid
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites
from chairside.treatments import selectors, services
from chairside.treatments.services._common import staff_for

DAY_CSV = export_columns(
    "treatments:day",
    "patients-today.csv",
    "Patients today (visits)",
    [
        ("start", lambda r: r.appointment.start),
        ("site", lambda r: r.appointment.location.name),
        ("chair", lambda r: r.appointment.chair.name),
        ("patient", lambda r: r.appointment.patient.full_name),
        ("mrn", lambda r: r.appointment.patient.mrn),
        ("drug", lambda r: r.appointment.order.drug.generic_name),
        ("dose_number", lambda r: r.appointment.dose_number),
        ("nurse", lambda r: r.appointment.nurse or ""),
        ("appointment", lambda r: r.appointment.get_status_display()),
        ("visit", lambda r: r.visit.get_status_display() if r.visit else "not started"),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def day(request: OrgRequest) -> HttpResponse:
    """My patients today: every live appointment of the day, with the visit's progress."""
    locations = sites(organization=request.organization, active_only=True)
    wanted = parse_uuid(request.GET.get("location"))
    location = locations.filter(public_id=wanted).first() if wanted else None
    me = staff_for(request.user, request.organization)
    mine = request.GET.get("mine", "1" if me else "0") == "1" and me is not None
    today = timezone.localdate()
    rows = selectors.day_list(
        organization=request.organization, day=today, location=location, nurse=me if mine else None
    )
    if wants_csv(request):
        return csv_response(request, DAY_CSV, rows)
    context = {
        "rows": rows,
        "steps": {r.visit.pk: selectors.step_status(r.visit) for r in rows if r.visit},
        "locations": locations,
        "location": location,
        "mine": mine,
        "me": me,
        "today": today,
        "can_edit": can(request, Perm.CLINICAL_EDIT),
    }
    return render(request, "treatments/day.html", context)


@require_POST
@require_perm(Perm.CLINICAL_EDIT)
def start(request: OrgRequest, public_id: str) -> HttpResponse:
    """Start the visit of an appointment, checking the patient in first when needed."""
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    try:
        visit = services.visit_check_in_and_start(appointment=appointment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("treatments:day")
    return redirect("treatments:checks", public_id=visit.public_id)


@require_perm(Perm.PATIENT_VIEW)
def visit_home(request: OrgRequest, public_id: str) -> HttpResponse:
    """The visit opens on its first unfinished step (or its record once signed)."""
    visit = selectors.access_visit(organization=request.organization, public_id=public_id)
    if visit.is_signed:
        return redirect("treatments:summary", public_id=visit.public_id)
    first = next((s["key"] for s in selectors.step_status(visit) if s["first_open"]), "checks")
    return redirect(f"treatments:{first}", public_id=visit.public_id)
