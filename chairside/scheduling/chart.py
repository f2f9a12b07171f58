"""The patient chart's "Appointments" section: upcoming and past visits, and what to book."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.patients.chart import register_chart_section
from chairside.rules.scheduling import appointment_states as states
from chairside.scheduling.selectors import patient_appointments
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm

PAST_SHOWN = 12


@register_chart_section
def appointments_section(request: HttpRequest, patient: Any) -> str:
    if not can(request, Perm.SCHEDULE_VIEW):
        return ""
    now = timezone.now()
    rows = list(patient_appointments(patient)[:80])
    upcoming = sorted(
        (a for a in rows if a.end >= now and a.status in states.OCCUPYING), key=lambda a: a.start
    )
    past = [a for a in rows if a not in upcoming][:PAST_SHOWN]
    orders = TreatmentOrder.objects.filter(
        patient=patient, status=TreatmentOrder.Status.ACTIVE
    ).select_related("drug")
    context = {
        "patient": patient,
        "upcoming": upcoming,
        "past": past,
        "orders": orders,
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
        "missed": sum(1 for a in rows if a.status == states.NO_SHOW),
    }
    return render_to_string("scheduling/_chart_section.html", context, request=request)
