from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chairside.audit.models import AuditEvent


def audit_events(*, organization: Any, patient_id: Any = None) -> QuerySet[AuditEvent]:
    """The organization's audit trail, newest first; optionally one patient's."""
    events = AuditEvent.objects.filter(organization=organization).select_related("user")
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    return events
