"""The patient chart's "Drug from inventory" section: own stock and what was dispensed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from chairside.inventory.models import Lot, Movement
from chairside.patients.chart import register_chart_section


@register_chart_section
def inventory_section(request: HttpRequest, patient: Any) -> str:
    own = Lot.objects.filter(patient=patient, on_hand__gt=0).select_related(
        "package__drug", "storage_place__location"
    )
    given = (
        Movement.objects.filter(
            patient=patient, kind__in=[Movement.Kind.DISPENSE, Movement.Kind.WASTE]
        )
        .select_related("lot__package__drug")
        .order_by("-at", "-id")[:10]
    )
    if not own and not given:
        return ""
    context = {"patient": patient, "own_lots": own, "movements": given}
    return render_to_string("inventory/_chart_section.html", context, request=request)
