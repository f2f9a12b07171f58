"""Background jobs: run once however often they are delivered; failures are recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from chairside.core.jobs import job_run
from chairside.core.models import BackgroundJob

pytestmark = pytest.mark.django_db


def _job(org: Any) -> BackgroundJob:
    return BackgroundJob.objects.create(organization=org, kind=BackgroundJob.Kind.OPTIMIZE_DAY)


def test_a_job_delivered_twice_does_its_work_once(org: Any) -> None:
    job, calls = _job(org), []

    def work(j: BackgroundJob) -> dict[str, Any]:
        calls.append(j.pk)
        return {"answer": 42}

    assert job_run(job.pk, work) == "done"
    assert job_run(job.pk, work) == "done"
    job.refresh_from_db()
    assert calls == [job.pk]
    assert (job.result, job.attempts) == ({"answer": 42}, 1)
    assert job.started_at is not None and job.finished_at is not None


def test_a_refused_job_records_the_reason_and_is_not_run_again(org: Any) -> None:
    job = _job(org)

    def work(j: BackgroundJob) -> dict[str, Any]:
        raise ValidationError("The day is closed.")

    assert job_run(job.pk, work) == "failed"
    assert job_run(job.pk, lambda j: {"late": True}) == "failed"
    job.refresh_from_db()
    assert (job.error, job.result, job.attempts) == ("The day is closed.", {}, 1)


def test_an_unexpected_error_is_recorded_without_its_details(org: Any) -> None:
    job = _job(org)

    def work(j: BackgroundJob) -> dict[str, Any]:
        raise KeyError("Hopper, Grace")

    assert job_run(job.pk, work) == "failed"
    job.refresh_from_db()
    assert "KeyError" in job.error and "Hopper" not in job.error
