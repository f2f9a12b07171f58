"""A large 835 is posted by a background job, once however often the job runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.billing.models import Remittance
from chairside.billing.simulate import simulated_835
from chairside.billing.tasks import import_835
from chairside.billing.tests import factories as bf
from chairside.billing.tests.test_remittance_import import PAID_ON, submitted
from chairside.core.models import BackgroundJob

pytestmark = pytest.mark.django_db


def test_the_import_job_run_twice_posts_the_file_once(org: Any) -> None:
    bf.billable_org(org)
    claim = submitted(org, bf.medicare(org))
    text = simulated_835([claim], trace="EFT-JOB", paid_on=PAID_ON)
    job = BackgroundJob.objects.create(
        organization=org,
        kind=BackgroundJob.Kind.IMPORT_835,
        params={"filename": "week.835", "text": text},
    )
    assert import_835.delay(job.pk).get() == "done"
    assert import_835.delay(job.pk).get() == "done"
    assert Remittance.objects.filter(trace_number="EFT-JOB").count() == 1
    job.refresh_from_db()
    assert job.params == {"filename": "week.835"}  # the file is kept on the remittance only
    remittance = Remittance.objects.get()
    assert job.result["remittance"] == str(remittance.public_id)


def test_a_large_upload_goes_to_the_background_and_its_outcome_is_listed(
    org: Any, biller_client: Any, monkeypatch: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bf.billable_org(org)
    claim = submitted(org, bf.medicare(org))
    text = simulated_835([claim], trace="EFT-BIG", paid_on=PAID_ON)
    monkeypatch.setattr("chairside.billing.views.work.REMITTANCE_BACKGROUND_BYTES", 100)
    upload = SimpleUploadedFile("big.835", text.encode("ascii"))
    response = biller_client.post(reverse("billing:remittances"), {"file": upload}, follow=True)
    html = response.content.decode()
    assert "being posted in the background" in html
    assert "big.835" in html and "EFT-BIG" in html  # ran at once here (eager), linked
    assert BackgroundJob.objects.get().status == "done"
