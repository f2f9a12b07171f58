"""Issue 19.4: a session that still owes its second factor gets a JSON refusal from /api/ and
an OperationOutcome from /fhir/, never an HTML redirect to the log-in step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from chairside.api import tokens
from chairside.patients.models import Patient
from tests import factories as f


def _half_logged_in(org: Any) -> Client:
    f.make_user(org, "admin", username="ada")  # has an authenticator: owes the code
    client = Client()
    done = client.post(reverse("login"), {"username": "ada", "password": f.TEST_PASSWORD})
    assert done["Location"].startswith(reverse("accounts:two_factor_verify"))
    return client


@pytest.mark.django_db
class TestSecondFactorOwed:
    def test_the_api_answers_json_403_with_the_next_step(self, org: Any) -> None:
        client = _half_logged_in(org)
        for path in ("/api/v1/patients", "/api/v1/claims", "/api/v1/stock/lots"):
            refused = client.get(path)
            assert refused.status_code == 403
            assert refused["Content-Type"].startswith("application/json")
            assert "authenticator" in refused.json()["detail"]
            assert refused.json()["next_step"].startswith(reverse("accounts:two_factor_verify"))

    def test_fhir_answers_an_operation_outcome_403(self, org: Any) -> None:
        client = _half_logged_in(org)
        for path in ("/fhir/r4/Patient", "/fhir/r4/Patient/x", "/fhir/r4/Coverage"):
            refused = client.get(path)
            assert refused.status_code == 403
            assert refused["Content-Type"].startswith("application/fhir+json")
            body = refused.json()
            assert body["resourceType"] == "OperationOutcome"
            assert body["issue"][0]["code"] == "login"
            assert "authenticator" in body["issue"][0]["diagnostics"]

    def test_a_write_is_refused_the_same_way(self, org: Any) -> None:
        client = _half_logged_in(org)
        refused = client.post("/fhir/r4/ServiceRequest", {}, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["resourceType"] == "OperationOutcome"
        new = {"mrn": "GATE-1", "first_name": "Ada", "last_name": "King", "sex": "F"}
        new["date_of_birth"] = "1985-12-10"
        api = client.post("/api/v1/patients", new, content_type="application/json")
        assert api.status_code == 403
        assert not Patient.objects.exists()

    def test_the_pages_still_redirect_to_the_step(self, org: Any) -> None:
        client = _half_logged_in(org)
        page = client.get(reverse("patients:list"))
        assert page.status_code == 302

    def test_a_valid_token_is_answered_whatever_the_session_owes(self, org: Any) -> None:
        client = _half_logged_in(org)
        _, text = tokens.token_create_personal(
            organization=org,
            user=f.make_user(org, "coordinator"),
            name="script",
            expires_in_days=30,
            password=f.TEST_PASSWORD,
        )
        assert (
            client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
        )
        bad = client.get("/fhir/r4/Patient", HTTP_AUTHORIZATION="Bearer cs_nope")
        assert bad.status_code == 401
        assert bad.json()["resourceType"] == "OperationOutcome"


@pytest.mark.django_db
class TestSessionEnded:
    def test_fhir_after_the_idle_log_off_answers_401_operation_outcome(self, org: Any) -> None:
        f.make_user(org, "nurse", username="jordan")
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            client = Client()
            client.post(reverse("login"), {"username": "jordan", "password": f.TEST_PASSWORD})
            assert client.get("/fhir/r4/Patient").status_code == 200
            clock.shift(dt.timedelta(seconds=901))
            ended = client.get("/fhir/r4/Patient")
        assert ended.status_code == 401
        assert ended["Content-Type"].startswith("application/fhir+json")
        assert ended.json()["resourceType"] == "OperationOutcome"
        assert "without activity" in ended.json()["issue"][0]["diagnostics"]
        assert ended["WWW-Authenticate"].startswith("Bearer")
