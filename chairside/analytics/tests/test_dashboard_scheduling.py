from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.analytics import selectors
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests.factories import TZ, make_order
from tests import factories as f


def book(order: Any, chair: Any, day: dt.date, hour: int, *, status: str, dose: int) -> Any:
    start = dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    return Appointment.objects.create(
        organization=order.organization,
        patient=order.patient,
        order=order,
        location=chair.location,
        chair=chair,
        start=start,
        end=start + dt.timedelta(hours=2),
        status=status,
        dose_number=dose,
    )


@pytest.fixture
def week(org: Any) -> Any:
    """Mon Jun 1 2026: three completed, one no-show, one cancelled at one site."""
    site = f.make_location(org, chairs=2)
    chairs = list(site.chairs.all())
    order = make_order(f.make_patient(org, home_location=site))
    monday = dt.date(2026, 6, 1)
    book(order, chairs[0], monday, 9, status="completed", dose=1)
    book(order, chairs[1], monday, 9, status="completed", dose=2)
    book(order, chairs[0], monday + dt.timedelta(days=1), 9, status="completed", dose=3)
    book(order, chairs[0], monday + dt.timedelta(days=2), 9, status="no_show", dose=4)
    book(order, chairs[0], monday + dt.timedelta(days=3), 9, status="cancelled", dose=5)
    return site


class TestSchedulingPanels:
    @pytest.fixture(autouse=True)
    def _later(self) -> Any:
        with time_machine.travel(dt.datetime(2026, 6, 20, 12, tzinfo=dt.UTC), tick=False):
            yield

    def test_it_counts_treatments_no_shows_and_cancellations(
        self, admin_client: Any, week: Any
    ) -> None:
        response = admin_client.get(
            reverse("analytics:home"), {"start": "2026-06-01", "end": "2026-06-14"}
        )
        panels = {p.key: p for p in response.context["panels"]}
        assert dict(panels["treatments"].stats)["Treatments in range"] == 3
        outcomes = dict(panels["outcomes"].stats)
        assert outcomes["No-show rate"] == "25.0%"  # 1 of the 4 due to come
        assert outcomes["Cancellation rate"] == "20.0%"  # 1 of 5 due
        assert b'table class="heat"' in response.content

    def test_the_heatmap_fills_the_booked_hours(self, org: Any, week: Any) -> None:
        f_ = selectors.DashboardFilter(org, week, dt.date(2026, 6, 1), dt.date(2026, 6, 7))
        heat = selectors.chair_heatmap(f_)
        assert heat is not None
        monday = dict(heat.rows)["Mon"]
        # Both chairs booked 9-11 on the one Monday of the range: 100% at 9:00 and 10:00.
        assert monday[heat.hours.index(9)] == 1.0
        assert monday[heat.hours.index(10)] == 1.0
        assert monday[heat.hours.index(11)] == 0.0
        assert dict(heat.rows)["Wed"][heat.hours.index(9)] == 0.0  # a no-show frees the chair

    def test_it_leaves_out_another_organizations_appointments(
        self, admin_client: Any, other_org: Any, week: Any
    ) -> None:
        site = f.make_location(other_org, chairs=1)
        patient = f.make_patient(other_org)
        book(
            make_order(patient),
            site.chairs.first(),
            dt.date(2026, 6, 2),
            13,
            status="completed",
            dose=1,
        )
        response = admin_client.get(
            reverse("analytics:home"), {"start": "2026-06-01", "end": "2026-06-14"}
        )
        panels = {p.key: p for p in response.context["panels"]}
        assert dict(panels["treatments"].stats)["Treatments in range"] == 3


class TestManagementFeeOwed:
    def test_it_charges_the_fee_per_completed_treatment_in_the_range(self, db: Any) -> None:
        from decimal import Decimal

        from chairside.analytics.models import ManagementFeeTerms
        from chairside.tenancy.models import Organization

        company = f.make_org("Summit", kind=Organization.Kind.MANAGEMENT_COMPANY)
        client = f.make_org("Client", managed_by=company)
        ManagementFeeTerms.objects.create(
            client=client,
            basis="per_treatment",
            fee_per_treatment=Decimal("45.00"),
            effective_from=dt.date(2026, 1, 1),
        )
        site = f.make_location(client, chairs=1)
        order = make_order(f.make_patient(client, home_location=site))
        chair = site.chairs.first()
        book(order, chair, dt.date(2026, 6, 1), 9, status="completed", dose=1)
        book(order, chair, dt.date(2026, 6, 2), 9, status="completed", dose=2)
        book(order, chair, dt.date(2026, 6, 3), 9, status="no_show", dose=3)
        book(order, chair, dt.date(2026, 7, 1), 9, status="completed", dose=4)  # outside
        manager = f.login(f.make_user(company, "admin"))
        response = manager.get(
            reverse("analytics:home"), {"start": "2026-06-01", "end": "2026-06-30"}
        )
        [row] = response.context["clients"]
        assert row.treatments == 2
        assert row.fee_owed == Decimal("90.00")
        assert b"$90.00" in response.content
