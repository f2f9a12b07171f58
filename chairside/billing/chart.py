"""The patient chart's billing section: the patient's claims and what is still owed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm


def billing_chart_section(request: HttpRequest, patient: Any) -> str:
    if not can(request, Perm.BILLING_VIEW):
        return ""
    from chairside.billing.models import PatientLedgerEntry
    from chairside.billing.selectors import patient_claims
    from chairside.billing.services import patient_balance

    claims = patient_claims(organization=request.organization, patient=patient)[:10]  # type: ignore[attr-defined]
    has_account = PatientLedgerEntry.objects.filter(patient=patient).exists()
    if not claims and not has_account:
        return ""
    context = {
        "claims": claims,
        "patient": patient,
        "has_account": has_account,
        "balance": patient_balance(patient=patient) if has_account else None,
    }
    return render_to_string("billing/_chart_claims.html", context, request=request)
