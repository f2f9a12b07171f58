"""Bad input never answers 500: nothing is saved and the answer is a 4xx a person can read
(issue 11 item 10). Each case here was a 500 before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from chairside.access.referrals.models import Referral
from chairside.patients.models import Diagnosis, Patient
from chairside.treatments.tests import factories as tf
from tests import factories as f

FAR = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def client(admin_user: Any) -> Any:
    """The administrator, with server errors answered as responses (not raised)."""
    c = f.login(admin_user)
    c.raise_request_exception = False
    return c


@pytest.fixture
def order(patient: Any, location: Any) -> Any:
    return tf.make_order(patient, tf.make_drug(patient.organization), location=location)


def _is_refusal(response: Any) -> bool:
    return bool(400 <= response.status_code < 500)


class TestReferralApi:
    def test_a_referral_without_a_provider_is_refused_with_the_reason(
        self, client: Any, org: Any
    ) -> None:
        body = {
            "patient_last_name": "Ortiz",
            "patient_date_of_birth": "1979-05-02",
            "requested_drug_text": "infliximab",
        }
        response = client.post("/api/v1/access/referrals", body, content_type="application/json")
        assert response.status_code == 400
        assert "referring" in response.json()["detail"].lower()
        assert not Referral.objects.filter(organization=org).exists()


class TestFarDates:
    @pytest.mark.parametrize("day", FAR)
    @pytest.mark.parametrize(
        "name", ["scheduling:board", "scheduling:week", "treatments:day", "analytics:home"]
    )
    def test_pages_answer_a_far_date(self, client: Any, location: Any, name: str, day: str) -> None:
        params = {"date": day} if name != "analytics:home" else {"start": day, "end": day}
        response = client.get(reverse(name), params)
        assert response.status_code in {200, 400}, (name, day, response.status_code)

    @pytest.mark.parametrize("day", FAR)
    def test_the_reconciliation_refuses_a_far_period(
        self, client: Any, location: Any, day: str
    ) -> None:
        for params in ({"start": day, "end": day}, {"start": "2026-01-01", "end": day}):
            response = client.get(reverse("inventory:reconciliation"), params)
            assert response.status_code in {200, 400}, (params, response.status_code)

    @pytest.mark.parametrize("day", FAR)
    def test_the_schedule_api_answers_a_far_date(
        self, client: Any, location: Any, order: Any, day: str
    ) -> None:
        day_list = client.get("/api/v1/schedule", {"date": day})
        assert day_list.status_code in {200, 400}, day_list.status_code
        slots = client.get("/api/v1/schedule/slots", {"order": str(order.public_id), "date": day})
        assert slots.status_code in {200, 400}, slots.status_code
        if slots.status_code == 400:
            assert slots.json()["detail"]

    @pytest.mark.parametrize("day", FAR)
    def test_a_diagnosis_dated_far_away_is_refused_on_the_form(
        self, client: Any, patient: Any, day: str
    ) -> None:
        url = reverse("patients:diagnosis_add", args=[patient.public_id])
        response = client.post(
            url, {"icd10_code": "K50.90", "description": "Crohn's", "noted_on": day}
        )
        assert response.status_code == 400, response.status_code
        assert "Choose a date between" in response.content.decode()
        assert not Diagnosis.objects.filter(patient=patient).exists()
        chart = client.get(reverse("patients:chart", args=[patient.public_id]))
        assert chart.status_code == 200


class TestNumbers:
    def test_negative_units_are_refused(self, client: Any, order: Any) -> None:
        url = f"/api/v1/access/orders/{order.public_id}/authorization"
        response = client.get(url, {"units": -5})
        assert response.status_code in {400, 422}
        assert "unit" in str(response.json()).lower()

    @pytest.mark.parametrize("path", ["/api/v1/patients", "/api/v1/claims"])
    def test_a_huge_offset_is_an_empty_page_or_refused(self, client: Any, path: str) -> None:
        for offset in (10**18, 10**30):
            response = client.get(path, {"offset": offset})
            assert _is_refusal(response) or response.json()["results"] == [], offset


class TestBodies:
    def test_multipart_without_a_boundary_is_refused(self, client: Any) -> None:
        response = client.generic(
            "POST", reverse("patients:create"), b"x", content_type="multipart/form-data"
        )
        assert response.status_code == 400

    def test_a_nul_character_in_api_text_is_refused(self, client: Any, org: Any) -> None:
        response = client.post(
            "/api/v1/patients",
            {
                "mrn": "NUL-1",
                "first_name": "A\x00da",
                "last_name": "King",
                "date_of_birth": "1985-12-10",
                "sex": "F",
            },
            content_type="application/json",
        )
        assert response.status_code in {400, 422}
        assert "NUL" in response.content.decode() or "null" in response.content.decode().lower()
        assert not Patient.objects.filter(organization=org, mrn="NUL-1").exists()

    def test_a_nul_character_in_a_search_is_refused_or_harmless(
        self, client: Any, patient: Any
    ) -> None:
        for url in ("/api/v1/patients", reverse("patients:list")):
            response = client.get(url, {"q": "Hop\x00per"})
            assert response.status_code in {200, 400}, (url, response.status_code)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores NUL characters")
@pytest.mark.postgres_only
class TestNulOnPostgres:
    def test_a_nul_in_a_diagnosis_description_saves_nothing(
        self, client: Any, patient: Any
    ) -> None:
        url = reverse("patients:diagnosis_add", args=[patient.public_id])
        response = client.post(url, {"icd10_code": "K50.90", "description": "Cr\x00ohn"})
        assert response.status_code in {200, 302, 400}
        assert not Diagnosis.objects.filter(patient=patient, description__contains="ohn").exists()


class TestOpenApiSchema:
    def test_each_list_names_its_own_page_schema(self, client: Any) -> None:
        schema = client.get("/api/openapi.json").json()

        def page_of(path: str) -> str:
            ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"][
                "schema"
            ]["$ref"]
            page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            return str(page["properties"]["results"]["items"]["$ref"]).rsplit("/", 1)[-1]

        assert page_of("/api/v1/patients") == "PatientOut"
        assert page_of("/api/v1/claims") == "ClaimOut"
