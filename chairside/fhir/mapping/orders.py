"""Referrals as ServiceRequest, treatment orders as MedicationRequest."""

from __future__ import annotations

from typing import Any

from chairside.access.referrals.models import Referral, TreatmentOrder
from chairside.fhir.mapping.common import (
    Resource,
    coding,
    concept,
    day,
    drop_empty,
    meta,
    npi_ref,
    period,
    quantity,
    ref,
)
from chairside.rules.interop import fhir_codes as codes


def drug_concept(drug: Any, text: str = "") -> dict[str, Any]:
    """A formulary drug by its HCPCS code (what Chairside keeps; no RxNorm code is kept)."""
    if drug is None:
        return concept(text)
    descriptor = drug.hcpcs_descriptor or str(drug)
    return concept(text or str(drug), coding(codes.HCPCS, drug.hcpcs, descriptor))


def _icd10(code: str, description: str) -> dict[str, Any]:
    return concept(description, coding(codes.ICD10CM, code, description))


def service_request(row: Referral) -> Resource:
    """The referral: what the referring provider asks the center to give."""
    if row.patient is not None:
        subject = ref("Patient", row.patient.public_id, str(row.patient))
    else:
        # Not yet linked to a chart: the person as the referral named them.
        subject = {"display": row.patient_display}
    provider = row.referring_provider
    notes = [
        n for n in (row.clinical_notes, row.labs_received and f"Labs: {row.labs_received}") if n
    ]
    return drop_empty(
        {
            "resourceType": "ServiceRequest",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-servicerequest"),
            "status": codes.REFERRAL_STATUS[row.state],
            "intent": "order",
            "priority": "urgent" if row.is_urgent else "routine",
            "code": drug_concept(row.requested_drug, row.drug_display),
            "subject": subject,
            "authoredOn": day(row.received_on),
            "requester": npi_ref(provider.npi, str(provider), provider.public_id),
            "reasonCode": [_icd10(row.diagnosis_code, row.diagnosis_description)]
            if row.diagnosis_code
            else [],
            "note": [{"text": n} for n in notes],
        }
    )


def _dose(row: TreatmentOrder) -> dict[str, Any]:
    if row.dose_mg is not None:
        return {"doseQuantity": quantity(row.dose_mg, "mg", "mg")}
    if row.dose_mg_per_kg is not None:
        return {"doseQuantity": quantity(row.dose_mg_per_kg, "mg/kg", "mg/kg")}
    return {}


def _dose_text(row: TreatmentOrder) -> str:
    if row.dose_mg is not None:
        dose = f"{row.dose_mg.normalize():f} mg"
    elif row.dose_mg_per_kg is not None:
        cap = f" (max {row.dose_max_mg.normalize():f} mg)" if row.dose_max_mg else ""
        dose = f"{row.dose_mg_per_kg.normalize():f} mg/kg{cap}"
    else:
        dose = "by weight band: " + "; ".join(f"{b} {mg} mg" for b, mg in row.band_rows())
    regimen = f", {row.regimen_name}" if row.regimen_name else ""
    return f"{row.drug.generic_name} {dose} {row.route}{regimen}"


def medication_request(row: TreatmentOrder) -> Resource:
    provider = row.ordering_provider
    return drop_empty(
        {
            "resourceType": "MedicationRequest",
            "id": str(row.public_id),
            "meta": meta(row.updated_at, codes.US_CORE + "us-core-medicationrequest"),
            "status": codes.ORDER_STATUS[row.status],
            "intent": "order",
            "medicationCodeableConcept": drug_concept(row.drug),
            "subject": ref("Patient", row.patient.public_id, str(row.patient)),
            "authoredOn": day(row.signed_on),
            "requester": npi_ref(provider.npi, str(provider), provider.public_id),
            "reasonCode": [_icd10(d.icd10_code, d.description) for d in row.diagnoses.all()],
            "basedOn": [ref("ServiceRequest", row.referral.public_id)] if row.referral else [],
            "note": [{"text": row.notes}] if row.notes else [],
            "dosageInstruction": [
                {
                    "text": _dose_text(row),
                    "route": concept(row.route),
                    "doseAndRate": [_dose(row)] if _dose(row) else [],
                }
            ],
            "dispenseRequest": {"validityPeriod": period(row.signed_on, row.last_day())},
        }
    )
