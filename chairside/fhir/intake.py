"""Referral intake from FHIR: a transaction Bundle with one ServiceRequest (and its Patient,
Coverage, Practitioner), or a ServiceRequest on its own, becomes a referral in the intake
queue through the referral services (which validate it and write the audit trail).

All of it runs in one database transaction: a refusal anywhere leaves nothing behind (not
even a referring provider added on the way). Patient and Coverage are not made into a chart
or a coverage record here: the coordinator registers or links the chart at intake (where
likely duplicates are shown) and enters the coverage for the benefits check; until then the
referral carries the person as sent and the insurance as text in its notes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydantic
from django.core.exceptions import ValidationError
from django.db import transaction
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from chairside.access.referrals import services as referral_services
from chairside.access.referrals.models import Referral, ReferringProvider
from chairside.fhir.http import FhirError, outcome
from chairside.fhir.mapping.common import mrn_system
from chairside.fhir.mapping.orders import service_request
from chairside.formulary.models import Drug, Package
from chairside.patients.models import Patient, search_key
from chairside.rules.access import referral_states
from chairside.rules.interop import fhir_codes as codes
from chairside.rules.inventory.ndc import to_ndc11

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ALLOWED = ("ServiceRequest", "Patient", "Coverage", "Practitioner")
# Where each referral field came from, for the OperationOutcome's expression.
FIELD_PATHS = {
    "requested_drug": "ServiceRequest.code",
    "diagnosis_code": "ServiceRequest.reasonCode",
    "referring_provider": "ServiceRequest.requester",
    "npi": "Practitioner.identifier",
    "first_name": "Practitioner.name",
    "last_name": "Practitioner.name",
    "patient_last_name": "Patient.name",
    "patient_first_name": "Patient.name",
    "patient_date_of_birth": "Patient.birthDate",
    "received_on": "ServiceRequest.authoredOn",
}


@dataclass
class Result:
    body: dict[str, Any]
    status: int
    location: str = ""


@dataclass
class _Intake:
    """What one referral was made from, and what to answer for each resource sent."""

    organization: Any
    user: User
    resolve: dict[str, dict[str, Any]]
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def as_fhir_error(exc: ValidationError) -> FhirError:
    """A service's refusal as a 422 OperationOutcome, each message at the element it is about."""
    if hasattr(exc, "error_dict"):
        issues = [
            (msg, "business-rule" if name == "drug" else "invariant", FIELD_PATHS.get(name))
            for name, msgs in exc.message_dict.items()
            for msg in msgs
        ]
    else:
        issues = [(msg, "business-rule", None) for msg in exc.messages]
    first = issues[0][0] if issues else "The referral was refused."
    return FhirError(422, first, issues=issues)


def _structure(model: type[pydantic.BaseModel], body: dict[str, Any]) -> None:
    """Refuse (400) what is not a valid FHIR R4 resource of that type."""
    try:
        model.model_validate(body)
    except pydantic.ValidationError as exc:
        issues = [
            (f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}", "structure", None)
            for e in exc.errors()[:20]
        ]
        raise FhirError(400, issues[0][0], code="structure", issues=issues) from None


