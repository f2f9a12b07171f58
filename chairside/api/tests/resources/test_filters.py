"""Issue 19.1: each list's own filters (patient, status, site, date range, …), the detail
reads, and their refusals (400 with a sentence, never a 500)."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client

from chairside.inventory.models import Movement
from tests import factories as f


def _count(client: Client, path: str, **params: Any) -> int:
    found = client.get(path, params)
    assert found.status_code == 200, found.content
    return int(found.json()["count"])


class TestCoverages:
    def test_patient_payer_and_active_on(
        self, api_world: Any, coordinator: Client, org: Any
    ) -> None:
        other = f.make_patient(org, first_name="Ada", last_name="Byron")
        f.make_coverage(other, f.make_payer(org, name="Other Payer", payer_id="OTH1"))
        path = "/api/v1/coverages"
        assert _count(coordinator, path) == 2
        assert _count(coordinator, path, patient=api_world.patient.public_id) == 1
        assert _count(coordinator, path, payer=api_world.coverage.payer.public_id) == 1
        start = api_world.coverage.effective_from
        assert _count(coordinator, path, active_on=start) == 2
        assert _count(coordinator, path, active_on=start.replace(year=start.year - 5)) == 0
        row = coordinator.get(path, {"patient": api_world.patient.public_id}).json()["results"][0]
        assert row["member_id"] == api_world.coverage.member_id
        assert row["payer"] == "Acme Health"


class TestOrders:
    def test_status_drug_site_and_signature_dates(
        self, api_world: Any, coordinator: Client
    ) -> None:
        o = api_world.order
        path = "/api/v1/orders"
        assert _count(coordinator, path, status="active", drug=o.drug.public_id) == 1
        assert _count(coordinator, path, status="completed") == 0
        assert _count(coordinator, path, date_from=o.signed_on, date_to=o.signed_on) == 1
        assert _count(coordinator, path, date_to=o.signed_on.replace(year=2000)) == 0
        assert coordinator.get(path, {"status": "nonsense"}).status_code == 422
        refused = coordinator.get(path, {"date_from": "2026-12-02", "date_to": "2026-12-01"})
        assert refused.status_code == 400
        assert "date_from is after date_to" in refused.json()["detail"]
        one = coordinator.get(f"{path}/{o.public_id}").json()
        assert one["drug"] == o.drug.generic_name and one["patient_id"] == str(o.patient.public_id)

    def test_another_organizations_order_is_404(self, api_world: Any, outsider: Client) -> None:
        assert outsider.get(f"/api/v1/orders/{api_world.order.public_id}").status_code == 404


class TestAuthorizations:
    def test_status_order_and_the_approved_period(
        self, api_world: Any, coordinator: Client
    ) -> None:
        path = "/api/v1/authorizations"
        auth = api_world.authorization
        assert _count(coordinator, path, status="approved", order=api_world.order.public_id) == 1
        assert _count(coordinator, path, status="denied") == 0
        assert _count(coordinator, path, date_from="2027-06-01") == 0  # after its end
        assert _count(coordinator, path, date_from="2026-12-01", date_to="2026-12-31") == 1
        refused = coordinator.get(path, {"status": "maybe"})
        assert refused.status_code == 400 and "status: one of" in refused.json()["detail"]
        row = coordinator.get(f"{path}/{auth.public_id}").json()
        assert row["authorization_number"] == auth.authorization_number
        assert row["units_authorized"] == 300 and row["visits_authorized"] == 6


class TestAppointments:
    def test_days_at_the_site_status_and_site(self, api_world: Any, coordinator: Client) -> None:
        path = "/api/v1/appointments"
        day = "2026-12-08"
        site = api_world.appointment.location.public_id
        assert _count(coordinator, path, date_from=day, date_to=day, location=site) == 1
        assert _count(coordinator, path, date_from="2026-12-09") == 0
        assert _count(coordinator, path, date_to="2026-12-07") == 0
        status = api_world.appointment.status
        assert _count(coordinator, path, status=status) == 1
        assert _count(coordinator, path, location=uuid.uuid4()) == 0
        assert coordinator.get(path, {"status": "lost"}).status_code == 400
        assert coordinator.get(path, {"date_from": "1200-01-01"}).status_code == 400
        one = coordinator.get(f"{path}/{api_world.appointment.public_id}").json()
        assert one["start"].startswith("2026-12-08T")


class TestStock:
    def test_lots_on_hand_and_the_ledger(
        self, api_world: Any, lot: Any, coordinator: Client
    ) -> None:
        lots = coordinator.get("/api/v1/stock/lots").json()
        row = next(r for r in lots["results"] if r["public_id"] == str(lot.public_id))
        lot.refresh_from_db()
        assert row["lot_number"] == "AB1234" and row["on_hand"] == lot.on_hand
        assert _count(coordinator, "/api/v1/stock/lots", expires_before="2000-01-01") == 0
        assert _count(coordinator, "/api/v1/stock/lots", drug=lot.package.drug.public_id) == 1
        on_hand = coordinator.get("/api/v1/stock/on-hand").json()
        drug = next(r for r in on_hand if r["drug_id"] == str(lot.package.drug.public_id))
        assert drug["vials"] == lot.on_hand and drug["lot_count"] == 1
        moves = "/api/v1/stock/movements"
        ledger = list(Movement.objects.filter(lot=lot).order_by("-at", "-id"))
        assert _count(coordinator, moves, lot=lot.public_id) == len(ledger) >= 2
        assert _count(coordinator, moves, kind="dispense", patient=api_world.patient.public_id) == 1
        assert _count(coordinator, moves, date_from="2026-12-09") == 0
        assert coordinator.get(moves, {"kind": "stolen"}).status_code == 422
        newest = coordinator.get(moves, {"lot": lot.public_id}).json()["results"][0]
        assert newest["public_id"] == str(ledger[0].public_id)
        assert newest["balance_after"] == lot.on_hand

    def test_another_organizations_lot_is_404(self, lot: Any, outsider: Client) -> None:
        assert outsider.get(f"/api/v1/stock/lots/{lot.public_id}").status_code == 404
        assert outsider.get("/api/v1/stock/on-hand").json() == []


class TestVisits:
    def test_the_visit_with_its_administrations_and_vitals(
        self, api_world: Any, coordinator: Client
    ) -> None:
        path = "/api/v1/visits"
        assert _count(coordinator, path, status="signed", date_from="2026-12-08") == 1
        assert _count(coordinator, path, status="in_progress") == 0
        assert _count(coordinator, path, date_to="2026-12-07") == 0
        one = coordinator.get(f"{path}/{api_world.visit.public_id}").json()
        assert one["status"] == "signed"
        assert any(a["is_primary"] for a in one["administrations"])
        assert {v["phase"] for v in one["vitals"]} >= {"pre"}

    def test_another_organizations_visit_is_404(self, api_world: Any, outsider: Client) -> None:
        assert outsider.get(f"/api/v1/visits/{api_world.visit.public_id}").status_code == 404
