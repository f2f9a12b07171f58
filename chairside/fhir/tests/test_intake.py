"""A referring EHR sends a referral: a transaction Bundle (ServiceRequest + Patient +
Coverage + Practitioner) or a ServiceRequest alone becomes a referral in the intake queue;
bad input is refused with an OperationOutcome saying why, and nothing is written."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from chairside.access.referrals.models import Referral, ReferringProvider
from chairside.access.referrals.tests.factories import drug as formulary_drug
from chairside.access.referrals.tests.factories import valid_npi
from chairside.audit.models import AuditEvent
from chairside.fhir.tests.conftest import FHIR, token_client
from chairside.fhir.tests.test_read_search import parse
from chairside.patients.models import Patient
from chairside.rules.interop import fhir_codes as codes
from tests import factories as f
from tests.assertions import assert_no_db_changes

NPI = valid_npi(41234567)


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC), tick=False) as t:
        yield t


def bundle(**sr_changes: Any) -> dict[str, Any]:
    service_request = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.3.999", "value": "ORD-5521"}],
        "status": "active",
        "intent": "order",
        "priority": "urgent",
        "code": {
            "coding": [{"system": codes.HCPCS, "code": "J1745"}],
            "text": "Infliximab 5 mg/kg IV",
        },
        "subject": {"reference": "urn:uuid:patient-1"},
        "requester": {"reference": "urn:uuid:doctor-1"},
        "reasonCode": [
            {"coding": [{"system": codes.ICD10CM, "code": "K50.90"}], "text": "Crohn's disease"}
        ],
        "authoredOn": "2026-12-07",
        "note": [{"text": "TB and hepatitis B screening attached to the fax."}],
        "insurance": [{"reference": "urn:uuid:coverage-1"}],
    }
    service_request.update(sr_changes)
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": "urn:uuid:patient-1",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"use": "official", "family": "Okafor", "given": ["Ngozi"]}],
                    "gender": "female",
                    "birthDate": "1984-03-09",
                    "telecom": [{"system": "phone", "value": "555-201-7788"}],
                },
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:coverage-1",
                "resource": {
                    "resourceType": "Coverage",
                    "status": "active",
                    "subscriberId": "XQZ123456789",
                    "beneficiary": {"reference": "urn:uuid:patient-1"},
                    "relationship": {
                        "coding": [{"system": codes.SUBSCRIBER_RELATIONSHIP, "code": "self"}]
                    },
                    "payor": [{"display": "Blue Example PPO"}],
                },
                "request": {"method": "POST", "url": "Coverage"},
            },
            {
                "fullUrl": "urn:uuid:doctor-1",
                "resource": {
                    "resourceType": "Practitioner",
                    "identifier": [{"system": codes.NPI, "value": NPI}],
                    "name": [{"family": "Adeyemi", "given": ["Tunde"]}],
                    "telecom": [{"system": "fax", "value": "555-201-9000"}],
                },
                "request": {"method": "POST", "url": "Practitioner"},
            },
            {
                "fullUrl": "urn:uuid:referral-1",
                "resource": service_request,
                "request": {"method": "POST", "url": "ServiceRequest"},
            },
        ],
    }


def post(client: Client, path: str, body: Any, content_type: str = "application/fhir+json") -> Any:
    return client.post(FHIR + path, data=json.dumps(body), content_type=content_type)


@pytest.fixture
def infliximab(org: Any) -> Any:
    return formulary_drug(org, "infliximab")


@pytest.mark.django_db
class TestTransaction:
    def test_it_puts_the_referral_in_the_intake_queue(
        self, org: Any, infliximab: Any, coordinator: Client
    ) -> None:
        response = post(coordinator, "", bundle())
        assert response.status_code == 200, response.content
        answer = response.json()
        parse(answer)
        assert answer["type"] == "transaction-response"
        statuses = [e["response"]["status"] for e in answer["entry"]]
        assert statuses == ["202 Accepted", "202 Accepted", "201 Created", "201 Created"]
        referral = Referral.objects.get(organization=org)
        assert answer["entry"][3]["response"]["location"] == f"ServiceRequest/{referral.public_id}"
        assert referral.state == "received" and referral.is_urgent
        assert (referral.patient_last_name, referral.patient_first_name) == ("Okafor", "Ngozi")
        assert referral.patient_date_of_birth == dt.date(1984, 3, 9)
        assert referral.requested_drug == infliximab and referral.diagnosis_code == "K50.90"
        assert referral.referring_provider.npi == NPI
        assert "Blue Example PPO; member ID XQZ123456789" in referral.clinical_notes
        assert "ORD-5521" in referral.clinical_notes
        assert AuditEvent.objects.filter(action="create", object_id=referral.public_id).exists()
        read = coordinator.get(f"{FHIR}ServiceRequest/{referral.public_id}").json()
        assert read["subject"] == {"display": "Okafor, Ngozi"}

    def test_a_known_npi_and_an_existing_chart_are_linked(
        self, org: Any, patient: Any, infliximab: Any, coordinator: Client
    ) -> None:
        provider = ReferringProvider.objects.create(
            organization=org, first_name="T", last_name="Adeyemi", npi=NPI
        )
        sent = bundle(subject={"reference": f"Patient/{patient.public_id}"})
        sent["entry"] = sent["entry"][2:]  # Practitioner and ServiceRequest
        answer = post(coordinator, "", sent).json()
        assert answer["entry"][0]["response"]["status"] == "200 OK"
        referral = Referral.objects.get()
        assert (referral.patient, referral.referring_provider) == (patient, provider)

    def test_a_resend_adds_nothing(self, org: Any, infliximab: Any, coordinator: Client) -> None:
        assert post(coordinator, "", bundle()).status_code == 200
        again = post(coordinator, "", bundle())
        assert again.status_code == 409
        assert again.json()["issue"][0]["code"] == "duplicate"
        assert Referral.objects.count() == 1


@pytest.mark.django_db
class TestRefusals:
    def refused(self, client: Client, body: Any, status: int, says: str) -> dict[str, Any]:
        response = post(client, "", body)
        assert response.status_code == status, response.content
        outcome: dict[str, Any] = response.json()
        parse(outcome)
        assert says in json.dumps(outcome)
        assert Referral.objects.count() == 0
        assert ReferringProvider.objects.count() == 0  # not even the provider stays
        return outcome

    def test_a_bad_diagnosis_code_is_refused_whole(
        self, infliximab: Any, coordinator: Client
    ) -> None:
        sent = bundle(reasonCode=[{"coding": [{"system": codes.ICD10CM, "code": "K50"}]}])
        outcome = self.refused(coordinator, sent, 422, "K50")
        assert outcome["issue"][0]["expression"] == ["ServiceRequest.reasonCode"]

    def test_an_npi_with_a_wrong_check_digit_is_refused(
        self, infliximab: Any, coordinator: Client
    ) -> None:
        sent = bundle()
        wrong = NPI[:-1] + str((int(NPI[-1]) + 1) % 10)
        sent["entry"][2]["resource"]["identifier"][0]["value"] = wrong
        self.refused(coordinator, sent, 422, "not a valid NPI")

    def test_a_patient_of_another_organization_is_refused(
        self, infliximab: Any, foreign_patient: Any, coordinator: Client
    ) -> None:
        sent = bundle(subject={"reference": f"Patient/{foreign_patient.public_id}"})
        self.refused(coordinator, sent, 422, "is not a patient here")

    def test_a_patient_without_birth_date_is_refused(
        self, infliximab: Any, coordinator: Client
    ) -> None:
        sent = bundle()
        del sent["entry"][0]["resource"]["birthDate"]
        self.refused(coordinator, sent, 422, "birth date")

    @pytest.mark.parametrize(
        ("change", "status", "says"),
        [
            (lambda b: b.update(type="batch"), 400, "transaction"),
            (lambda b: b["entry"].pop(3), 422, "exactly one ServiceRequest"),
            (lambda b: b["entry"][3]["resource"].update(authoredOn="yesterday"), 400, "authoredOn"),
            (
                lambda b: b["entry"][0]["resource"].update(resourceType="Claim"),
                400,
                "entry.0.resource",
            ),
            (lambda b: b["entry"][3]["resource"].update(requester={"display": "Dr A"}), 422, "NPI"),
        ],
    )
    def test_malformed_bundles_are_refused(
        self, change: Any, status: int, says: str, infliximab: Any, coordinator: Client
    ) -> None:
        sent = copy.deepcopy(bundle())
        change(sent)
        self.refused(coordinator, sent, status, says)

    def test_it_wants_fhir_json(self, infliximab: Any, coordinator: Client) -> None:
        response = post(coordinator, "", bundle(), content_type="text/plain")
        assert response.status_code == 415
        assert post(coordinator, "", "not json{").status_code == 400
        assert not Referral.objects.exists() and not ReferringProvider.objects.exists()

    def test_a_nurse_cannot_create_a_referral(self, org: Any, infliximab: Any) -> None:
        self.refused(token_client(org, "nurse"), bundle(), 403, "forbidden")

    def test_a_session_must_send_the_csrf_token(self, org: Any, infliximab: Any) -> None:
        client = f.login(f.make_user(org, "coordinator"))
        client.handler.enforce_csrf_checks = True
        self.refused(client, bundle(), 403, "CSRF")


@pytest.mark.django_db
class TestSingleServiceRequest:
    def test_a_service_request_with_contained_resources(
        self, org: Any, infliximab: Any, coordinator: Client
    ) -> None:
        entries = bundle()["entry"]
        patient, coverage, doctor = (dict(e["resource"]) for e in entries[:3])
        patient["id"], coverage["id"], doctor["id"] = "p", "c", "d"
        coverage["beneficiary"] = {"reference": "#p"}
        service_request = dict(entries[3]["resource"])
        service_request.update(
            contained=[patient, coverage, doctor],
            subject={"reference": "#p"},
            requester={"reference": "#d"},
            insurance=[{"reference": "#c"}],
        )
        response = post(coordinator, "ServiceRequest", service_request)
        assert response.status_code == 201, response.content
        created = response.json()
        parse(created)
        referral = Referral.objects.get()
        assert response["Location"].endswith(f"/fhir/r4/ServiceRequest/{referral.public_id}")
        assert created["id"] == str(referral.public_id) and created["priority"] == "urgent"
        assert "XQZ123456789" in referral.clinical_notes

    def test_other_types_cannot_be_created(self, coordinator: Client) -> None:
        with assert_no_db_changes(Patient):
            response = post(coordinator, "Patient", {"resourceType": "Patient"})
            assert response.status_code == 405