@transaction.atomic
def referral_from_transaction(*, organization: Any, user: User, bundle: dict[str, Any]) -> Result:
    """A transaction Bundle: exactly one ServiceRequest, at most one Patient and
    Practitioner, and any Coverage. Answers a transaction-response Bundle."""
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
        raise FhirError(400, "POST to the base takes a Bundle of type transaction.")
    _structure(Bundle, bundle)
    entries = bundle.get("entry") or []
    resolve: dict[str, dict[str, Any]] = {}
    requests = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType", "")
        request = entry.get("request") or {}
        where = f"Bundle.entry[{index}]"
        if kind not in ALLOWED:
            raise FhirError(
                422,
                f"{where}: a referral transaction takes {', '.join(ALLOWED)}, not {kind}.",
                code="not-supported",
            )
        if request.get("method") != "POST" or request.get("url") != kind:
            raise FhirError(422, f"{where}: each entry is a POST to its type ({kind}).")
        if entry.get("fullUrl"):
            resolve[entry["fullUrl"]] = resource
        requests.append((index, kind, resource))
    asked = [r for r in requests if r[1] == "ServiceRequest"]
    if len(asked) != 1:
        raise FhirError(422, f"Send exactly one ServiceRequest (this Bundle has {len(asked)}).")
    for kind in ("Patient", "Practitioner"):
        if sum(1 for r in requests if r[1] == kind) > 1:
            raise FhirError(422, f"Send at most one {kind}: one referral is about one person.")
    intake = _Intake(organization, user, resolve)
    referral = _referral(intake, asked[0][2], [r for r in requests if r[1] == "Coverage"])
    entries_out = []
    for _, kind, resource in requests:
        if kind == "ServiceRequest":
            answer = {"status": "201 Created", "location": f"ServiceRequest/{referral.public_id}"}
        else:
            answer = intake.answers.get(id(resource)) or _unused(kind)
        entries_out.append({"response": answer})
    body = {"resourceType": "Bundle", "type": "transaction-response", "entry": entries_out}
    return Result(body, 200)


@transaction.atomic
def referral_from_service_request(
    *, organization: Any, user: User, resource: dict[str, Any]
) -> Result:
    """A ServiceRequest on its own: its subject is a chart here (``Patient/<id>``) or a
    contained Patient, its requester a contained Practitioner or an NPI identifier."""
    if resource.get("resourceType") != "ServiceRequest":
        raise FhirError(400, "POST to ServiceRequest takes a ServiceRequest.")
    _structure(ServiceRequest, resource)
    intake = _Intake(organization, user, {})
    coverages = [
        _contained(resource, ref.get("reference", "")) for ref in resource.get("insurance") or []
    ]
    referral = _referral(intake, resource, [(0, "Coverage", c) for c in coverages if c])
    return Result(service_request(referral), 201, f"ServiceRequest/{referral.public_id}")


def _contained(resource: dict[str, Any], reference: str) -> dict[str, Any] | None:
    if not reference.startswith("#"):
        return None
    return next((c for c in resource.get("contained") or [] if c.get("id") == reference[1:]), None)


def _target(intake: _Intake, sr: dict[str, Any], reference: str) -> dict[str, Any] | None:
    return _contained(sr, reference) or intake.resolve.get(reference)


def _unused(kind: str) -> dict[str, Any]:
    return {
        "status": "422 Unprocessable Entity",
        "outcome": outcome(
            [(f"The ServiceRequest does not refer to this {kind}.", "invalid", None)]
        ),
    }


def _accepted(message: str, status: str = "202 Accepted", location: str = "") -> dict[str, Any]:
    answer: dict[str, Any] = {
        "status": status,
        "outcome": outcome([(message, "informational", None)], severity="information"),
    }
    if location:
        answer["location"] = location
    return answer


# --- building the referral ------------------------------------------------------------


def _referral(
    intake: _Intake, sr: dict[str, Any], coverages: list[tuple[int, str, dict[str, Any]]]
) -> Referral:
    fields: dict[str, Any] = {
        "referring_provider": _provider(intake, sr),
        "is_urgent": sr.get("priority") in codes.URGENT_PRIORITIES,
        **_person(intake, sr),
        **_drug(intake.organization, sr.get("code") or {}),
        **_diagnosis(sr.get("reasonCode") or []),
    }
    for _, _, cov in coverages:
        intake.notes.append(_coverage_text(cov))
        intake.answers[id(cov)] = _accepted(
            "Recorded in the referral's notes for the benefits check; the coordinator enters "
            "the coverage on the chart."
        )
    fields["clinical_notes"] = _notes(sr, intake.notes)
    _refuse_duplicate(intake.organization, fields)
    return referral_services.referral_create(
        organization=intake.organization, user=intake.user, **fields
    )


