from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from chairside.tenancy.models import Organization
from tests import factories as f


class TestDashboard:
    @pytest.fixture(autouse=True)
    def _mid_june(self) -> Any:
        with time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False):
            yield

    def test_it_shows_the_panels_whose_data_exists(
        self, admin_client: Any, org: Any, location: Any
    ) -> None:
        patient = f.make_patient(org, home_location=f.make_location(org, chairs=2))
        f.make_coverage(patient, f.make_payer(org))
        response = admin_client.get(reverse("analytics:home"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "New patients per week" in content
        assert "Payer mix of active patients" in content
        assert "Chair-hours open per week" in content

    def test_it_says_honestly_when_there_is_nothing(self, admin_client: Any) -> None:
        content = admin_client.get(reverse("analytics:home")).content.decode()
        assert "No patient was registered in this date range." in content
        assert "No active patient has a primary coverage on file." in content

    def test_it_filters_by_location_and_dates(self, admin_client: Any, org: Any) -> None:
        here, there = f.make_location(org, chairs=3), f.make_location(org, chairs=5)
        f.make_patient(org, home_location=here)
        f.make_patient(org, home_location=there)
        f.make_patient(org, home_location=there)
        response = admin_client.get(
            reverse("analytics:home"),
            {"location": here.pk, "start": "2026-06-01", "end": "2026-06-30"},
        )
        panels = response.context["panels"]
        patients = next(p for p in panels if p.key == "patients")
        capacity = next(p for p in panels if p.key == "capacity")
        assert dict(patients.stats)["Active patients"] == 1
        assert dict(capacity.stats)["Chairs"] == 3

    def test_it_returns_the_panels_alone_to_htmx(self, admin_client: Any) -> None:
        response = admin_client.get(reverse("analytics:home"), HTTP_HX_REQUEST="true")
        assert b"<html" not in response.content
        assert b"panel-grid" in response.content

    def test_it_rejects_a_backwards_range(self, admin_client: Any) -> None:
        response = admin_client.get(
            reverse("analytics:home"), {"start": "2026-06-10", "end": "2026-06-01"}
        )
        assert response.status_code == 400
        assert b"The start date is after the end date." in response.content

    def test_it_refuses_another_organizations_location(
        self, admin_client: Any, other_org: Any
    ) -> None:
        theirs = f.make_location(other_org, chairs=9)
        response = admin_client.get(reverse("analytics:home"), {"location": theirs.pk})
        assert response.status_code == 400
        assert response.context["filter"].location is None

    def test_it_forbids_a_role_without_reports(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        assert nurse.get(reverse("analytics:home")).status_code == 403

    def test_the_reports_item_appears_in_the_navigation(self, admin_client: Any) -> None:
        response = admin_client.get(reverse("today"))
        assert b'href="/reports/"' in response.content


class TestManagementCompanyView:
    def test_it_shows_every_client_side_by_side(self, db: Any) -> None:
        company = f.make_org("Summit", kind=Organization.Kind.MANAGEMENT_COMPANY)
        one = f.make_org("Client One", managed_by=company)
        two = f.make_org("Client Two", managed_by=company)
        f.make_org("Not a client")
        f.make_location(one, chairs=4)
        f.make_patient(two)
        manager = f.login(f.make_user(company, "admin"))
        response = manager.get(reverse("analytics:home"))
        clients = {c.organization.name: c for c in response.context["clients"]}
        assert set(clients) == {"Client One", "Client Two"}
        assert clients["Client One"].chairs == 4
        assert clients["Client Two"].active_patients == 1
        assert b"not set" in response.content
