"""Background jobs of the interfaces (Celery; chairside/celery.py)."""

from __future__ import annotations

from celery import shared_task

from chairside.interop.eligibility import eligibility_recheck
from chairside.tenancy.models import Organization


@shared_task(name="chairside.interop.tasks.recheck_eligibility")
def recheck_eligibility() -> dict[str, int]:
    """Nightly: re-check eligibility (X12 270) before the coming appointments; flag what the
    271 says differently from the verified benefits (readiness board, access queue).

    Idempotent: a coverage checked within CHAIRSIDE_ELIGIBILITY_RECHECK_AFTER_DAYS is not
    asked again.
    """
    total = {"sent": 0, "collected": 0, "flagged": 0, "refused": 0}
    for org in Organization.objects.all():
        for key, value in eligibility_recheck(organization=org).items():
            total[key] += value
    return total
