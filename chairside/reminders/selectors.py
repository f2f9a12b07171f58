"""Reads of the reminders app (always within one organization)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from chairside.reminders.models import RescheduleRequest


def open_reschedule_requests(*, organization: Any) -> QuerySet[RescheduleRequest]:
    return RescheduleRequest.objects.filter(
        organization=organization, handled_at__isnull=True
    ).select_related("appointment__patient", "appointment__location")
