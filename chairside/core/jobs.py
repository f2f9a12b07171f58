"""Start and run background jobs (``BackgroundJob`` rows worked by Celery tasks).

``job_start`` records the job and queues its task once the row is committed; ``job_run``
is what a task calls: it locks the row, skips a job that already finished (so a task
delivered twice, or retried after its worker died, does the work once), runs the work and
records its result or the reason it failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.core.actors import acting_user
from chairside.core.models import BackgroundJob

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def job_start(
    *, organization: Any, kind: str, params: dict[str, Any], user: User, task: Any
) -> BackgroundJob:
    """Record a job and queue ``task(job_pk)``.

    With ``CELERY_TASK_ALWAYS_EAGER`` (the tests) the job runs here and now.
    """
    job = BackgroundJob.objects.create(
        organization=organization,
        kind=kind,
        params=params,
        created_by=acting_user(user),
    )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.apply(args=(job.pk,))
        job.refresh_from_db()
    else:
        pk = job.pk
        transaction.on_commit(lambda: task.delay(pk))
    return job


def job_run(job_pk: int, work: Callable[[BackgroundJob], dict[str, Any]]) -> str:
    """Run ``work(job)`` once for the job; returns the job's final status."""
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None:
            return "gone"
        if job.is_finished:
            return job.status  # delivered again: the work was done (or refused) already
        job.status, job.started_at = BackgroundJob.Status.RUNNING, timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts", "updated_at"])
    try:
        result = work(job)
    except ValidationError as exc:
        job.status, job.error = BackgroundJob.Status.FAILED, " ".join(exc.messages)
    except Exception as exc:  # the worker must record any failure, then report it
        logger.exception("Background job %s (%s) failed", job.public_id, job.kind)
        job.status = BackgroundJob.Status.FAILED
        job.error = f"The job stopped on an error ({type(exc).__name__}); try again."
    else:
        job.status, job.result = BackgroundJob.Status.DONE, result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at", "updated_at"])
    return job.status
