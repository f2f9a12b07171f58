"""Issue 19.1: every new /api/v1 list — coverages, orders, authorizations, appointments,
stock lots and movements, visits — answers a token with a page of its organization's rows
(stable order, ``count``/``results``), never another organization's, 403 for a role the page
refuses, 401 without a token; reads naming a patient are in the access report."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from chairside.audit.models import AuditEventPatient
from chairside.inventory.models import Lot

from .conftest import token_client

# (path, the world's row it must list, a role the page refuses or None when every role
# may see it — patient.view and schedule.view belong to every role, README "Roles")
LISTS: list[tuple[str, str, str | None]] = [
    ("/api/v1/coverages", "coverage", None),
    ("/api/v1/orders", "order", None),
    ("/api/v1/authorizations", "authorization", None),
    ("/api/v1/appointments", "appointment", None),
    ("/api/v1/stock/lots", "lot", "biller"),
    ("/api/v1/stock/movements", "lot", "provider"),
    ("/api/v1/visits", "visit", None),
]


def _ids(body: dict[str, Any], key: str) -> set[str]:
    field = "lot_id" if key == "lot" and "lot_id" in (body["results"] or [{}])[0] else "public_id"
    return {row[field] for row in body["results"]}


def _world_row(world: SimpleNamespace, key: str, lot: Any) -> str:
    return str((lot if key == "lot" else getattr(world, key)).public_id)


@pytest.mark.parametrize(("path", "key", "refused"), LISTS)
class TestEveryList:
    def test_it_lists_the_organizations_rows_to_a_token(
        self, path: str, key: str, refused: str | None, api_world: Any, coordinator: Client
    ) -> None:
        found = coordinator.get(path)
        assert found.status_code == 200, found.content
        body = found.json()
        assert body["count"] >= 1
        lot = Lot.objects.get(lot_number="AB1234")
        assert _world_row(api_world, key, lot) in _ids(body, key)

    def test_it_pages_in_a_stable_order(
        self, path: str, key: str, refused: str | None, api_world: Any, coordinator: Client
    ) -> None:
        whole = coordinator.get(path, {"limit": 100}).json()
        pages = [
            coordinator.get(path, {"limit": 1, "offset": n}).json()["results"]
            for n in range(whole["count"])
        ]
        assert [p[0] for p in pages] == whole["results"]
        assert coordinator.get(path, {"offset": whole["count"]}).json()["results"] == []
        assert coordinator.get(path, {"limit": 101}).status_code == 422
        assert coordinator.get(path, {"offset": -1}).status_code == 422

    def test_another_organization_sees_nothing(
        self, path: str, key: str, refused: str | None, api_world: Any, outsider: Client
    ) -> None:
        body = outsider.get(path).json()
        assert body == {"count": 0, "results": []}

    def test_a_refused_role_gets_403_and_no_token_401(
        self, path: str, key: str, refused: str | None, org: Any, api_world: Any
    ) -> None:
        assert Client().get(path).status_code == 401
        bad = Client(HTTP_AUTHORIZATION="Bearer cs_00000000_" + "x" * 43).get(path)
        assert bad.status_code == 401
        if refused is not None:
            assert token_client(org, refused).get(path).status_code == 403

    def test_reading_patient_data_is_in_the_access_report(
        self, path: str, key: str, refused: str | None, api_world: Any, coordinator: Client
    ) -> None:
        before = AuditEventPatient.objects.filter(patient_id=api_world.patient.public_id).count()
        coordinator.get(path)
        after = AuditEventPatient.objects.filter(patient_id=api_world.patient.public_id).count()
        # The center's own lots name no patient; every other list shows patient data (a
        # movement names the patient a vial was dispensed to).
        assert after == before + (0 if path.endswith("/lots") else 1)

    def test_an_unknown_filter_value_finds_nothing_rather_than_failing(
        self, path: str, key: str, refused: str | None, api_world: Any, coordinator: Client
    ) -> None:
        if path.endswith("/lots"):
            pytest.skip("lots have no patient filter")
        found = coordinator.get(path, {"patient": str(uuid.uuid4())})
        assert found.status_code == 200
        assert found.json()["count"] == 0
        assert coordinator.get(path, {"patient": "not-a-uuid"}).status_code == 422
