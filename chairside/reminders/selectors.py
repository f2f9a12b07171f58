"""Reads of the reminders app (always within one organization)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from chairside.reminders.models import RescheduleRequest


def open_reschedule_requests(*, organization: Any) -> QuerySet[RescheduleRequest]:
    return RescheduleRequest.objects.filter(
        organization=organization, handled_at__isnull=True
    ).select_related("appointment__patient", "appointment__location")


def access_reschedule_request(*, organization: Any, public_id: Any) -> RescheduleRequest:
    """One patient's request to reschedule, of this organization, or 404."""
    return get_object_or_404(RescheduleRequest, organization=organization, public_id=public_id)
