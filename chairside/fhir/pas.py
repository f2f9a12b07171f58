"""The Da Vinci Prior Authorization Support (PAS) request Bundle for an authorization.

HL7 Da Vinci PAS IG STU 2 (2.1.0, http://hl7.org/fhir/us/davinci-pas): a PAS Request Bundle
(profile-pas-request-bundle) is a ``collection`` with an identifier and a timestamp whose
first entry is the PAS Claim (profile-claim: use ``preauthorization``, status ``active``),
followed by the resources it references: the beneficiary Patient, the Coverage, the insurer
Organization, the requesting Organization (the center) and the ordering Practitioner, and
the MedicationRequest each Claim.item names in its requestedService extension. Item category
is an X12 service type (code list 1365), the place of service a CMS code, the request type
X12 1525 HS and the certification type X12 1322 (as in the 278's UM segment).

The resources come from the facade's own mappings (the same JSON ``/fhir/r4`` serves) and
the whole Bundle is checked by constructing the ``fhir.resources`` R4B models: a Bundle
that would not parse is refused rather than handed out.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.organization import Organization as OrganizationModel
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from pydantic import ValidationError as ModelError

from chairside.access.authorizations.requested import requested_defaults
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record
from chairside.billing.pricing import billing_profile
from chairside.fhir.mapping import directory, orders, patients
from chairside.fhir.mapping.common import Resource, coding, concept, day, drop_empty, instant, ref
from chairside.rules.interop import fhir_codes as codes
from chairside.tenancy.models import Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PAS_VERSION = "2.1.0"
MODELS: dict[str, Any] = {
    "Claim": Claim,
    "Patient": Patient,
    "Coverage": Coverage,
    "Organization": OrganizationModel,
    "Practitioner": Practitioner,
    "MedicationRequest": MedicationRequest,
}


class PasBundleError(ValueError):
    """The Bundle did not construct as FHIR R4B models (a mapping bug or bad data)."""


def _ext(name: str, **value: Any) -> dict[str, Any]:
    return {"url": codes.PAS + f"extension-{name}", **value}


def pas_claim(authorization: Any, requested: Any, base_url: str, created: dt.datetime) -> Resource:
    """The PAS Claim: the requested HCPCS, units and dates for the order's MedicationRequest."""
    order, coverage = authorization.order, authorization.coverage
    diagnoses = list(order.diagnoses.order_by("-is_primary", "icd10_code"))
    location = order.location
    pos = location.place_of_service if location is not None else "11"
    return drop_empty(
        {
            "resourceType": "Claim",
            "id": str(authorization.public_id),
            "meta": {"profile": [codes.PAS + "profile-claim"]},
            "identifier": [
                {"system": f"{base_url}prior-authorizations", "value": str(authorization.public_id)}
            ],
            "status": "active",
            "type": concept("", coding(codes.CLAIM_TYPE, "professional", "Professional")),
            "use": "preauthorization",
            "patient": ref("Patient", authorization.patient.public_id),
            "created": instant(created),
            "insurer": ref("Organization", coverage.payer.public_id),
            "provider": ref("Organization", authorization.organization.public_id),
            "priority": concept("", coding(codes.PROCESS_PRIORITY, "normal", "Normal")),
            "careTeam": [
                {"sequence": 1, "provider": ref("Practitioner", order.ordering_provider.public_id)}
            ],
            "diagnosis": [
                {
                    "sequence": n,
                    "diagnosisCodeableConcept": concept(
                        d.description, coding(codes.ICD10CM, d.icd10_code, d.description)
                    ),
                    "type": [
                        concept(
                            "", coding(codes.DIAGNOSIS_TYPE, "principal" if n == 1 else "clinical")
                        )
                    ],
                }
                for n, d in enumerate(diagnoses[:12], start=1)
            ],
            "insurance": [
                {"sequence": 1, "focal": True, "coverage": ref("Coverage", coverage.public_id)}
            ],
            "item": [
                {
                    "extension": [
                        _ext(
                            "serviceItemRequestType",
                            valueCodeableConcept=concept(
                                "",
                                coding(
                                    "https://codesystem.x12.org/005010/1525",
                                    "HS",
                                    "Health Services Review",
                                ),
                            ),
                        ),
                        _ext(
                            "certificationType",
                            valueCodeableConcept=concept(
                                "", coding("https://codesystem.x12.org/005010/1322", "I", "Initial")
                            ),
                        ),
                        _ext(
                            "requestedService",
                            valueReference=ref("MedicationRequest", order.public_id),
                        ),
                    ],
                    "sequence": 1,
                    "careTeamSequence": [1],
                    "diagnosisSequence": list(range(1, min(len(diagnoses), 4) + 1)),
                    "category": concept("", coding(codes.X12_SERVICE_TYPE, "1", "Medical Care")),
                    "productOrService": orders.drug_concept(order.drug),
                    "servicedPeriod": {
                        "start": day(requested.start_on),
                        "end": day(requested.end_on),
                    },
                    "locationCodeableConcept": concept("", coding(codes.PLACE_OF_SERVICE, pos)),
                    "quantity": {"value": requested.units, "unit": "billing units"},
                }
            ],
            "supportingInfo": [],
        }
    )


def pas_request_bundle(authorization: Any, requested: Any, base_url: str) -> dict[str, Any]:
    """The PAS request Bundle for the authorization (checked by the R4B models)."""
    created = timezone.now()
    order = authorization.order
    organization: Organization = authorization.organization
    claim = pas_claim(authorization, requested, base_url, created)
    resources = [
        claim,
        patients.patient(authorization.patient),
        patients.coverage(authorization.coverage),
        directory.payer(authorization.coverage.payer),
        directory.center(organization, billing_profile(organization)),
        directory.practitioner(order.ordering_provider),
        orders.medication_request(order),
    ]
    bundle = {
        "resourceType": "Bundle",
        "meta": {"profile": [codes.PAS + "profile-pas-request-bundle"]},
        "identifier": {
            "system": f"{base_url}pas-request-bundles",
            "value": f"{authorization.public_id}-{created:%Y%m%d%H%M%S}",
        },
        "type": "collection",
        "timestamp": instant(created),
        "entry": [
            {"fullUrl": f"{base_url}{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
    try:
        Bundle.model_validate(bundle)
        for resource in resources:  # each entry through its own model, too
            MODELS[resource["resourceType"]].model_validate(resource)
    except ModelError as exc:
        raise PasBundleError(f"The PAS Bundle is not valid FHIR R4B: {exc}") from None
    return bundle


def requested(authorization: Any, today: dt.date) -> Any:
    """What the Bundle asks for: the order's doses still to give (as the 278 prepares)."""
    return requested_defaults(authorization, today)


def audit_export(authorization: Any, user: User, bundle: dict[str, Any]) -> None:
    """A PAS Bundle handed out names the patient: one export row in the audit trail."""
    audit_record(
        action=AuditEvent.Action.EXPORT,
        user=user,
        organization=authorization.organization,
        obj=authorization,
        patient=authorization.patient,
        changes={"pas_request_bundle": [None, bundle["identifier"]["value"]]},
    )
