"""Delivery tickets and home visits: items from the stock ledger checked, homes required,
organizations kept apart; the API does what the pages do."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.homecare import services
from chairside.homecare.models import HomeVisit, RoutePlan
from chairside.homecare.tests import factories as hf
from chairside.inventory.tests import factories as inv
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot(org: Any, home: Any) -> Any:
    drug = inv.make_drug(org)
    return inv.make_lot(inv.make_place(home), inv.package(drug), vials=3)


class TestDeliveryItems:
    def test_it_takes_a_drug_by_its_lot(self, org: Any, home: Any, lot: Any) -> None:
        patient = hf.make_home_patient(org, home)
        ticket = hf.make_delivery(
            patient,
            home,
            timezone.localdate(),
            items=[services.ItemIn(Decimal(2), lot=lot, unit="vial")],
        )
        [item] = ticket.items.all()
        assert item.lot == lot and item.description == str(lot)

    def test_it_refuses_more_vials_than_on_hand(self, org: Any, home: Any, lot: Any) -> None:
        patient = hf.make_home_patient(org, home)
        with pytest.raises(ValidationError, match="3 vials on hand"):
            hf.make_delivery(
                patient,
                home,
                timezone.localdate(),
                items=[services.ItemIn(Decimal(4), lot=lot, unit="vial")],
            )

    def test_it_refuses_a_lot_expired_by_the_delivery_day(
        self, org: Any, home: Any, lot: Any
    ) -> None:
        patient = hf.make_home_patient(org, home)
        later = lot.expires_on + dt.timedelta(days=1)  # usable through its expiry date
        with pytest.raises(ValidationError, match="expires"):
            hf.make_delivery(patient, home, later, items=[services.ItemIn(Decimal(1), lot=lot)])

    def test_it_refuses_another_organizations_lot(
        self, org: Any, other_org: Any, home: Any
    ) -> None:
        other_home = hf.make_home_location(other_org)
        drug = inv.make_drug(other_org)
        foreign = inv.make_lot(inv.make_place(other_home), inv.package(drug))
        patient = hf.make_home_patient(org, home)
        with pytest.raises(ValidationError, match="another organization"):
            hf.make_delivery(
                patient,
                home,
                timezone.localdate(),
                items=[services.ItemIn(Decimal(1), lot=foreign)],
            )

    def test_it_needs_the_patients_home_first(self, org: Any, home: Any) -> None:
        patient = f.make_patient(org)
        with pytest.raises(ValidationError, match="no home address"):
            hf.make_delivery(patient, home, timezone.localdate())

    def test_a_cold_chain_box_needs_its_validity(self, org: Any, home: Any) -> None:
        patient = hf.make_home_patient(org, home)
        with pytest.raises(ValidationError, match="validity"):
            hf.make_delivery(patient, home, timezone.localdate(), cold_chain=True)


class TestApi:
    def test_it_proposes_and_accepts_through_the_api(self, org: Any, day: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        response = client.post(
            "/api/v1/homecare/plans",
            {"date": day.date.isoformat(), "location": str(day.location.public_id)},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        plan = response.json()
        assert plan["status"] == "proposed" and plan["unplaced"] == 0
        accepted = client.post(f"/api/v1/homecare/plans/{plan['public_id']}/accept")
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
        stops = client.get(f"/api/v1/homecare/day?date={day.date.isoformat()}").json()
        assert len(stops) == 6 and all(s["assigned_to"] for s in stops)

    def test_it_creates_a_visit_and_refuses_another_organizations_patient(
        self, org: Any, other_org: Any, home: Any
    ) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        patient = hf.make_home_patient(org, home)
        foreign = f.make_patient(other_org)
        body = {"date": "2030-03-04", "window_start": "09:00", "window_end": "11:00"}
        ok = client.post(
            "/api/v1/homecare/visits",
            {**body, "patient": str(patient.public_id)},
            content_type="application/json",
        )
        assert ok.status_code == 201 and HomeVisit.objects.count() == 1
        refused = client.post(
            "/api/v1/homecare/visits",
            {**body, "patient": str(foreign.public_id)},
            content_type="application/json",
        )
        assert refused.status_code == 404
        assert HomeVisit.objects.get().patient == patient

    def test_it_books_a_suite_visit_only_with_its_nurse(self, org: Any, home: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        patient = hf.make_home_patient(org, home)
        body = {
            "date": "2030-03-04",
            "window_start": "09:00",
            "window_end": "11:00",
            "patient": str(patient.public_id),
            "setting": "suite",
        }
        url = "/api/v1/homecare/visits"
        refused = client.post(url, body, content_type="application/json")
        assert refused.status_code == 400 and not HomeVisit.objects.exists()
        wrong = {**body, "setting": "garage", "nurse": str(hf.make_staff(org).public_id)}
        assert client.post(url, wrong, content_type="application/json").status_code == 400
        assert not HomeVisit.objects.exists()
        nurse = str(hf.make_staff(org).public_id)
        ok = client.post(url, {**body, "nurse": nurse}, content_type="application/json")
        assert ok.status_code == 201
        assert HomeVisit.objects.get().setting == HomeVisit.Setting.SUITE

    def test_a_nurse_cannot_propose_through_the_api(
        self, org: Any, day: Any, nurse_user: Any
    ) -> None:
        client = f.login(nurse_user)
        response = client.post(
            "/api/v1/homecare/plans",
            {"date": day.date.isoformat()},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert not RoutePlan.objects.exists()
