"""The patient chart's "Visits" section: recent visits, their reports, the consent on file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from chairside.patients.chart import register_chart_section
from chairside.treatments.models import Consent
from chairside.treatments.selectors import patient_visits


@register_chart_section
def visits_section(request: HttpRequest, patient: Any) -> str:
    visits = list(patient_visits(patient)[:10])
    consents = list(
        Consent.objects.filter(patient=patient, revoked_at__isnull=True).select_related("drug")[:5]
    )
    if not visits and not consents:
        return ""
    context = {"patient": patient, "visits": visits, "consents": consents}
    return render_to_string("treatments/_chart_section.html", context, request=request)
