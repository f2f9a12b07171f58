"""Reading and searching: every resource the facade produces parses as FHIR (fhir.resources,
R4B models), carries the codes Chairside keeps, and searches page with links."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from chairside.fhir.tests.conftest import FHIR
from chairside.rules.interop import fhir_codes as codes


def parse(resource: dict[str, Any]) -> Any:
    """The resource through its fhir.resources R4B model (raises when it is not valid)."""
    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    return getattr(module, kind).model_validate(resource)


def search(client: Client, query: str) -> dict[str, Any]:
    response = client.get(FHIR + query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle: dict[str, Any] = response.json()
    parse(bundle)
    return bundle


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", [])]


@pytest.mark.django_db
class TestEveryKind:
    KINDS = (
        "Patient",
        "Coverage",
        "ServiceRequest",
        "MedicationRequest",
        "Appointment",
        "MedicationAdministration",
        "Observation",
        "AdverseEvent",
        "DocumentReference",
    )

    @pytest.mark.parametrize("kind", KINDS)
    def test_it_searches_and_reads_valid_resources(
        self, kind: str, world: SimpleNamespace, coordinator: Client
    ) -> None:
        who = (
            f"_id={world.patient.public_id}"
            if kind == "Patient"
            else (f"patient=Patient/{world.patient.public_id}")
        )
        found = resources(search(coordinator, f"{kind}?{who}"))
        assert found, f"no {kind}"
        for resource in found:
            assert resource["resourceType"] == kind
            parse(resource)
            read = coordinator.get(f"{FHIR}{kind}/{resource['id']}")
            assert read.status_code == 200
            assert read.json() == resource

    def test_the_capability_statement_lists_them_and_is_valid(self, client: Client) -> None:
        statement = client.get(FHIR + "metadata").json()
        parse(statement)
        served = {r["type"] for r in statement["rest"][0]["resource"]}
        # Practitioner and Organization (read and search, tested in test_directory) and
        # Claim (the PAS request Bundle operation only).
        assert served == {*self.KINDS, "Practitioner", "Organization", "Claim"}
        assert statement["fhirVersion"] == "4.0.1"


@pytest.mark.django_db
class TestCodes:
    def test_it_codes_the_patient_and_coverage(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        patient = coordinator.get(f"{FHIR}Patient/{world.patient.public_id}").json()
        assert patient["identifier"][0]["value"] == world.patient.mrn
        assert patient["gender"] == "female" and patient["birthDate"] == "1970-05-17"
        assert patient["name"][0] == {"use": "official", "family": "Hopper", "given": ["Grace"]}
        coverage = coordinator.get(f"{FHIR}Coverage/{world.coverage.public_id}").json()
        assert coverage["subscriberId"] == world.coverage.member_id
        assert coverage["payor"] == [
            {
                "reference": f"Organization/{world.payer.public_id}",
                "display": "Acme Health",
                "identifier": {"value": "ACME1"},
            }
        ]
        assert coverage["relationship"]["coding"][0]["code"] == "self"

    def test_vital_signs_carry_loinc_and_ucum(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        pid = world.patient.public_id
        found = resources(search(coordinator, f"Observation?patient={pid}&category=vital-signs"))
        by_code: dict[str, dict[str, Any]] = {}
        for obs in found:
            by_code.setdefault(obs["code"]["coding"][0]["code"], obs)
        assert {"85354-9", "8867-4", "8310-5", "2708-6", "9279-1", "29463-7"} <= set(by_code)
        bp = by_code["85354-9"]
        assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]
        assert bp["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
        assert by_code["8310-5"]["valueQuantity"]["code"] == "Cel"
        heart = search(coordinator, f"Observation?patient={pid}&code={codes.LOINC}|8867-4")
        assert {o["code"]["coding"][0]["code"] for o in resources(heart)} == {"8867-4"}
        assert heart["total"] == 2  # before the infusion and at discharge

    def test_a_lab_is_coded_from_the_coded_lab_list(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        lab = coordinator.get(f"{FHIR}Observation/lab-{world.lab.public_id}").json()
        assert lab["code"]["coding"][0] == {
            "system": "http://loinc.org",
            "code": "5196-1",
            "display": "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay",
        }
        assert lab["interpretation"][0]["coding"][0]["code"] == "NEG"

    def test_drugs_carry_hcpcs_and_the_ndc_of_the_lot_given(
        self, world: SimpleNamespace, coordinator: Client
    ) -> None:
        given = coordinator.get(
            f"{FHIR}MedicationAdministration/{world.administration.public_id}"
        ).json()
        systems = {c["system"]: c["code"] for c in given["medicationCodeableConcept"]["coding"]}
        assert systems[codes.HCPCS] == world.order.drug.hcpcs
        package = world.visit.preparation.vials.get().lot.package
        assert systems[codes.NDC] == package.ndc11
        assert given["request"]["reference"] == f"MedicationRequest/{world.order.public_id}"
        order = coordinator.get(f"{FHIR}MedicationRequest/{world.order.public_id}").json()
        assert order["medicationCodeableConcept"]["coding"][0]["code"] == world.order.drug.hcpcs

    def test_the_reaction_and_report(self, world: SimpleNamespace, coordinator: Client) -> None:
        event = coordinator.get(f"{FHIR}AdverseEvent/{world.reaction.public_id}").json()
        assert event["severity"]["coding"][0]["code"] == "moderate"
        assert "Rash" in event["event"]["text"]
        report = coordinator.get(f"{FHIR}DocumentReference/{world.report.public_id}").json()
        assert report["status"] == "current"
        assert report["content"][0]["attachment"]["url"].endswith(
            f"/visits/reports/{world.report.public_id}/report.pdf"
        )
        referral = coordinator.get(f"{FHIR}ServiceRequest/{world.referral.public_id}").json()
        assert referral["reasonCode"][0]["coding"][0] == {
            "system": codes.ICD10CM,
            "code": "K50.90",
            "display": world.referral.diagnosis_description,
        }


@pytest.mark.django_db
class TestSearch:
    def test_patients_by_identifier_name_and_birthdate(
        self, org: Any, patient: Any, coordinator: Client
    ) -> None:
        from tests import factories as f

        f.make_patient(org, first_name="Alan", last_name="Turing", mrn="T-1")
        assert [
            p["id"] for p in resources(search(coordinator, f"Patient?identifier={patient.mrn}"))
        ] == [str(patient.public_id)]
        assert (
            resources(search(coordinator, "Patient?name=tur"))[0]["identifier"][0]["value"] == "T-1"
        )
        assert search(coordinator, "Patient?family=hopp&given=gra")["total"] == 1
        assert search(coordinator, "Patient?birthdate=1970-05-17")["total"] == 2
        assert search(coordinator, "Patient?birthdate=gt1970-05-17")["total"] == 0
        assert search(coordinator, "Patient?identifier=http://elsewhere|T-1")["total"] == 0

    def test_it_pages_with_next_and_previous_links(self, org: Any, coordinator: Client) -> None:
        from tests import factories as f

        for _ in range(5):
            f.make_patient(org)
        first = search(coordinator, "Patient?_count=2")
        links = {link["relation"]: link["url"] for link in first["link"]}
        assert first["total"] == 5 and len(first["entry"]) == 2 and "previous" not in links
        second = search(coordinator, links["next"].split("/fhir/r4/", 1)[1])
        assert {link["relation"] for link in second["link"]} >= {"next", "previous"}
        assert not {e["fullUrl"] for e in first["entry"]} & {e["fullUrl"] for e in second["entry"]}
        last = search(coordinator, "Patient?_count=2&_offset=4")
        assert len(last["entry"]) == 1 and "next" not in {k["relation"] for k in last["link"]}

    def test_dates_filter_appointments(self, world: SimpleNamespace, coordinator: Client) -> None:
        pid = world.patient.public_id
        assert search(coordinator, f"Appointment?patient={pid}&date=2026-12-08")["total"] == 1
        assert search(coordinator, f"Appointment?patient={pid}&date=gt2026-12-08")["total"] == 0

    @pytest.mark.parametrize(
        ("query", "says"),
        [
            ("Patient?color=blue", "'color' is not supported"),
            ("Patient?birthdate=12/08/2026", "YYYY-MM-DD"),
            ("Appointment?patient=nobody", "not a Patient id"),
            ("Patient?_count=1000", "_count"),
            ("Observation?category=laboratory", "need patient"),
        ],
    )
    def test_a_search_it_cannot_do_is_a_400_outcome(
        self, query: str, says: str, coordinator: Client
    ) -> None:
        response = coordinator.get(FHIR + query)
        assert response.status_code == 400
        body = response.json()
        parse(body)
        assert says in body["issue"][0]["diagnostics"]

    def test_an_unknown_type_or_id_is_a_404_outcome(self, coordinator: Client) -> None:
        assert coordinator.get(FHIR + "Claim").status_code == 404
        missing = coordinator.get(FHIR + "Patient/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and missing.json()["issue"][0]["code"] == "not-found"
        assert coordinator.get(FHIR + "Observation/xx-1").status_code == 404
