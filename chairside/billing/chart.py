"""The patient chart's billing section: the patient's claims and what is still owed."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from chairside.billing.models import PatientLedgerEntry
from chairside.billing.selectors import patient_claims
from chairside.billing.services import patient_balance, visit_copay_due
from chairside.tenancy.access import OrgRequest, can
from chairside.tenancy.roles import Perm


def billing_chart_section(request: OrgRequest, patient: Any) -> str:
    sees_claims = can(request, Perm.BILLING_VIEW)
    if not sees_claims and not can(request, Perm.PAYMENT_TAKE):
        return ""

    claims = (
        patient_claims(organization=request.organization, patient=patient)[:10]
        if sees_claims
        else []
    )
    has_account = PatientLedgerEntry.objects.filter(patient=patient).exists()
    copay = visit_copay_due(patient=patient, day=timezone.localdate())
    if not claims and not has_account and copay is None:
        return ""
    context = {
        "copay_today": copay,
        "sees_claims": sees_claims,
        "claims": claims,
        "patient": patient,
        "has_account": has_account,
        "balance": patient_balance(patient=patient) if has_account else None,
    }
    return render_to_string("billing/_chart_claims.html", context, request=request)
