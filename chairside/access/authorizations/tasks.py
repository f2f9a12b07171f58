"""Background jobs of benefits and authorizations (Celery; chairside/celery.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from chairside.access.authorizations.services import authorizations_expire
from chairside.tenancy.models import Organization


@shared_task(name="chairside.access.authorizations.tasks.expire_authorizations")
def expire_authorizations() -> int:
    """Nightly: mark approvals whose end date has passed as expired (audited).

    Idempotent: an approval is expired once; a second run finds nothing left to expire.
    """
    today = timezone.localdate()
    return sum(
        authorizations_expire(organization=org, today=today) for org in Organization.objects.all()
    )
