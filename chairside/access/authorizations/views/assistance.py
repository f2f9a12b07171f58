"""Patient-assistance programs: the catalog, and each patient's enrolments with what is left."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations import selectors, services
from chairside.access.authorizations.forms import (
    AssistanceProgramForm,
    EnrollmentEndForm,
    EnrollmentForm,
)
from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import submit_form
from chairside.patients.selectors import access_patient
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

PROGRAMS_CSV = export_columns(
    "authorizations:assistance_programs",
    "assistance-programs.csv",
    "Assistance programs",
    [
        ("program", lambda p: p.name),
        ("sponsor", lambda p: p.sponsor),
        ("kind", lambda p: p.get_kind_display()),
        ("drug", lambda p: str(p.drug) if p.drug else "any drug"),
        ("claims_to", lambda p: p.claims_address),
        ("phone", lambda p: p.phone),
        ("enrolled", lambda p: p.enrollments.count()),
    ],
)


@require_perm(Perm.PATIENT_VIEW)
def programs(request: OrgRequest) -> HttpResponse:
    editable = can(request, Perm.ACCESS_EDIT)
    found = selectors.assistance_programs(organization=request.organization)
    if wants_csv(request) and request.method == "GET":
        return csv_response(request, PROGRAMS_CSV, found)
    form = AssistanceProgramForm(
        request.POST if editable and request.method == "POST" else None,
        organization=request.organization,
    )
    # A POST by a role that cannot edit leaves the form unbound: refused (400), nothing saved.
    return submit_form(
        request,
        form,
        save=lambda data: services.assistance_program_create(
            organization=request.organization, user=request.user, **data
        ),
        message=lambda program: f"{program} added.",
        done="authorizations:assistance_programs",
        template="authorizations/assistance_programs.html",
        context=lambda: {
            "programs": found,
            "can_edit": editable,
        },
    )


@require_perm(Perm.PATIENT_VIEW)
def patient_assistance(request: OrgRequest, public_id: str) -> HttpResponse:
    patient = access_patient(organization=request.organization, public_id=public_id)
    editable = can(request, Perm.ACCESS_EDIT)
    today = timezone.localdate()
    form = EnrollmentForm(
        request.POST if editable and request.method == "POST" else None,
        organization=request.organization,
        initial={"enrolled_on": today, "expires_on": today.replace(month=12, day=31)},
    )

    def page() -> dict[str, Any]:
        rows = [
            {
                "enrollment": e,
                "active": e.is_active_on(today),
                "used": services.enrollment_used(e, today.year),
                "remaining": services.enrollment_remaining(e, today.year),
            }
            for e in patient.assistance_enrollments.select_related("program", "drug")
        ]
        return {
            "patient": patient,
            "rows": rows,
            "end_form": EnrollmentEndForm(initial={"ended_on": today}),
            "can_edit": editable,
            "year": today.year,
        }

    return submit_form(
        request,
        form,
        save=lambda data: services.assistance_enroll(patient=patient, user=request.user, **data),
        message=lambda enrollment: f"Enrolled in {enrollment.program}.",
        done=reverse("authorizations:assistance", kwargs={"public_id": patient.public_id}),
        template="authorizations/patient_assistance.html",
        context=page,
    )


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def enrollment_end(request: OrgRequest, public_id: str) -> HttpResponse:
    enrollment = selectors.access_enrollment(organization=request.organization, public_id=public_id)
    form = EnrollmentEndForm(request.POST)
    if form.is_valid():
        try:
            services.assistance_enrollment_end(
                enrollment=enrollment,
                user=request.user,
                on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["end_reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Enrolment in {enrollment.program} ended.")
    else:
        messages.error(request, "Give the end date and the reason.")
    return redirect("authorizations:assistance", public_id=enrollment.patient.public_id)
