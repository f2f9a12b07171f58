"""The patient chart's assistance section: the patient's copay, foundation and free-drug
enrolments with what is left this year, and the way to enrol."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from chairside.access.authorizations.services.assistance import enrollment_remaining
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm


def assistance_chart_section(request: HttpRequest, patient: Any) -> str:
    if not can(request, Perm.PATIENT_VIEW):
        return ""
    today = timezone.localdate()
    rows = [
        {"enrollment": e, "remaining": enrollment_remaining(e, today.year)}
        for e in patient.assistance_enrollments.select_related("program", "drug")
        if e.is_active_on(today)
    ]
    context = {"patient": patient, "rows": rows, "can_edit": can(request, Perm.ACCESS_EDIT)}
    return render_to_string("authorizations/_chart_assistance.html", context, request=request)
