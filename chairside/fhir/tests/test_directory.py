"""Practitioner and Organization (US Core): read and search, scoped to the organization; and
the Da Vinci PAS request Bundle of an authorization, checked by the fhir.resources models."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim

from chairside.access.referrals.tests import factories as rf
from chairside.audit.models import AuditEvent
from chairside.fhir.tests.conftest import FHIR, token_client
from chairside.fhir.tests.test_read_search import parse, resources, search
from chairside.patients.models import Diagnosis
from chairside.rules.interop import fhir_codes as codes
from tests import factories as f


@pytest.mark.django_db
class TestPractitioner:
    def test_it_reads_and_searches_the_ordering_provider(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        provider = world.order.ordering_provider
        found = coordinator.get(f"{FHIR}Practitioner/{provider.public_id}")
        assert found.status_code == 200
        body = found.json()
        parse(body)
        assert body["identifier"] == [{"system": codes.NPI, "value": provider.npi}]
        assert body["meta"]["profile"] == [codes.US_CORE + "us-core-practitioner"]
        assert body["name"][0]["family"] == provider.last_name
        by_npi = resources(
            search(coordinator, f"Practitioner?identifier={codes.NPI}|{provider.npi}")
        )
        assert [r["id"] for r in by_npi] == [str(provider.public_id)]
        by_name = resources(search(coordinator, f"Practitioner?family={provider.last_name[:4]}"))
        assert str(provider.public_id) in {r["id"] for r in by_name}
        assert resources(search(coordinator, "Practitioner?identifier=0000000000")) == []

    def test_the_medication_request_references_it(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        body = coordinator.get(f"{FHIR}MedicationRequest/{world.order.public_id}").json()
        ref = body["requester"]["reference"]
        assert ref == f"Practitioner/{world.order.ordering_provider.public_id}"
        assert coordinator.get(FHIR + ref).status_code == 200

    def test_another_organization_gets_a_404_and_an_empty_search(
        self, world: SimpleNamespace, other_org: Any
    ) -> None:
        stranger = token_client(other_org, "coordinator")
        provider = world.order.ordering_provider
        assert stranger.get(f"{FHIR}Practitioner/{provider.public_id}").status_code == 404
        assert resources(search(stranger, f"Practitioner?identifier={provider.npi}")) == []

    def test_it_needs_a_caller(self, world: SimpleNamespace) -> None:
        provider = world.order.ordering_provider
        assert Client().get(f"{FHIR}Practitioner/{provider.public_id}").status_code == 401


@pytest.mark.django_db
class TestOrganization:
    def test_it_serves_the_center_and_its_payers(
        self, world: SimpleNamespace, coordinator: Client, org: Any
    ) -> None:
        found = {r["id"]: r for r in resources(search(coordinator, "Organization"))}
        assert set(found) >= {str(org.public_id), str(world.payer.public_id)}
        payer = found[str(world.payer.public_id)]
        assert payer["type"][0]["coding"][0]["code"] == "pay"
        assert payer["identifier"] == [{"value": "ACME1"}]
        center = coordinator.get(f"{FHIR}Organization/{org.public_id}").json()
        parse(center)
        assert center["type"][0]["coding"][0]["code"] == "prov"
        named = resources(search(coordinator, "Organization?name=acme"))
        assert [r["id"] for r in named] == [str(world.payer.public_id)]
        assert [
            r["id"] for r in resources(search(coordinator, "Organization?identifier=ACME1"))
        ] == [str(world.payer.public_id)]

    def test_the_coverage_payor_resolves(self, world: SimpleNamespace, coordinator: Client) -> None:
        coverage = coordinator.get(f"{FHIR}Coverage/{world.coverage.public_id}").json()
        assert coordinator.get(FHIR + coverage["payor"][0]["reference"]).status_code == 200

    def test_another_organization_sees_neither_the_center_nor_its_payers(
        self, world: SimpleNamespace, other_org: Any, org: Any
    ) -> None:
        stranger = token_client(other_org, "coordinator")
        assert stranger.get(f"{FHIR}Organization/{org.public_id}").status_code == 404
        assert stranger.get(f"{FHIR}Organization/{world.payer.public_id}").status_code == 404
        ids = {r["id"] for r in resources(search(stranger, "Organization"))}
        assert ids == {str(other_org.public_id)}

    def test_an_unknown_parameter_is_refused(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        assert coordinator.get(f"{FHIR}Organization?patient=x").status_code == 400


def _authorization(org: Any) -> Any:
    org.group_npi = "1234567893"
    org.save()
    patient = rf.covered_patient(org)
    Diagnosis.objects.create(
        patient=patient, icd10_code="K50.90", description="Crohn's", is_primary=True
    )
    order = rf.make_order(patient)
    order.diagnoses.set(patient.diagnoses.all())
    rf.verify_benefits(order, None)
    return order.authorizations.get()


@pytest.mark.django_db
class TestPasRequestBundle:
    def test_it_is_a_valid_pas_collection_with_the_claim_first(self, org: Any) -> None:
        auth = _authorization(org)
        client = token_client(org, "coordinator")
        response = client.get(f"{FHIR}Claim/{auth.public_id}/$pas-request-bundle")
        assert response.status_code == 200, response.content
        bundle = response.json()
        Bundle.model_validate(bundle)
        assert bundle["type"] == "collection" and bundle["identifier"]["value"]
        assert bundle["meta"]["profile"] == [codes.PAS + "profile-pas-request-bundle"]
        claim = bundle["entry"][0]["resource"]
        Claim.model_validate(claim)
        assert (claim["resourceType"], claim["use"], claim["status"]) == (
            "Claim",
            "preauthorization",
            "active",
        )
        kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
        assert kinds == [
            "Claim",
            "Patient",
            "Coverage",
            "Organization",
            "Organization",
            "Practitioner",
            "MedicationRequest",
        ]
        item = claim["item"][0]
        assert item["productOrService"]["coding"][0]["code"] == auth.order.drug.hcpcs
        service = next(e for e in item["extension"] if e["url"].endswith("requestedService"))
        assert service["valueReference"]["reference"] == f"MedicationRequest/{auth.order.public_id}"
        assert claim["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] == "K50.90"
        full_urls = {e["fullUrl"].split("/r4/")[1] for e in bundle["entry"]}
        for reference in (claim["patient"], claim["insurer"], claim["provider"]):
            assert reference["reference"] in full_urls
        assert claim["insurance"][0]["coverage"]["reference"] in full_urls
        assert AuditEvent.objects.filter(object_id=auth.public_id, action="export").exists()

    def test_another_organization_and_a_nurse_are_refused(self, org: Any, other_org: Any) -> None:
        auth = _authorization(org)
        url = f"{FHIR}Claim/{auth.public_id}/$pas-request-bundle"
        assert token_client(other_org, "coordinator").get(url).status_code == 404
        assert token_client(org, "nurse").get(url).status_code == 403

    def test_the_authorization_page_download_is_the_same_bundle(self, org: Any) -> None:
        auth = _authorization(org)
        client = f.login(f.make_user(org, "coordinator"))
        from django.urls import reverse

        response = client.get(reverse("interop:prior_auth_pas", args=[auth.public_id]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        Bundle.model_validate_json(response.content)
