"""Issue 19.1: /api/v1/reports gives the dashboard's figures for the page's filter and
permissions: days of drug on hand, chair capacity and utilization, margins (billing.view)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from .conftest import token_client

PATH = "/api/v1/reports"


class TestReports:
    def test_it_gives_every_panel_the_role_may_see(self, api_world: Any, org: Any) -> None:
        body = token_client(org, "biller").get(PATH).json()
        keys = {p["key"] for p in body["panels"]}
        assert {"capacity", "heatmap", "treatments", "margin_drug", "margin_payer"} <= keys
        assert "inventory" not in keys  # a biller does not see stock (inventory.view)
        assert body["date_to"] == "2026-12-08" and body["date_from"] == "2026-09-10"

    def test_days_on_hand_and_chair_utilization_are_there(
        self, api_world: Any, coordinator: Client
    ) -> None:
        body = coordinator.get(PATH, {"date_from": "2026-12-01", "date_to": "2026-12-08"}).json()
        panels = {p["key"]: p for p in body["panels"]}
        stock = {s["label"]: s["value"] for s in panels["inventory"]["stats"]}
        assert "Days on hand" in stock
        heat = panels["heatmap"]
        assert heat["heatmap_hours"] and len(heat["heatmap"]) == 7
        assert any(v > 0 for row in heat["heatmap"] for v in row["utilization"])
        capacity = {s["label"]: s["value"] for s in panels["capacity"]["stats"]}
        assert capacity["Chairs"] == "4"

    def test_one_panel_by_key_and_its_permission(self, api_world: Any, org: Any) -> None:
        coordinator = token_client(org, "coordinator")
        one = coordinator.get(PATH, {"panel": "treatments"}).json()["panels"]
        assert [p["key"] for p in one] == ["treatments"]
        assert coordinator.get(PATH, {"panel": "margin_drug"}).status_code == 403
        assert coordinator.get(PATH, {"panel": "nope"}).status_code == 404

    def test_the_page_filter_refuses_the_same_input(self, coordinator: Client) -> None:
        refused = coordinator.get(PATH, {"date_from": "2026-12-08", "date_to": "2026-12-01"})
        assert refused.status_code == 400
        assert "start date is after the end date" in refused.json()["detail"]
        wide = coordinator.get(PATH, {"date_from": "2020-01-01", "date_to": "2026-12-01"})
        assert wide.status_code == 400
        assert (
            coordinator.get(PATH, {"location": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}).status_code
            == 404
        )

    def test_a_nurse_is_refused_and_another_org_sees_its_own_nothing(
        self, api_world: Any, org: Any, outsider: Client
    ) -> None:
        assert token_client(org, "nurse").get(PATH).status_code == 403
        theirs = {p["key"]: p for p in outsider.get(PATH).json()["panels"]}
        treated = {s["label"]: s["value"] for s in theirs["treatments"]["stats"]}
        assert treated["Treatments in range"] == "0"
