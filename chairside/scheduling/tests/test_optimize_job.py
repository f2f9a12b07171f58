"""'Optimize this day' as a background job: polled by the board, run once, found again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from chairside.core.models import BackgroundJob
from chairside.scheduling import services
from chairside.scheduling.models import Appointment
from chairside.scheduling.tasks import optimize_day
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.factories import DAY, at
from tests import factories as f

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


@pytest.fixture
def day(org: Any, location: Any, coordinator: Any, monkeypatch: Any) -> str:
    monkeypatch.setattr("chairside.scheduling.services.optimize.OPTIMIZE_SECONDS", 2.0)
    sf.make_shift(sf.make_nurse(org), location)
    for n in range(3):
        services.appointment_book(
            organization=org,
            user=coordinator,
            order=sf.make_order(f.make_patient(org), location=location),
            chair=location.chairs.get(name=f"C0{n + 1}"),
            start=at("09:00"),
            earliest_start=at("07:00"),
            latest_end=at("15:30"),
        )
    return f"?location={location.public_id}&date={DAY.isoformat()}"


def _job(org: Any, location: Any) -> BackgroundJob:
    return BackgroundJob.objects.create(
        organization=org,
        kind=BackgroundJob.Kind.OPTIMIZE_DAY,
        params={"location": str(location.public_id), "day": DAY.isoformat()},
    )


def test_the_job_run_twice_proposes_once_and_moves_nothing(
    org: Any, location: Any, day: str
) -> None:
    job = _job(org, location)
    before = sorted(Appointment.objects.values_list("pk", "start", "chair_id"))
    assert optimize_day.delay(job.pk).get() == "done"
    job.refresh_from_db()
    result = job.result
    assert result["moves"]  # three patients at 09:00 in a 07:00-15:30 window: spread them
    assert optimize_day.delay(job.pk).get() == "done"
    job.refresh_from_db()
    assert (job.result, job.attempts) == (result, 1)
    assert sorted(Appointment.objects.values_list("pk", "start", "chair_id")) == before


def test_while_the_job_waits_the_board_polls_it_and_then_shows_the_proposal(
    org: Any, location: Any, day: str, coordinator: Any
) -> None:
    job = _job(org, location)  # queued: no worker has taken it yet
    client = f.login(coordinator)
    url = reverse("scheduling:optimize_job", args=[job.public_id])
    waiting = client.get(url, headers=HTMX).content.decode()
    assert "Waiting for a worker" in waiting and f'hx-get="{url}"' in waiting
    # The coordinator left and came back: the board picks the job up again.
    board = client.get(reverse("scheduling:board") + day).content.decode()
    assert f'hx-get="{url}"' in board
    optimize_day.delay(job.pk)
    done = client.get(url, headers=HTMX).content.decode()
    assert "Accept and apply" in done


def test_another_organizations_job_is_not_found(
    org: Any, other_org: Any, location: Any, coordinator: Any
) -> None:
    job = _job(other_org, f.make_location(other_org, chairs=1))
    url = reverse("scheduling:optimize_job", args=[job.public_id])
    assert f.login(coordinator).get(url, headers=HTMX).status_code == 404
