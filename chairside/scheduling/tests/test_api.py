"""The schedule API refuses what the board refuses, in the same words, per organization."""

from __future__ import annotations

from typing import Any

import pytest
from ninja.testing import TestClient

from chairside.scheduling import services
from chairside.scheduling.api import router
from chairside.scheduling.models import Appointment
from chairside.scheduling.tests.factories import DAY, at
from chairside.tenancy.models import Membership
from tests import factories as f
from tests.factories import someone


@pytest.fixture
def api() -> TestClient:
    return TestClient(router)


def as_role(org: Any, role: str) -> dict[str, Any]:
    user = f.make_user(org, role)
    return {"user": user, "membership": Membership.objects.get(user=user, organization=org)}


class TestScheduleApi:
    def test_it_books_and_lists_the_day(
        self, api: TestClient, org: Any, order: Any, chairs: Any
    ) -> None:
        caller = as_role(org, "coordinator")
        body = {
            "order": str(order.public_id),
            "chair": str(chairs["C01"].public_id),
            "start": at("09:00").isoformat(),
        }
        response = api.post("", json=body, **caller)
        assert response.status_code == 201
        assert response.json()["appointment"]["dose_number"] == 1
        day = api.get(f"?date={DAY.isoformat()}", **caller).json()
        assert [row["patient_name"] for row in day] == ["Grace Hopper"]

    def test_a_refusal_is_a_400_with_the_boards_words(
        self, api: TestClient, org: Any, order: Any, chairs: Any
    ) -> None:
        caller = as_role(org, "coordinator")
        body = {
            "order": str(order.public_id),
            "chair": str(chairs["C01"].public_id),
            "start": at("18:00").isoformat(),
        }
        response = api.post("", json=body, **caller)
        assert response.status_code == 400
        assert "this appointment would run 18:00–20:00" in response.json()["detail"]
        assert not Appointment.objects.exists()

    def test_a_nurse_reads_but_may_not_book(
        self, api: TestClient, org: Any, order: Any, chairs: Any
    ) -> None:
        caller = as_role(org, "nurse")
        assert api.get(f"/slots?order={order.public_id}&date={DAY}", **caller).status_code == 200
        body = {
            "order": str(order.public_id),
            "chair": str(chairs["C01"].public_id),
            "start": at("09:00").isoformat(),
        }
        assert api.post("", json=body, **caller).status_code == 403
        assert not Appointment.objects.exists()

    def test_another_organizations_appointment_is_not_found(
        self, api: TestClient, org: Any, other_org: Any, order: Any, chairs: Any
    ) -> None:
        booked = services.appointment_book(
            organization=org, user=someone(), order=order, chair=chairs["C01"], start=at("09:00")
        ).appointment
        outsider = as_role(other_org, "coordinator")
        response = api.post(
            f"/{booked.public_id}/cancel", json={"reason_code": "illness"}, **outsider
        )
        assert response.status_code == 404
        booked.refresh_from_db()
        assert booked.status == "booked"


class TestMountedScheduleApi:
    """The router is mounted at /api/v1/schedule behind the session log-in."""

    def test_the_day_is_served_at_its_public_url(
        self, org: Any, order: Any, chairs: Any, coordinator: Any
    ) -> None:
        client = f.login(coordinator)
        body = {
            "order": str(order.public_id),
            "chair": str(chairs["C02"].public_id),
            "start": at("10:00").isoformat(),
        }
        booked = client.post("/api/v1/schedule", body, content_type="application/json")
        assert booked.status_code == 201, booked.content
        day = client.get("/api/v1/schedule", {"date": DAY.isoformat()}).json()
        assert [(row["chair"], row["dose_number"]) for row in day] == [("C02", 1)]

    def test_anonymous_callers_are_refused(self, org: Any) -> None:
        from django.test import Client

        assert Client().get("/api/v1/schedule", {"date": DAY.isoformat()}).status_code == 401
