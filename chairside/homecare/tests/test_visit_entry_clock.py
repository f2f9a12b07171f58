"""An entry kept on the tablet while offline reaches the server later: the server keeps the
tablet's entered-at time (``client_entered_at``) beside its own receipt time (``created_at``)
and the page shows both when they are more than a few minutes apart; the tablet's clock never
refuses an entry."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chairside.homecare.models import HomeVitals
from chairside.homecare.tests import factories as hf
from chairside.rules.clinical.home_visit import CLOCK_GAP_MINUTES, clock_gap_minutes
from tests import factories as f

TZ = ZoneInfo("America/New_York")
DAY = dt.date(2026, 12, 8)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=TZ)


class TestRule:
    def test_close_times_show_one_time(self) -> None:
        assert clock_gap_minutes(at(10), at(10, CLOCK_GAP_MINUTES)) == 0
        assert clock_gap_minutes(None, at(10)) == 0

    def test_a_late_receipt_or_a_clock_ahead_shows_both(self) -> None:
        assert clock_gap_minutes(at(10), at(10, 42)) == 42
        assert clock_gap_minutes(at(11), at(10, 30)) == -30


@pytest.mark.django_db
class TestPage:
    @pytest.fixture(autouse=True)
    def clock(self) -> Iterator[Any]:
        with time_machine.travel(at(11), tick=False) as t:
            yield t

    @pytest.fixture
    def visit(self, org: Any, home: Any) -> Any:
        user = f.make_user(org, "nurse")
        nurse = hf.make_staff(org, "RN", user=user)
        patient = hf.make_home_patient(org, home, first_name="Rosa", last_name="Diaz")
        hf.make_home_order(patient, start_date=DAY - dt.timedelta(days=3))
        record = hf.make_visit(patient, home, DAY, nurse=nurse)
        return record, f.login(user)

    def _post(self, client: Any, record: Any, **extra: str) -> Any:
        return client.post(
            f"/homecare/visits/{record.public_id}/vitals/",
            {"client_id": str(uuid.uuid4()), "phase": "pre", "pulse": "76", **extra},
            HTTP_ACCEPT="application/json",
        )

    def test_a_queued_entry_keeps_the_tablets_time_beside_the_receipt(self, visit: Any) -> None:
        record, client = visit
        sent = self._post(client, record, taken_at="10:05", entered_at="2026-12-08T15:12:00Z")
        assert sent.status_code == 201, sent.content
        row = HomeVitals.objects.get()
        assert row.client_entered_at == at(10, 12)
        assert row.created_at == at(11)
        assert row.clock_gap == 48
        page = client.get(f"/homecare/visits/{record.public_id}/").content.decode()
        assert "saved 12/08 10:12 by the tablet's clock" in page
        assert "received 12/08 11:00 by the server" in page

    def test_an_empty_time_means_when_it_was_saved_not_received(self, visit: Any) -> None:
        record, client = visit
        assert self._post(client, record, entered_at="2026-12-08T15:20:00Z").status_code == 201
        assert HomeVitals.objects.get().taken_at == at(10, 20)

    def test_an_entry_sent_at_once_shows_one_time(self, visit: Any) -> None:
        record, client = visit
        assert self._post(client, record, taken_at="10:55").status_code == 201
        row = HomeVitals.objects.get()
        assert (row.client_entered_at, row.clock_gap) == (None, 0)
        page = client.get(f"/homecare/visits/{record.public_id}/").content.decode()
        assert "by the tablet" not in page

    @pytest.mark.parametrize("bad", ["yesterday", "1800-01-01T00:00:00Z", "2026-12-08T10:00"])
    def test_a_bad_tablet_clock_never_refuses_the_entry(self, visit: Any, bad: str) -> None:
        record, client = visit
        assert self._post(client, record, taken_at="10:05", entered_at=bad).status_code == 201
        assert HomeVitals.objects.get().client_entered_at is None
