"""Background jobs of billing: posting a large 835 remittance (Celery; chairside/celery.py)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from chairside.billing.services import remittance_import
from chairside.core.jobs import job_run
from chairside.core.models import BackgroundJob


def _import(job: BackgroundJob) -> dict[str, Any]:
    remittance = remittance_import(
        organization=job.organization,
        text=job.params["text"],
        filename=job.params["filename"],
        user=job.created_by,
    )
    # The file is kept on the remittance itself; the job need not hold a second copy.
    job.params = {"filename": job.params["filename"]}
    job.save(update_fields=["params", "updated_at"])
    return {
        "remittance": str(remittance.public_id),
        "label": f"{remittance.payer_name} {remittance.trace_number}",
    }


@shared_task(name="chairside.billing.tasks.import_835")
def import_835(job_pk: int) -> str:
    """Post an uploaded 835 in the background.

    Idempotent: a finished job is not run again, and the import itself refuses a payment
    (payer + trace number) that was posted already, so nothing is posted twice.
    """
    return job_run(job_pk, _import)
