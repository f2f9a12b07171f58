from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chairside.audit.models import AuditEvent


def audit_events(*, organization: Any, patient_id: Any = None) -> QuerySet[AuditEvent]:
    """The organization's audit trail, newest first; optionally one patient's."""
    events = AuditEvent.objects.filter(organization=organization).select_related("user")
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    return events


def recent_login_failures(*, username: str, ip_address: str | None, window_seconds: int) -> int:
    """Failed log-ins for this user name within the window, or a quarter of those from its address.

    An office shares one public address, so one address is allowed four times the failures
    of one user name before it is refused too.
    """
    since = timezone.now() - dt.timedelta(seconds=window_seconds)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since)
    by_name = failures.filter(username=username.lower()).count()
    by_ip = failures.filter(ip_address=ip_address).count() if ip_address else 0
    return max(by_name, by_ip // 4)
