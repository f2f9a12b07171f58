from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chairside.audit.models import AuditEvent, AuditEventPatient


def audit_events(*, organization: Any, patient_id: Any = None) -> QuerySet[AuditEvent]:
    """The organization's audit trail, newest first; optionally one patient's."""
    events = AuditEvent.objects.filter(organization=organization).select_related("user")
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    return events


def patient_reads(*, organization: Any, patient_id: Any) -> QuerySet[AuditEventPatient]:
    """Who looked at one patient's chart, newest first: every page or API call that showed
    the patient, with the member, their role then, the time and the path (HIPAA accounting
    of access). Indexed on ``(patient_id, -at)``."""
    return (
        AuditEventPatient.objects.filter(patient_id=patient_id, event__organization=organization)
        .select_related("event", "event__user")
        .order_by("-at", "-id")
    )
