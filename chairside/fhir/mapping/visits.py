"""The chair: appointments, what was given, vital signs, reactions and the treatment report."""

from __future__ import annotations

from html import escape
from typing import Any

from django.conf import settings
from django.urls import reverse

from chairside.fhir.mapping.common import (
    Resource,
    coding,
    concept,
    drop_empty,
    instant,
    meta,
    period,
    quantity,
    ref,
)
from chairside.fhir.mapping.orders import drug_concept
from chairside.fhir.mapping.patients import _vital
from chairside.rules.interop import fhir_codes as codes
from chairside.scheduling.models import Appointment
from chairside.treatments.models import Administration, Reaction, VisitReport, Vitals


def appointment(row: Appointment) -> Resource:
    minutes = int((row.end - row.start).total_seconds() // 60)
    participants: list[dict[str, Any]] = [
        {
            "actor": ref("Patient", row.patient.public_id, str(row.patient)),
            "required": "required",
            "status": "accepted",
        },
        {"actor": {"display": f"{row.location} — {row.chair}"}, "status": "accepted"},
    ]
    if row.nurse_id:
        participants.append({"actor": {"display": str(row.nurse)}, "status": "accepted"})
    drug = row.order.drug
    return drop_empty(
        {
            "resourceType": "Appointment",
            "id": str(row.public_id),
            "meta": meta(row.updated_at),
            "status": codes.APPOINTMENT_STATUS[row.status],
            "serviceType": [concept("Infusion")],
            "description": f"{drug.generic_name} infusion, dose {row.dose_number}",
            "start": instant(row.start),
            "end": instant(row.end),
            "minutesDuration": minutes,
            "created": instant(row.created_at),
            "comment": row.reason or row.notes,
            "supportingInformation": [ref("MedicationRequest", row.order.public_id)],
            "participant": participants,
        }
    )


def _ndc_codings(row: Administration) -> list[dict[str, str]]:
    """The NDCs of the lots the dose was prepared from (the ordered drug only)."""
    if not row.is_primary:
        return []
    preparation = getattr(row.visit, "preparation", None)
    if preparation is None:
        return []
    seen: dict[str, str] = {}
    for vial in preparation.vials.all():
        package = vial.lot.package
        seen.setdefault(package.ndc11, package.description)
    return [coding(codes.NDC, ndc, text) for ndc, text in seen.items()]


def _administered_drug(row: Administration) -> Any:
    return row.drug if row.drug_id else (row.visit.order.drug if row.is_primary else None)


def medication_administration(row: Administration) -> Resource:
    visit = row.visit
    if row.stopped_at is None:
        status = "in-progress"
    else:
        status = "completed" if row.stop_reason in ("", "completed") else "stopped"
    drug = _administered_drug(row)
    medication = drug_concept(drug, row.substance)
    medication.setdefault("coding", []).extend(_ndc_codings(row))
    dosage: dict[str, Any] = {"route": concept(row.route), "site": concept(row.site)}
    if row.dose_given_mg is not None:
        dosage["dose"] = quantity(row.dose_given_mg, "mg", "mg")
    return drop_empty(
        {
            "resourceType": "MedicationAdministration",
            "id": str(row.public_id),
            "meta": meta(row.updated_at),
            "status": status,
            "statusReason": [concept(row.get_stop_reason_display())] if status == "stopped" else [],
            "medicationCodeableConcept": medication,
            "subject": ref("Patient", visit.patient.public_id, str(visit.patient)),
            "effectivePeriod": period(row.started_at, row.stopped_at),
            "performer": [{"actor": {"display": row.given_by.get_full_name() or str(row.given_by)}}]
            if row.given_by is not None
            else [],
            "request": ref("MedicationRequest", visit.order.public_id) if row.is_primary else {},
            "note": [{"text": row.notes}] if row.notes else [],
            "dosage": dosage,
        }
    )


def vitals(row: Vitals) -> list[Resource]:
    """One set of vital signs as one observation per sign measured (blood pressure as a
    panel with its systolic and diastolic components, as the vital-signs profile asks)."""
    patient = row.visit.patient
    common = {"subject": patient, "when": instant(row.taken_at), "updated": row.updated_at}
    found: list[Resource] = []
    if row.systolic and row.diastolic:
        bp = _vital("bp", id_=f"bp-{row.public_id}", value=0, **common)
        del bp["valueQuantity"]
        bp["component"] = [
            {
                "code": concept(name, coding(codes.LOINC, loinc, name)),
                "valueQuantity": quantity(value, "mm[Hg]", "mmHg"),
            }
            for (loinc, name), value in (
                (codes.SYSTOLIC, row.systolic),
                (codes.DIASTOLIC, row.diastolic),
            )
        ]
        found.append(bp)
    for key, value in (
        ("hr", row.pulse),
        ("temp", row.temperature_c),
        ("spo2", row.spo2),
        ("rr", row.respiratory_rate),
    ):
        if value is not None:
            found.append(_vital(key, id_=f"{key}-{row.public_id}", value=value, **common))
    return found


REACTION_OUTCOME = {
    "resolved": "resolved",
    "resumed": "resolved",
    "not_resumed": "resolved",
    "transferred": "unknown",  # left the center's care before it ended
    "died": "fatal",
}


def adverse_event(row: Reaction) -> Resource:
    """An infusion reaction: the signs as the event, the CTCAE grade as severity, and the
    administration it happened during as the suspect."""
    visit = row.visit
    signs = ", ".join(row.sign_labels)
    suspect = (
        [{"instance": ref("MedicationAdministration", row.administration.public_id)}]
        if row.administration is not None
        else []
    )
    actions = "; ".join(row.action_labels)
    grade = f"CTCAE grade {row.grade}" + (f" ({row.grade_label})" if row.grade_label else "")
    # R4 AdverseEvent has no note: the actions and notes go in the narrative.
    lines = [f"{grade}.", f"Actions: {actions}." if actions else "", row.notes]
    div = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return drop_empty(
        {
            "resourceType": "AdverseEvent",
            "id": str(row.public_id),
            "meta": meta(row.updated_at),
            "text": {
                "status": "generated",
                "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{div}</div>',
            },
            "actuality": "actual",
            "event": concept(f"Infusion reaction: {signs}" if signs else "Infusion reaction"),
            "subject": ref("Patient", visit.patient.public_id, str(visit.patient)),
            "date": instant(row.onset_at),
            "recordedDate": instant(row.created_at),
            "severity": concept(grade, coding(codes.AE_SEVERITY, codes.ae_severity(row.grade))),
            "outcome": concept(
                row.get_outcome_display(),
                coding(codes.AE_OUTCOME, REACTION_OUTCOME.get(row.outcome, "ongoing")),
            ),
            "recorder": {"display": row.recorded_by.get_full_name() or str(row.recorded_by)}
            if row.recorded_by is not None
            else {},
            "suspectEntity": suspect,
        }
    )


def document_reference(row: VisitReport, *, latest_version: int) -> Resource:
    """The treatment report to the referring provider: the PDF, through the page that
    serves it (log-in, organization check, audit)."""
    visit = row.visit
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    url = base + reverse("treatments:report_pdf", args=[row.public_id])
    return drop_empty(
        {
            "resourceType": "DocumentReference",
            "id": str(row.public_id),
            "meta": meta(row.updated_at),
            "status": "current" if row.version >= latest_version else "superseded",
            "docStatus": "amended" if row.version > 1 else "final",
            "type": concept("Infusion treatment report"),
            "subject": ref("Patient", visit.patient.public_id, str(visit.patient)),
            "date": instant(row.created_at),
            "description": str(row),
            "content": [
                {
                    "attachment": {
                        "contentType": "application/pdf",
                        "url": url,
                        "title": f"Treatment report {visit.date:%m/%d/%Y} v{row.version}",
                        "creation": instant(row.created_at),
                    }
                }
            ],
            "context": {"period": period(visit.started_at, visit.discharged_at)},
        }
    )
