"""A dose prepared and then not given is recorded with its cost and reason, and the
dashboard shows those doses per month (issue 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chairside.analytics import not_given, panels
from chairside.analytics import selectors as analytics
from chairside.scheduling import services as scheduling
from chairside.treatments import services
from chairside.treatments.models import PreparedNotGiven
from chairside.treatments.tests import factories as tf
from tests import factories as f

pytestmark = pytest.mark.django_db


def _prepared(visit: Any, nurse_user: Any, lot: Any) -> Any:
    visit = tf.do_checks(visit, nurse_user)
    services.preparation_dispense(visit=visit, user=nurse_user, picks=[(lot, 4)])
    return visit


class TestRecording:
    def test_a_cancellation_after_preparation_is_recorded_with_the_vials_cost(
        self, visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        visit = _prepared(visit, nurse_user, lot)
        scheduling.appointment_cancel(
            appointment=visit.appointment, user=nurse_user, reason_code="illness"
        )
        row = PreparedNotGiven.objects.get()
        assert (row.reason, row.detail, row.cost) == (
            "cancelled",
            "Patient unwell / infection",
            Decimal("1320.00"),  # 4 vials at $330.00
        )
        assert row.vials == [
            {
                "lot": "AB1234",
                "ndc": lot.package.ndc,
                "strength_mg": "100",
                "vials": 4,
                "cost_per_vial": "330.00",
            }
        ]
        assert (row.visit, row.on_date) == (visit, tf.DAY)

    def test_a_cancellation_before_anything_was_dispensed_records_nothing(
        self, visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        scheduling.appointment_cancel(
            appointment=visit.appointment, user=nurse_user, reason_code="illness"
        )
        assert not PreparedNotGiven.objects.exists()

    def test_a_dose_held_at_the_chair_after_preparation_is_recorded(
        self, visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        visit = _prepared(visit, nurse_user, lot)
        services.visit_update(
            visit=visit, user=nurse_user, dose_held=True, held_reason="ANC below 1000"
        )
        row = PreparedNotGiven.objects.get()
        assert (row.reason, row.detail, row.cost) == ("held", "ANC below 1000", Decimal("1320"))
        # Held, then released and held again: still one record of the dose.
        services.visit_update(visit=visit, user=nurse_user, dose_held=False)
        services.visit_update(visit=visit, user=nurse_user, dose_held=True)
        assert PreparedNotGiven.objects.count() == 1


class TestTheDashboard:
    def test_it_shows_the_month_and_the_list_drills_into_it(
        self, org: Any, visit: Any, nurse_user: Any, lot: Any
    ) -> None:
        visit = _prepared(visit, nurse_user, lot)
        scheduling.appointment_cancel(
            appointment=visit.appointment, user=nurse_user, reason_code="transport"
        )
        months = not_given.by_month(organization=org, location=None, today=tf.DAY)
        assert len(months) == 12 and months[0][0] == dt.date(2026, 1, 1)
        assert months[-1] == (dt.date(2026, 12, 1), 1, Decimal("1320.00"))
        assert sum(n for _, n, _ in months) == 1
        view = panels.prepared_not_given_panel(
            analytics.DashboardFilter(org, None, dt.date(2026, 11, 1), tf.DAY)
        )
        assert view.stats[:2] == [("Doses", 1), ("Drug cost lost", "$1,320")]
        client = f.login(f.make_user(org, "admin"))
        assert "Doses prepared and not given" in client.get("/reports/").content.decode()
        page = client.get("/reports/prepared-not-given/?month=2026-12").content.decode()
        assert "Hopper, Grace" in page and "Appointment cancelled" in page and "1,320.00" in page
        page = client.get("/reports/prepared-not-given/?month=2026-11").content.decode()
        assert "No dose prepared and not given in November 2026" in page
