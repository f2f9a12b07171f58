"""Code systems and codes the FHIR R4 facade (``chairside.fhir``) writes: plain data, no Django.

Every code here is quoted from a public source named beside it; nothing is made up. Codes
Chairside already keeps elsewhere are read from there, never copied: lab LOINC codes from
``formulary/data/lab_codes.json`` (``rules.clinical.lab_codes``), HCPCS from the formulary, NDCs
from the packages received into stock, ICD-10-CM from the diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass

# Code-system URIs, as HL7 Terminology (THO) and the FHIR R4 specification name them.
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NDC = "http://hl7.org/fhir/sid/ndc"
NPI = "http://hl7.org/fhir/sid/us-npi"
# HCPCS Level II (THO CodeSystem hcpcs-Level-II, OID 2.16.840.1.113883.6.285).
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
UCUM = "http://unitsofmeasure.org"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier types (MR, MB)
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
SUBSCRIBER_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
FHIR_PROFILE = "http://hl7.org/fhir/StructureDefinition/"


@dataclass(frozen=True)
class VitalCode:
    loinc: str
    display: str
    ucum: str
    unit: str
    profiles: tuple[str, ...]


# FHIR R4 Vital Signs profile and its value set (hl7.org/fhir/R4/observation-vitalsigns.html,
# hl7.org/fhir/R4/valueset-observation-vitalsignresult.html: 85354-9 blood pressure panel
# with 8480-6 systolic and 8462-4 diastolic, 8867-4 heart rate, 8310-5 body temperature,
# 9279-1 respiratory rate, 2708-6 oxygen saturation, 29463-7 body weight, 8302-2 body
# height), with the units the profile requires (UCUM). US Core profiles where it has one.
VITALS: dict[str, VitalCode] = {
    "bp": VitalCode(
        "85354-9",
        "Blood pressure panel with all children optional",
        "mm[Hg]",
        "mmHg",
        (FHIR_PROFILE + "bp", US_CORE + "us-core-blood-pressure"),
    ),
    "hr": VitalCode(
        "8867-4",
        "Heart rate",
        "/min",
        "beats/minute",
        (FHIR_PROFILE + "heartrate", US_CORE + "us-core-heart-rate"),
    ),
    "temp": VitalCode(
        "8310-5",
        "Body temperature",
        "Cel",
        "C",
        (FHIR_PROFILE + "bodytemp", US_CORE + "us-core-body-temperature"),
    ),
    "rr": VitalCode(
        "9279-1",
        "Respiratory rate",
        "/min",
        "breaths/minute",
        (FHIR_PROFILE + "resprate", US_CORE + "us-core-respiratory-rate"),
    ),
    "spo2": VitalCode(
        "2708-6", "Oxygen saturation in Arterial blood", "%", "%", (FHIR_PROFILE + "oxygensat",)
    ),
    "wt": VitalCode(
        "29463-7",
        "Body weight",
        "kg",
        "kg",
        (FHIR_PROFILE + "bodyweight", US_CORE + "us-core-body-weight"),
    ),
    "ht": VitalCode(
        "8302-2",
        "Body height",
        "cm",
        "cm",
        (FHIR_PROFILE + "bodyheight", US_CORE + "us-core-body-height"),
    ),
}
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")

# FHIR administrative gender from Chairside's administrative sex.
GENDER = {"F": "female", "M": "male", "U": "unknown"}
GENDER_TO_SEX = {"female": "F", "male": "M", "unknown": "U", "other": "U"}

# Lab interpretation (v3 ObservationInterpretation: NEG, POS, IND).
INTERPRETATIONS = {
    "negative": ("NEG", "Negative"),
    "positive": ("POS", "Positive"),
    "indeterminate": ("IND", "Indeterminate"),
}


# CTCAE grades (1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death; NCI CTCAE v5.0)
# to the R4 adverse-event-severity codes, which stop at "severe".
def ae_severity(grade: int) -> str:
    if grade < 1 or grade > 5:
        raise ValueError(f"CTCAE grades run from 1 to 5, not {grade}.")
    return {1: "mild", 2: "moderate"}.get(grade, "severe")


# Referral states (rules.referral_states) to ServiceRequest.status (R4 request-status).
REFERRAL_STATUS = {
    "received": "active",
    "intake_complete": "active",
    "benefits_verified": "active",
    "authorized": "active",
    "scheduled": "active",
    "active": "active",
    "completed": "completed",
    "declined": "revoked",
    "discontinued": "revoked",
    "lost_to_follow_up": "revoked",
}

# Treatment-order status to MedicationRequest.status (R4 medicationrequest-status).
ORDER_STATUS = {
    "active": "active",
    "on_hold": "on-hold",
    "completed": "completed",
    "discontinued": "stopped",
}

# Appointment states (rules.appointment_states) to Appointment.status (R4 appointmentstatus).
APPOINTMENT_STATUS = {
    "booked": "booked",
    "confirmed": "booked",
    "checked_in": "checked-in",
    "in_chair": "arrived",
    "completed": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
    "rescheduled": "cancelled",
}

# ServiceRequest.priority values (R4 request-priority) that make a referral urgent.
URGENT_PRIORITIES = frozenset({"urgent", "asap", "stat"})

# Organization.type (http://terminology.hl7.org/CodeSystem/organization-type): prov
# Healthcare Provider, pay Payer.
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
# Da Vinci Prior Authorization Support (PAS) IG STU 2 (2.1.0), http://hl7.org/fhir/us/davinci-pas
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
DIAGNOSIS_TYPE = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype"
# X12 service type codes (code list 1365) as PAS publishes them for Claim.item.category.
X12_SERVICE_TYPE = "https://codesystem.x12.org/005010/1365"
# CMS place of service codes, as PAS and CARIN use them for Claim.item.locationCodeableConcept.
PLACE_OF_SERVICE = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
