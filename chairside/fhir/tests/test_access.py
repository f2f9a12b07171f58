"""Who may read what: the caller's organization only (another's record is a 404), the
role's permissions, API tokens as well as sessions, and every read of a patient audited."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from chairside.api import tokens
from chairside.audit.models import AuditEvent, AuditEventPatient
from chairside.fhir.tests.conftest import FHIR, bearer, token_client
from tests import factories as f


@pytest.mark.django_db
class TestOrganizationWall:
    def test_another_organizations_patient_is_not_found(
        self, foreign_patient: Any, coordinator: Client
    ) -> None:
        response = coordinator.get(f"{FHIR}Patient/{foreign_patient.public_id}")
        assert response.status_code == 404
        assert response.json()["resourceType"] == "OperationOutcome"
        found = coordinator.get(f"{FHIR}Patient?identifier={foreign_patient.mrn}").json()
        assert found["total"] == 0

    def test_another_organization_sees_none_of_the_world(
        self, world: SimpleNamespace, other_org: Any
    ) -> None:
        outsider = token_client(other_org, "admin")
        pid = world.patient.public_id
        for kind, rid in (
            ("Coverage", world.coverage.public_id),
            ("ServiceRequest", world.referral.public_id),
            ("MedicationRequest", world.order.public_id),
            ("Appointment", world.appointment.public_id),
            ("MedicationAdministration", world.administration.public_id),
            ("AdverseEvent", world.reaction.public_id),
            ("DocumentReference", world.report.public_id),
            ("Observation", f"lab-{world.lab.public_id}"),
        ):
            assert outsider.get(f"{FHIR}{kind}/{rid}").status_code == 404, kind
            assert outsider.get(f"{FHIR}{kind}?patient={pid}").json()["total"] == 0, kind


@pytest.mark.django_db
class TestCallers:
    def test_without_a_session_or_token_it_is_a_401_outcome(
        self, patient: Any, client: Client
    ) -> None:
        response = client.get(f"{FHIR}Patient/{patient.public_id}")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["issue"][0]["code"] == "login"

    def test_a_revoked_token_is_refused(self, org: Any, patient: Any) -> None:
        user = f.make_user(org, "coordinator")
        token, text = tokens.token_create_personal(
            organization=org, user=user, name="EHR", expires_in_days=30, password=f.TEST_PASSWORD
        )
        client = bearer(text)
        assert client.get(f"{FHIR}Patient/{patient.public_id}").status_code == 200
        tokens.token_revoke(token=token, user=user)
        refused = client.get(f"{FHIR}Patient/{patient.public_id}")
        assert refused.status_code == 401
        assert refused.json()["issue"][0]["diagnostics"] == "This API token was revoked."

    def test_a_service_token_reads_with_its_role(self, org: Any, patient: Any) -> None:
        admin = f.make_user(org, "admin")
        _, text = tokens.token_create_service(
            organization=org,
            user=admin,
            name="EHR feed",
            role="auditor",
            expires_in_days=30,
            password=f.TEST_PASSWORD,
        )
        assert bearer(text).get(f"{FHIR}Patient/{patient.public_id}").status_code == 200

    def test_the_log_in_session_works_too(self, org: Any, patient: Any) -> None:
        client = f.login(f.make_user(org, "nurse"))
        response = client.get(f"{FHIR}Patient?_id={patient.public_id}")
        assert response.status_code == 200 and response.json()["total"] == 1

    def test_a_role_without_the_permission_is_refused(self, org: Any, patient: Any) -> None:
        from chairside.tenancy.models import Membership

        user = f.make_user(org, "nurse")
        client = f.login(user)
        # A membership whose role is unknown grants nothing (tenancy.roles.has_perm).
        Membership.objects.filter(user=user).update(role="retired")
        response = client.get(f"{FHIR}Patient/{patient.public_id}")
        assert response.status_code == 403
        assert response.json()["issue"][0]["code"] == "forbidden"

    def test_metadata_needs_no_log_in(self, client: Client) -> None:
        assert client.get(FHIR + "metadata").status_code == 200


@pytest.mark.django_db
class TestAudit:
    def test_a_read_is_audited_as_the_tokens_identity(
        self, org: Any, patient: Any, coordinator: Client
    ) -> None:
        before = AuditEvent.objects.filter(action="view").count()
        assert coordinator.get(f"{FHIR}Patient/{patient.public_id}").status_code == 200
        event = AuditEvent.objects.filter(action="view").latest("id")
        assert AuditEvent.objects.filter(action="view").count() == before + 1
        assert event.path == f"{FHIR}Patient/{patient.public_id}"
        assert event.organization == org and event.username.startswith("coordinator")
        assert AuditEventPatient.objects.filter(event=event, patient_id=patient.public_id).exists()

    def test_a_search_lists_every_patient_it_returned(
        self, org: Any, patient: Any, coordinator: Client
    ) -> None:
        other = f.make_patient(org, first_name="Alan", last_name="Turing")
        assert coordinator.get(f"{FHIR}Patient").json()["total"] == 2
        event = AuditEvent.objects.filter(action="view").latest("id")
        listed = set(
            AuditEventPatient.objects.filter(event=event).values_list("patient_id", flat=True)
        )
        assert listed == {patient.public_id, other.public_id}

    def test_observations_of_a_patient_are_audited(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        pid = world.patient.public_id
        assert coordinator.get(f"{FHIR}Observation?patient={pid}").json()["total"] > 5
        event = AuditEvent.objects.filter(action="view").latest("id")
        assert event.path == f"{FHIR}Observation" and event.patient_id == pid
