"""Patient-assistance programs: the catalog, and each patient's enrolments with what is left."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.access.authorizations import services
from chairside.access.authorizations.forms import (
    AssistanceProgramForm,
    EnrollmentEndForm,
    EnrollmentForm,
)
from chairside.access.authorizations.models import AssistanceEnrollment, AssistanceProgram
from chairside.access.referrals.views._util import status_for
from chairside.core.forms_util import add_service_errors
from chairside.patients.selectors import access_patient
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm


@require_perm(Perm.PATIENT_VIEW)
def programs(request: OrgRequest) -> HttpResponse:
    editable = can(request, Perm.ACCESS_EDIT)
    form = AssistanceProgramForm(
        request.POST if editable and request.method == "POST" else None,
        organization=request.organization,
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            program = services.assistance_program_create(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{program} added.")
            return redirect("authorizations:assistance_programs")
    rows = AssistanceProgram.objects.filter(organization=request.organization).select_related(
        "drug"
    )
    context = {"programs": rows, "form": form, "can_edit": editable}
    return render(
        request, "authorizations/assistance_programs.html", context, status=status_for(request)
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
    if request.method == "POST" and editable and form.is_valid():
        try:
            enrollment = services.assistance_enroll(
                patient=patient, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Enrolled in {enrollment.program}.")
            return redirect("authorizations:assistance", public_id=patient.public_id)
    rows = [
        {
            "enrollment": e,
            "active": e.is_active_on(today),
            "used": services.enrollment_used(e, today.year),
            "remaining": services.enrollment_remaining(e, today.year),
        }
        for e in patient.assistance_enrollments.select_related("program", "drug")
    ]
    context = {
        "patient": patient,
        "rows": rows,
        "form": form,
        "end_form": EnrollmentEndForm(initial={"ended_on": today}),
        "can_edit": editable,
        "year": today.year,
    }
    return render(
        request, "authorizations/patient_assistance.html", context, status=status_for(request)
    )


@require_POST
@require_perm(Perm.ACCESS_EDIT)
def enrollment_end(request: OrgRequest, public_id: str) -> HttpResponse:
    enrollment = get_object_or_404(
        AssistanceEnrollment, organization=request.organization, public_id=public_id
    )
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