def _person(intake: _Intake, sr: dict[str, Any]) -> dict[str, Any]:
    reference = (sr.get("subject") or {}).get("reference", "")
    org = intake.organization
    if reference.startswith("Patient/"):
        return {"patient": _chart(org, reference.removeprefix("Patient/"), reference)}
    person = _target(intake, sr, reference)
    if person is None or person.get("resourceType") != "Patient":
        raise FhirError(
            422,
            "ServiceRequest.subject: refer to a Patient in the Bundle, a contained Patient, "
            "or a chart here (Patient/<id>).",
        )
    for ident in person.get("identifier") or []:
        if ident.get("system") == mrn_system(org) and ident.get("value"):
            chart = Patient.objects.filter(organization=org, mrn=ident["value"]).first()
            if chart is None:
                raise FhirError(422, f"Patient.identifier: no chart here has MRN {ident['value']}.")
            if person.get("birthDate") and person["birthDate"] != chart.date_of_birth.isoformat():
                raise FhirError(
                    422,
                    f"Patient.birthDate: the chart with MRN {chart.mrn} has another birth date",
                )
            intake.answers[id(person)] = _accepted(
                "Linked to the chart with this MRN.", "200 OK", f"Patient/{chart.public_id}"
            )
            return {"patient": chart}
    name = next(
        (n for n in person.get("name") or [] if n.get("use") == "official"),
        (person.get("name") or [{}])[0],
    )
    phone = next(
        (t.get("value", "") for t in person.get("telecom") or [] if t.get("system") == "phone"), ""
    )
    intake.answers[id(person)] = _accepted(
        "Recorded on the referral as received: the coordinator registers the patient or links "
        "the chart at intake."
    )
    return {
        "patient_first_name": ((name.get("given") or [""])[0])[:80],
        "patient_last_name": (name.get("family") or "")[:80],
        "patient_date_of_birth": _date(person.get("birthDate"), "Patient.birthDate"),
        "patient_phone": phone[:30],
    }


def _chart(org: Any, raw_id: str, reference: str) -> Patient:
    chart = None
    try:
        chart = Patient.objects.filter(organization=org, public_id=raw_id).first()
    except ValidationError:
        chart = None
    if chart is None:
        raise FhirError(422, f"ServiceRequest.subject: {reference} is not a patient here.")
    return chart


