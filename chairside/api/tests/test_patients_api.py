from __future__ import annotations

from typing import Any

from django.test import Client

from chairside.audit.models import AuditEvent
from chairside.patients.models import Patient
from tests import factories as f

NEW = {
    "mrn": "API-1",
    "first_name": "Ada",
    "last_name": "King",
    "date_of_birth": "1985-12-10",
    "sex": "F",
}


class TestPatientsApi:
    def test_it_searches_only_the_callers_organization(
        self, admin_client: Any, patient: Any, foreign_patient: Any
    ) -> None:
        body = admin_client.get("/api/v1/patients", {"q": ""}).json()
        ids = {row["public_id"] for row in body["results"]}
        assert str(patient.public_id) in ids
        assert str(foreign_patient.public_id) not in ids

    def test_it_answers_404_for_another_organizations_patient(
        self, admin_client: Any, foreign_patient: Any
    ) -> None:
        assert admin_client.get(f"/api/v1/patients/{foreign_patient.public_id}").status_code == 404

    def test_it_reads_a_chart_and_audits_the_read(
        self, admin_client: Any, admin_user: Any, patient: Any
    ) -> None:
        body = admin_client.get(f"/api/v1/patients/{patient.public_id}").json()
        assert body["last_name"] == "Hopper"
        assert body["latest_weight_kg"] == "70.0"
        assert AuditEvent.objects.filter(
            action="view", patient_id=patient.public_id, user=admin_user
        ).exists()

    def test_it_registers_a_patient(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post("/api/v1/patients", NEW, content_type="application/json")
        assert response.status_code == 201
        assert Patient.objects.get(organization=org, mrn="API-1").last_name == "King"

    def test_it_refuses_bad_input_with_a_clear_message(self, admin_client: Any, org: Any) -> None:
        f.make_patient(org, mrn="API-1")
        response = admin_client.post("/api/v1/patients", NEW, content_type="application/json")
        assert response.status_code == 400
        assert "MRN" in response.json()["detail"]
        assert Patient.objects.filter(mrn="API-1").count() == 1
        future = admin_client.post(
            "/api/v1/patients",
            {**NEW, "mrn": "API-2", "date_of_birth": "2999-01-01"},
            content_type="application/json",
        )
        assert future.status_code == 400
        assert "future" in future.json()["errors"]["date_of_birth"][0]
        assert not Patient.objects.filter(mrn="API-2").exists()

    def test_it_refuses_anonymous_callers_and_roles_without_the_permission(self, org: Any) -> None:
        assert Client().get("/api/v1/patients").status_code == 401
        nurse = f.login(f.make_user(org, "nurse"))
        assert (
            nurse.post("/api/v1/patients", NEW, content_type="application/json").status_code == 403
        )
        assert not Patient.objects.filter(mrn="API-1").exists()

    def test_it_publishes_an_openapi_schema(self, admin_client: Any) -> None:
        schema = admin_client.get("/api/openapi.json").json()
        assert "/api/v1/patients" in schema["paths"]
