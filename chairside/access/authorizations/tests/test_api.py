from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from chairside.access.referrals.models import Referral
from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from tests import factories as f

NOON = dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


class TestQueuesApi:
    def test_it_counts_each_queue_and_lists_its_rows(
        self, org: Any, other_org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(org, received_on=dt.date(2026, 2, 26))
        rf.make_referral(other_org)
        counts = {
            q["key"]: q["count"] for q in coordinator_client.get("/api/v1/access/queues").json()
        }
        assert counts["intake"] == 1
        assert counts["to-submit"] == 0
        [row] = coordinator_client.get("/api/v1/access/queues/intake").json()
        assert row["kind"] == "referral"
        assert row["public_id"] == str(referral.public_id)
        assert row["patient"] == "Byron, Ada"
        assert row["action_url"] == f"/referrals/{referral.public_id}/"
        assert row["since"] == "2026-02-26"

    def test_it_filters_by_assignee_and_refuses_unknown_keys(
        self, org: Any, coordinator_client: Any
    ) -> None:
        rf.make_referral(org)
        assert len(coordinator_client.get("/api/v1/access/queues/intake?assignee=none").json()) == 1
        assert coordinator_client.get("/api/v1/access/queues/intake?assignee=me").json() == []
        assert coordinator_client.get("/api/v1/access/queues/nope").status_code == 404
        missing = "/api/v1/access/queues/intake?location=00000000-0000-0000-0000-000000000000"
        assert coordinator_client.get(missing).status_code == 404

    def test_it_needs_a_member_of_the_organization(self, client: Any) -> None:
        assert client.get("/api/v1/access/queues").status_code == 401


class TestAuthorizationCheckApi:
    def test_it_answers_the_booking_rule(
        self, org: Any, coordinator: Any, coordinator_client: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(org))
        rf.verify_benefits(order, coordinator)
        url = f"/api/v1/access/orders/{order.public_id}/authorization"
        refused = coordinator_client.get(url, {"on_date": "2026-03-09", "units": 35}).json()
        assert refused["ok"] is False
        assert refused["required"] is True
        assert refused["message"].startswith("No approved authorization covers 03/09/2026")
        rf.approved_authorization(order, coordinator, visits=4, units=200, number="A-1")
        allowed = coordinator_client.get(url, {"on_date": "2026-03-09", "units": 35}).json()
        assert allowed == {
            "ok": True,
            "required": True,
            "message": "Covered by authorization A-1: 4 visits left, 200 units left.",
            "authorization_number": "A-1",
            "visits_left": 4,
            "units_left": 200,
        }
        too_many = coordinator_client.get(url, {"on_date": "2026-03-09", "units": 201}).json()
        assert too_many["ok"] is False

    def test_it_is_404_for_another_organizations_order(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        order = rf.make_order(rf.covered_patient(other_org))
        url = f"/api/v1/access/orders/{order.public_id}/authorization"
        assert coordinator_client.get(url).status_code == 404


class TestReferralApi:
    def test_a_coordinator_logs_a_referral_and_reads_it_back(
        self, org: Any, coordinator_client: Any
    ) -> None:
        provider = rf.make_provider(org)
        drug = rf.drug(org, "vedolizumab")
        response = post(
            coordinator_client,
            "/api/v1/access/referrals",
            {
                "received_on": "2026-02-27",
                "referring_provider": str(provider.public_id),
                "patient_first_name": "Lena",
                "patient_last_name": "Ortiz",
                "patient_date_of_birth": "1979-05-02",
                "requested_drug": str(drug.public_id),
                "diagnosis_code": "k5090",
                "is_urgent": True,
            },
        )
        assert response.status_code == 201, response.content
        body = response.json()
        referral = Referral.objects.get(organization=org, public_id=body["public_id"])
        assert (referral.state, referral.diagnosis_code, referral.requested_drug) == (
            "received",
            "K50.90",
            drug,
        )
        assert AuditEvent.objects.filter(action="create", object_id=referral.public_id).exists()
        read = coordinator_client.get(f"/api/v1/access/referrals/{referral.public_id}").json()
        assert read["state_label"] == "Received"
        assert read["days_in_state"] == {"Received": 3}
        assert read["patient"] == "Ortiz, Lena"
        assert AuditEvent.objects.filter(action="view", object_id=referral.public_id).exists()

    def test_bad_input_answers_400_and_saves_nothing(
        self, org: Any, other_org: Any, coordinator_client: Any
    ) -> None:
        foreign_drug = rf.drug(other_org, "infliximab")
        future = post(
            coordinator_client,
            "/api/v1/access/referrals",
            {
                "received_on": "2026-04-01",
                "patient_last_name": "Ortiz",
                "patient_date_of_birth": "1979-05-02",
                "requested_drug_text": "infliximab",
            },
        )
        assert future.status_code == 400
        assert "received_on" in future.json()["errors"]
        foreign = post(
            coordinator_client,
            "/api/v1/access/referrals",
            {
                "patient_last_name": "Ortiz",
                "patient_date_of_birth": "1979-05-02",
                "requested_drug": str(foreign_drug.public_id),
            },
        )
        assert foreign.status_code == 400
        assert "requested_drug" in foreign.json()["errors"]
        assert not Referral.objects.filter(organization=org).exists()

    def test_a_nurse_may_not_log_a_referral(self, org: Any) -> None:
        nurse = f.login(f.make_user(org, "nurse"))
        response = post(
            nurse,
            "/api/v1/access/referrals",
            {"patient_last_name": "Ortiz", "patient_date_of_birth": "1979-05-02"},
        )
        assert response.status_code == 403
        assert not Referral.objects.exists()

    def test_it_is_404_for_another_organizations_referral(
        self, other_org: Any, coordinator_client: Any
    ) -> None:
        referral = rf.make_referral(other_org)
        assert (
            coordinator_client.get(f"/api/v1/access/referrals/{referral.public_id}").status_code
            == 404
        )
