"""Background jobs of the schedule: "Optimize this day" (Celery; chairside/celery.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from chairside.core.jobs import job_run
from chairside.core.models import BackgroundJob
from chairside.scheduling.services.optimize import day_optimize_propose, proposal_to_data
from chairside.tenancy.models import Location


def _optimize(job: BackgroundJob) -> dict[str, Any]:
    location = Location.objects.get(organization=job.organization, public_id=job.params["location"])
    proposal = day_optimize_propose(location=location, day=dt.date.fromisoformat(job.params["day"]))
    return proposal_to_data(proposal)


@shared_task(name="chairside.scheduling.tasks.optimize_day")
def optimize_day(job_pk: int) -> str:
    """Run the optimizer on a day and store its proposal on the job (nothing else written).

    Idempotent: a job already finished is not run again; the proposal only reads the day.
    """
    return job_run(job_pk, _optimize)
