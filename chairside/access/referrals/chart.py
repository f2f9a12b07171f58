"""The patient chart's "Treatment orders, access and labs" section."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from chairside.access.referrals import selectors
from chairside.patients.chart import register_chart_section
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm


@register_chart_section
def orders_section(request: HttpRequest, patient: Any) -> str:
    orders = list(selectors.orders_for_patient(patient).prefetch_related("required_labs"))
    rows = [
        {"order": o, "next_dose": selectors.next_dose_on(o) if o.status == "active" else None}
        for o in orders
    ]
    context = {
        "patient": patient,
        "rows": rows,
        "referrals": patient.referrals.select_related("referring_provider", "requested_drug"),
        "labs": selectors.patient_labs(patient)[:12],
        "can_edit": can(request, Perm.ACCESS_EDIT) or can(request, Perm.ORDER_SIGN),
        "can_lab": can(request, Perm.ACCESS_EDIT) or can(request, Perm.CLINICAL_EDIT),
    }
    return render_to_string("referrals/_chart_section.html", context, request=request)
