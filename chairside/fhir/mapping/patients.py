"""Patient, Coverage, and the chart's own observations (weights, heights, lab results)."""

from __future__ import annotations

from typing import Any

from chairside.fhir.mapping.common import (
    Resource,
    coding,
    concept,
    day,
    drop_empty,
    meta,
    mrn_system,
    period,
    quantity,
    ref,
)
from chairside.patients.models import BodyMeasurement, Coverage, LabResult, Patient
from chairside.rules.clinical.lab_codes import lab_codes
from chairside.rules.interop import fhir_codes as codes


def patient(row: Patient) -> Resource:
    given = [n for n in (row.first_name, row.middle_name) if n]
    names: list[dict[str, Any]] = [{"use": "official", "family": row.last_name, "given": given}]
    if row.preferred_name:
        names.append({"use": "usual", "given": [row.preferred_name], "family": row.last_name})
    telecom = []
    if row.phone:
        telecom.append({"system": "phone", "value": row.phone})
    if row.email:
        telecom.append({"system": "email", "value": row.email})
    lines = [x for x in (row.address_line1, row.address_line2) if x]
    address = {
        "line": lines,
        "city": row.city,
        "state": row.state,
        "postalCode": row.postal_code,
        "country": "US" if lines or row.city else "",
    }
    return drop_empty(
        {
            "resourceType": "Patient",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-patient"),
            "identifier": [
                {
                    "use": "usual",
                    "type": concept("MRN", coding(codes.V2_0203, "MR", "Medical record number")),
                    "system": mrn_system(row.organization),
                    "value": row.mrn,
                }
            ],
            "active": row.is_active,
            "name": names,
            "telecom": telecom,
            "gender": codes.GENDER[row.sex],
            "birthDate": day(row.date_of_birth),
            "address": [address],
            "communication": [
                {"language": concept(row.preferred_language), "preferred": True}
                if row.preferred_language
                else {}
            ],
        }
    )


def coverage(row: Coverage) -> Resource:
    """The payer is the Organization this server serves (and its payer ID); the payer kind
    is given as text (its Source of Payment Typology code is not kept)."""
    payer = row.payer
    payor: dict[str, Any] = {"reference": f"Organization/{payer.public_id}", "display": payer.name}
    if payer.payer_id:
        payor["identifier"] = {"value": payer.payer_id}
    classes = []
    if row.group_number:
        classes.append(
            {
                "type": concept("", coding(codes.COVERAGE_CLASS, "group", "Group")),
                "value": row.group_number,
            }
        )
    if row.plan_name:
        classes.append(
            {
                "type": concept("", coding(codes.COVERAGE_CLASS, "plan", "Plan")),
                "value": row.plan_name,
                "name": row.plan_name,
            }
        )
    return drop_empty(
        {
            "resourceType": "Coverage",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-coverage"),
            "identifier": [
                {
                    "type": concept("", coding(codes.V2_0203, "MB", "Member Number")),
                    "value": row.member_id,
                }
            ],
            "status": "active",
            "type": concept(payer.get_kind_display()),
            "subscriber": {"display": row.subscriber_name} if row.subscriber_name else {},
            "subscriberId": row.member_id,
            "beneficiary": ref("Patient", row.patient.public_id, str(row.patient)),
            "relationship": concept(
                row.get_subscriber_relation_display(),
                coding(codes.SUBSCRIBER_RELATIONSHIP, row.subscriber_relation),
            ),
            "period": period(row.effective_from, row.effective_to),
            "payor": [payor],
            "order": row.order,
            "class": classes,
        }
    )


def _vital(key: str, *, id_: str, value: Any, subject: Any, when: Any, updated: Any) -> Resource:
    code = codes.VITALS[key]
    return drop_empty(
        {
            "resourceType": "Observation",
            "id": id_,
            "meta": meta(updated, *code.profiles),
            "status": "final",
            "category": [
                concept(
                    "Vital Signs",
                    coding(codes.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs"),
                )
            ],
            "code": concept(code.display, coding(codes.LOINC, code.loinc, code.display)),
            "subject": ref("Patient", subject.public_id, str(subject)),
            "effectiveDateTime": when,
            "valueQuantity": quantity(value, code.ucum, code.unit),
        }
    )


def measurement(row: BodyMeasurement) -> list[Resource]:
    """A dated weight (and height when measured) as body-weight / body-height observations."""
    common = {"subject": row.patient, "when": day(row.measured_on), "updated": row.updated_at}
    found = [_vital("wt", id_=f"wt-{row.public_id}", value=row.weight_kg, **common)]
    if row.height_cm:
        found.append(_vital("ht", id_=f"ht-{row.public_id}", value=row.height_cm, **common))
    return found


def lab_result(row: LabResult) -> Resource:
    """Coded with LOINC when the coded lab list gives it exactly one code; a panel of
    several tests (hepatitis B screening) or an uncoded lab is named by text only."""
    entry = lab_codes().get(row.code) if row.code else None
    codings = (
        [coding(codes.LOINC, entry.loinc[0].code, entry.loinc[0].name)]
        if entry is not None and len(entry.loinc) == 1
        else []
    )
    interpretation = codes.INTERPRETATIONS.get(row.interpretation)
    return drop_empty(
        {
            "resourceType": "Observation",
            "id": f"lab-{row.public_id}",
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-observation-lab"),
            "status": "final",
            "category": [
                concept(
                    "Laboratory",
                    coding(codes.OBSERVATION_CATEGORY, "laboratory", "Laboratory"),
                )
            ],
            "code": concept(entry.name if entry else row.lab_name, *codings),
            "subject": ref("Patient", row.patient.public_id, str(row.patient)),
            "effectiveDateTime": day(row.result_on),
            "valueString": row.value or row.get_interpretation_display(),
            "interpretation": [concept("", coding(codes.INTERPRETATION, *interpretation))]
            if interpretation
            else [],
            "note": [{"text": row.notes}] if row.notes else [],
        }
    )
