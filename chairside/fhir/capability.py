"""The CapabilityStatement at /fhir/r4/metadata: what this server reads, searches and creates."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from chairside.fhir.resources import KINDS
from chairside.rules.interop import fhir_codes as codes

# What each search parameter is, for the statement (FHIR search parameter types).
PARAM_TYPES = {
    "_id": "token",
    "identifier": "token",
    "name": "string",
    "family": "string",
    "given": "string",
    "birthdate": "date",
    "gender": "token",
    "patient": "reference",
    "subject": "reference",
    "beneficiary": "reference",
    "date": "date",
    "category": "token",
    "code": "token",
}


def capability_statement(base_url: str) -> dict[str, Any]:
    resources = []
    for kind in KINDS.values():
        entry: dict[str, Any] = {
            "type": kind.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": p, "type": PARAM_TYPES[p]} for p in kind.params],
        }
        if kind.profile:
            entry["supportedProfile"] = [kind.profile]
        if kind.name == "ServiceRequest":
            entry["interaction"].append({"code": "create"})
        resources.append(entry)
    resources.append(
        {
            "type": "Claim",
            "documentation": "GET Claim/<authorization id>/$pas-request-bundle answers the Da "
            "Vinci PAS request Bundle (STU 2) for one of the organization's prior "
            "authorizations: a collection whose first entry is the Claim (use "
            "preauthorization), then the Patient, Coverage, insurer and requesting "
            "Organizations, the ordering Practitioner and the MedicationRequest.",
            "supportedProfile": [codes.PAS + "profile-claim"],
            "operation": [
                {
                    "name": "pas-request-bundle",
                    "definition": f"{base_url}OperationDefinition/pas-request-bundle",
                }
            ],
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Chairside",
        "kind": "instance",
        "software": {"name": "Chairside"},
        "implementation": {"description": "Chairside FHIR R4 facade", "url": base_url},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Every read is scoped to the caller's organization (another "
                "organization's record answers 404), checked against the caller's role, and "
                "audited. A transaction Bundle with one ServiceRequest (and its Patient, "
                "Coverage, Practitioner) puts a referral in the intake queue.",
                "security": {
                    "cors": False,
                    "description": "Authorization: Bearer <Chairside API token>, or a "
                    "Chairside log-in session (with its CSRF token for writes).",
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