def _date(text: Any, where: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise FhirError(422, f"{where}: give the full date (YYYY-MM-DD).") from None


def _provider(intake: _Intake, sr: dict[str, Any]) -> ReferringProvider:
    requester = sr.get("requester") or {}
    practitioner = _target(intake, sr, requester.get("reference", ""))
    identifiers = [requester.get("identifier") or {}]
    if practitioner is not None:
        if practitioner.get("resourceType") != "Practitioner":
            raise FhirError(422, "ServiceRequest.requester: refer to a Practitioner.")
        identifiers += practitioner.get("identifier") or []
    npi = next((i.get("value") for i in identifiers if i.get("system") == codes.NPI), None)
    if not npi:
        raise FhirError(
            422,
            "ServiceRequest.requester: name the referring provider by NPI "
            f"(identifier system {codes.NPI}).",
        )
    known = ReferringProvider.objects.filter(organization=intake.organization, npi=npi).first()
    if known is not None:
        if practitioner is not None:
            intake.answers[id(practitioner)] = _accepted(
                f"Matched {known} in the referring-provider directory.", "200 OK"
            )
        return known
    name = ((practitioner or {}).get("name") or [{}])[0]
    if not name.get("family"):
        raise FhirError(
            422,
            f"NPI {npi} is not in the referring-provider directory: send a Practitioner with "
            "the provider's name so it can be added.",
        )
    telecom = {
        t.get("system"): t.get("value", "") for t in (practitioner or {}).get("telecom") or []
    }
    provider = referral_services.provider_save(
        organization=intake.organization,
        user=intake.user,
        first_name=((name.get("given") or [""])[0])[:80],
        last_name=name["family"][:80],
        npi=npi,
        phone=(telecom.get("phone") or "")[:30],
        fax=(telecom.get("fax") or "")[:30],
        report_preference=ReferringProvider.ReportBy.PORTAL,
    )
    intake.answers[id(practitioner)] = _accepted(
        f"Added {provider} to the referring-provider directory.", "201 Created"
    )
    return provider


def _drug(organization: Any, code: dict[str, Any]) -> dict[str, Any]:
    """The formulary drug by HCPCS or NDC when the center stocks it; else the text as sent."""
    for c in code.get("coding") or []:
        system, value = c.get("system"), (c.get("code") or "").strip()
        drug = None
        if system == codes.HCPCS and value:
            drug = Drug.objects.filter(organization=organization, hcpcs=value.upper()).first()
        elif system == codes.NDC and value:
            try:
                ndc11 = to_ndc11(value)
            except ValueError:
                continue
            package = (
                Package.objects.filter(drug__organization=organization, ndc11=ndc11)
                .select_related("drug")
                .first()
            )
            drug = package.drug if package else None
        if drug is not None:
            return {"requested_drug": drug}
    text = code.get("text") or next(
        (c.get("display") for c in code.get("coding") or [] if c.get("display")), ""
    )
    return {"requested_drug_text": text[:160]}


def _diagnosis(reasons: list[dict[str, Any]]) -> dict[str, Any]:
    for reason in reasons:
        for c in reason.get("coding") or []:
            if c.get("system") == codes.ICD10CM and c.get("code"):
                return {
                    "diagnosis_code": c["code"],
                    "diagnosis_description": (c.get("display") or reason.get("text") or "")[:255],
                }
    return {}


def _coverage_text(cov: dict[str, Any]) -> str:
    payer = ", ".join(p.get("display", "") for p in cov.get("payor") or [] if p.get("display"))
    member = cov.get("subscriberId") or next(
        (i.get("value") for i in cov.get("identifier") or [] if i.get("value")), ""
    )
    groups = [c.get("value", "") for c in cov.get("class") or [] if c.get("value")]
    relation = ((cov.get("relationship") or {}).get("coding") or [{}])[0].get("code", "")
    start = (cov.get("period") or {}).get("start", "")
    parts = [
        payer or "payer not named",
        f"member ID {member}" if member else "",
        f"group/plan {', '.join(groups)}" if groups else "",
        f"subscriber: {relation}" if relation else "",
        f"from {start}" if start else "",
        f"order {cov['order']}" if cov.get("order") else "",
    ]
    return "Insurance as sent: " + "; ".join(p for p in parts if p) + "."


def _notes(sr: dict[str, Any], extra: list[str]) -> str:
    lines = [n.get("text", "") for n in sr.get("note") or [] if n.get("text")]
    numbers = [
        f"{i.get('value')} ({i.get('system')})" if i.get("system") else str(i.get("value"))
        for i in sr.get("identifier") or []
        if i.get("value")
    ]
    if numbers:
        lines.append("Sender's order number: " + ", ".join(numbers) + ".")
    if sr.get("authoredOn"):
        lines.append(f"Written {sr['authoredOn'][:10]} (received through FHIR).")
    else:
        lines.append("Received through FHIR.")
    return "\n".join([*lines, *extra])


def _refuse_duplicate(organization: Any, fields: dict[str, Any]) -> None:
    """An open referral for the same person and drug: a resend, not a new referral."""
    open_ = Referral.objects.filter(
        organization=organization, state__in=referral_states.OPEN_STATES
    )
    candidates: list[Referral]
    if fields.get("patient") is not None:
        candidates = list(open_.filter(patient=fields["patient"]))
    elif fields.get("patient_last_name") and fields.get("patient_date_of_birth"):
        same_birth = open_.filter(
            patient__isnull=True, patient_date_of_birth=fields["patient_date_of_birth"]
        )
        # Names compare as their search keys ("O'Brien" is "obrien").
        candidates = [
            r
            for r in same_birth
            if search_key(r.patient_last_name) == search_key(fields["patient_last_name"])
            and search_key(r.patient_first_name) == search_key(fields.get("patient_first_name", ""))
        ]
    else:
        return
    drug = fields.get("requested_drug")
    text = search_key(fields.get("requested_drug_text", ""))
    for referral in candidates:
        if (drug is not None and referral.requested_drug_id == drug.pk) or (
            drug is None and text and search_key(referral.requested_drug_text) == text
        ):
            raise FhirError(
                409,
                f"This person already has an open referral for this drug "
                f"(ServiceRequest/{referral.public_id}, received "
                f"{referral.received_on:%m/%d/%Y}): nothing was added.",
                code="duplicate",
            )
