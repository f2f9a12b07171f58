"""The resource types the facade serves: for each, its permission, search parameters and
the organization-scoped query behind it (selectors: every query starts from the
organization). Reads and searches return mapped resources; paging happens here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from chairside.access.referrals.models import Referral, ReferringProvider, TreatmentOrder
from chairside.billing.pricing import billing_profile
from chairside.fhir.mapping import directory, orders, patients, visits
from chairside.fhir.mapping.common import Resource, mrn_system
from chairside.fhir.params import DateBound, Search, SearchError, resource_id, token
from chairside.patients.models import (
    BodyMeasurement,
    Coverage,
    LabResult,
    Patient,
    Payer,
    search_key,
)
from chairside.rules.interop import fhir_codes as codes
from chairside.scheduling.models import Appointment
from chairside.tenancy.roles import Perm
from chairside.treatments.models import Administration, Reaction, VisitReport, Vitals


@dataclass(frozen=True)
class Page:
    resources: list[Resource]
    total: int


@dataclass(frozen=True)
class Kind:
    name: str
    perm: Perm
    params: tuple[str, ...]
    profile: str
    read: Callable[[Any, str], list[Resource]]
    search: Callable[[Any, Search], Page]


def _date_q(field: str, bound: DateBound, is_datetime: bool) -> Q:
    lookup = f"{field}__date" if is_datetime else field
    return {
        "eq": Q(**{lookup: bound.day}),
        "ge": Q(**{f"{lookup}__gte": bound.day}),
        "gt": Q(**{f"{lookup}__gt": bound.day}),
        "le": Q(**{f"{lookup}__lte": bound.day}),
        "lt": Q(**{f"{lookup}__lt": bound.day}),
    }[bound.op]


@dataclass(frozen=True)
class Table:
    """One model behind one resource type."""

    base: Callable[[Any], QuerySet[Any]]
    to_fhir: Callable[[Any], list[Resource]]
    patient_field: str
    date_field: str | None = None
    date_is_datetime: bool = False

    def filtered(self, organization: Any, search: Search) -> QuerySet[Any]:
        rows = self.base(organization)
        if (raw_id := search.one("_id")) is not None:
            rows = rows.filter(public_id=_uuid(raw_id))
        for name in ("patient", "subject", "beneficiary"):
            if (raw := search.one(name)) is not None:
                rows = rows.filter(**{f"{self.patient_field}__public_id": resource_id(raw)})
        if self.date_field:
            for bound in search.dates("date"):
                rows = rows.filter(_date_q(self.date_field, bound, self.date_is_datetime))
        return rows

    def page(self, organization: Any, search: Search) -> Page:
        rows = self.filtered(organization, search)
        total = rows.count()
        chunk = rows[search.offset : search.offset + search.count]
        return Page([r for row in chunk for r in self.to_fhir(row)], total)

    def read(self, organization: Any, raw_id: str) -> list[Resource]:
        row = self.base(organization).filter(public_id=_uuid(raw_id)).first()
        return self.to_fhir(row) if row is not None else []


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


# --- the tables -------------------------------------------------------------------------


def _patients(org: Any) -> QuerySet[Patient]:
    return Patient.objects.filter(organization=org).select_related("organization")


def _patient_search(org: Any, search: Search) -> Page:
    table = PATIENT
    rows = table.filtered(org, search)
    if (raw := search.one("identifier")) is not None:
        system, value = token(raw)
        if system not in (None, "", mrn_system(org)):
            rows = rows.none()
        rows = rows.filter(mrn=value)
    for param, fields in (
        ("name", ("last_name_key", "first_name_key")),
        ("family", ("last_name_key",)),
        ("given", ("first_name_key",)),
    ):
        for text in search.values.get(param, []):
            key = search_key(text)
            if not key:
                raise SearchError(f"{param}: give letters or digits.")
            match = Q()
            for name in fields:
                match |= Q(**{f"{name}__startswith": key})
            rows = rows.filter(match)
    for bound in search.dates("birthdate"):
        rows = rows.filter(_date_q("date_of_birth", bound, False))
    if (gender := search.one("gender")) is not None:
        if gender not in codes.GENDER_TO_SEX:
            raise SearchError("gender: female, male, other or unknown.")
        rows = rows.filter(sex=codes.GENDER_TO_SEX[gender])
    total = rows.count()
    chunk = rows[search.offset : search.offset + search.count]
    return Page([patients.patient(p) for p in chunk], total)


# A Patient's own id is searched with _id; "patient" is not a Patient search parameter.
PATIENT = Table(_patients, lambda p: [patients.patient(p)], patient_field="self")

COVERAGE = Table(
    lambda org: Coverage.objects.filter(patient__organization=org).select_related(
        "patient", "payer"
    ),
    lambda c: [patients.coverage(c)],
    patient_field="patient",
)

SERVICE_REQUEST = Table(
    lambda org: Referral.objects.filter(organization=org).select_related(
        "patient", "referring_provider", "requested_drug"
    ),
    lambda r: [orders.service_request(r)],
    patient_field="patient",
    date_field="received_on",
)

MEDICATION_REQUEST = Table(
    lambda org: (
        TreatmentOrder.objects.filter(organization=org)
        .select_related("patient", "drug", "ordering_provider", "referral")
        .prefetch_related("diagnoses")
    ),
    lambda o: [orders.medication_request(o)],
    patient_field="patient",
    date_field="signed_on",
)

APPOINTMENT = Table(
    lambda org: Appointment.objects.filter(organization=org).select_related(
        "patient", "order__drug", "location", "chair", "nurse"
    ),
    lambda a: [visits.appointment(a)],
    patient_field="patient",
    date_field="start",
    date_is_datetime=True,
)

MEDICATION_ADMINISTRATION = Table(
    lambda org: (
        Administration.objects.filter(visit__organization=org)
        .select_related(
            "visit__patient", "visit__order__drug", "visit__preparation", "drug", "given_by"
        )
        .prefetch_related("visit__preparation__vials__lot__package")
    ),
    lambda a: [visits.medication_administration(a)],
    patient_field="visit__patient",
    date_field="started_at",
    date_is_datetime=True,
)

ADVERSE_EVENT = Table(
    lambda org: Reaction.objects.filter(visit__organization=org).select_related(
        "visit__patient", "administration", "recorded_by"
    ),
    lambda r: [visits.adverse_event(r)],
    patient_field="visit__patient",
    date_field="onset_at",
    date_is_datetime=True,
)


def _reports(org: Any) -> QuerySet[VisitReport]:
    latest = (
        VisitReport.objects.filter(visit=OuterRef("visit"))
        .values("visit")
        .annotate(top=Max("version"))
        .values("top")
    )
    return (
        VisitReport.objects.filter(organization=org)
        .select_related("visit__patient")
        .annotate(latest_version=Subquery(latest))
    )


DOCUMENT_REFERENCE = Table(
    _reports,
    lambda r: [visits.document_reference(r, latest_version=r.latest_version or r.version)],
    patient_field="visit__patient",
    date_field="created_at",
    date_is_datetime=True,
)


# --- Observation: vital signs, weights and heights, lab results ---------------------------

OBSERVATION_PREFIXES = {
    "bp": "vitals",
    "hr": "vitals",
    "temp": "vitals",
    "spo2": "vitals",
    "rr": "vitals",
    "wt": "measurement",
    "ht": "measurement",
    "lab": "lab",
}


def _observation_sources(org: Any) -> dict[str, tuple[QuerySet[Any], Callable[[Any], Any]]]:
    return {
        "vitals": (
            Vitals.objects.filter(visit__organization=org).select_related("visit__patient"),
            visits.vitals,
        ),
        "measurement": (
            BodyMeasurement.objects.filter(patient__organization=org).select_related("patient"),
            patients.measurement,
        ),
        "lab": (
            LabResult.objects.filter(patient__organization=org).select_related("patient"),
            lambda row: [patients.lab_result(row)],
        ),
    }


def _observation_read(org: Any, raw_id: str) -> list[Resource]:
    prefix, _, rest = raw_id.partition("-")
    source = OBSERVATION_PREFIXES.get(prefix)
    public_id = _uuid(rest)
    if source is None or public_id is None:
        return []
    rows, to_fhir = _observation_sources(org)[source]
    row = rows.filter(public_id=public_id).first()
    if row is None:
        return []
    return [r for r in to_fhir(row) if r["id"] == raw_id]


def _observation_matches(resource: Resource, search: Search) -> bool:
    categories = {c["code"] for cat in resource["category"] for c in cat.get("coding", [])}
    for wanted in search.values.get("category", []):
        if token(wanted)[1] not in categories:
            return False
    for wanted in search.values.get("code", []):
        system, code = token(wanted)
        found = {(c["system"], c["code"]) for c in resource["code"].get("coding", [])}
        if not any(code == c and system in (None, "", s) for s, c in found):
            return False
    when = resource.get("effectiveDateTime", "")[:10]
    for bound in search.dates("date"):
        day = dt.date.fromisoformat(when)
        ok = {
            "eq": day == bound.day,
            "ge": day >= bound.day,
            "gt": day > bound.day,
            "le": day <= bound.day,
            "lt": day < bound.day,
        }[bound.op]
        if not ok:
            return False
    return True


def _observation_search(org: Any, search: Search) -> Page:
    """Observations of one patient (the search needs ``patient``): a patient's vital signs,
    weights and labs are a few hundred at most, so they are gathered, filtered and paged here."""
    raw = search.one("patient") or search.one("subject")
    if raw is None:
        raise SearchError("Observation searches need patient (e.g. patient=Patient/<id>).")
    patient_id = resource_id(raw)
    fields = {"vitals": "visit__patient", "measurement": "patient", "lab": "patient"}
    found: list[Resource] = []
    for source, (rows, to_fhir) in _observation_sources(org).items():
        for row in rows.filter(**{f"{fields[source]}__public_id": patient_id}):
            found.extend(r for r in to_fhir(row) if _observation_matches(r, search))
    if (raw_id := search.one("_id")) is not None:
        found = [r for r in found if r["id"] == raw_id]
    found.sort(key=lambda r: (r.get("effectiveDateTime", ""), r["id"]), reverse=True)
    return Page(found[search.offset : search.offset + search.count], len(found))


# --- Practitioner and Organization: who the other resources name ---------------------


def _name_filter(rows: QuerySet[Any], search: Search, fields: dict[str, tuple[str, ...]]) -> Any:
    for param, names in fields.items():
        for text in search.values.get(param, []):
            if not text.strip():
                raise SearchError(f"{param}: give a name to search for.")
            match = Q()
            for name in names:
                match |= Q(**{f"{name}__istartswith": text.strip()})
            rows = rows.filter(match)
    return rows


def _npi_value(raw: str, allowed: tuple[str | None, ...]) -> str | None:
    """The value of an identifier token, or None when its system is not one we keep."""
    system, value = token(raw)
    return value if system in (None, "", *allowed) else None


def _practitioners(org: Any) -> QuerySet[ReferringProvider]:
    return ReferringProvider.objects.filter(organization=org).order_by(
        "last_name", "first_name", "id"
    )


def _practitioner_read(org: Any, raw_id: str) -> list[Resource]:
    public_id = _uuid(raw_id)
    row = _practitioners(org).filter(public_id=public_id).first() if public_id else None
    return [directory.practitioner(row)] if row is not None else []


def _practitioner_search(org: Any, search: Search) -> Page:
    rows = _practitioners(org)
    if (raw_id := search.one("_id")) is not None:
        public_id = _uuid(raw_id)
        rows = rows.filter(public_id=public_id) if public_id else rows.none()
    if (raw := search.one("identifier")) is not None:
        value = _npi_value(raw, (codes.NPI,))
        rows = rows.filter(npi=value) if value is not None else rows.none()
    rows = _name_filter(
        rows,
        search,
        {"name": ("last_name", "first_name"), "family": ("last_name",), "given": ("first_name",)},
    )
    total = rows.count()
    chunk = rows[search.offset : search.offset + search.count]
    return Page([directory.practitioner(p) for p in chunk], total)


def _organizations(org: Any) -> list[Resource]:
    """The caller's own organization and its payers (a few dozen at most)."""
    found = [directory.center(org, billing_profile(org))]
    payers = Payer.objects.filter(organization=org).order_by("name", "id")
    return found + [directory.payer(p) for p in payers]


def _organization_read(org: Any, raw_id: str) -> list[Resource]:
    if str(org.public_id) == raw_id:
        return [directory.center(org, billing_profile(org))]
    public_id = _uuid(raw_id)
    row = Payer.objects.filter(organization=org, public_id=public_id).first() if public_id else None
    return [directory.payer(row)] if row is not None else []


def _organization_search(org: Any, search: Search) -> Page:
    found = _organizations(org)
    if (raw_id := search.one("_id")) is not None:
        found = [r for r in found if r["id"] == raw_id]
    if (raw := search.one("identifier")) is not None:
        system, value = token(raw)
        found = [
            r
            for r in found
            if any(
                i.get("value") == value and system in (None, "", i.get("system"))
                for i in r.get("identifier", [])
            )
        ]
    for text in search.values.get("name", []):
        if not text.strip():
            raise SearchError("name: give a name to search for.")
        found = [r for r in found if r["name"].lower().startswith(text.strip().lower())]
    return Page(found[search.offset : search.offset + search.count], len(found))


# --- the registry -----------------------------------------------------------------------

_COMMON = ("_id", "patient", "subject")


def _kind(name: str, table: Table, perm: Perm, params: tuple[str, ...], profile: str) -> Kind:
    return Kind(name, perm, params, profile, table.read, table.page)


KINDS: dict[str, Kind] = {
    "Patient": Kind(
        "Patient",
        Perm.PATIENT_VIEW,
        ("_id", "identifier", "name", "family", "given", "birthdate", "gender"),
        codes.US_CORE + "us-core-patient",
        PATIENT.read,
        _patient_search,
    ),
    "Coverage": _kind(
        "Coverage",
        COVERAGE,
        Perm.PATIENT_VIEW,
        (*_COMMON, "beneficiary"),
        codes.US_CORE + "us-core-coverage",
    ),
    "ServiceRequest": _kind(
        "ServiceRequest",
        SERVICE_REQUEST,
        Perm.PATIENT_VIEW,
        (*_COMMON, "date"),
        codes.US_CORE + "us-core-servicerequest",
    ),
    "MedicationRequest": _kind(
        "MedicationRequest",
        MEDICATION_REQUEST,
        Perm.PATIENT_VIEW,
        (*_COMMON, "date"),
        codes.US_CORE + "us-core-medicationrequest",
    ),
    "Practitioner": Kind(
        "Practitioner",
        Perm.PATIENT_VIEW,
        ("_id", "identifier", "name", "family", "given"),
        codes.US_CORE + "us-core-practitioner",
        _practitioner_read,
        _practitioner_search,
    ),
    "Organization": Kind(
        "Organization",
        Perm.PATIENT_VIEW,
        ("_id", "identifier", "name"),
        codes.US_CORE + "us-core-organization",
        _organization_read,
        _organization_search,
    ),
    "Appointment": _kind("Appointment", APPOINTMENT, Perm.SCHEDULE_VIEW, (*_COMMON, "date"), ""),
    "MedicationAdministration": _kind(
        "MedicationAdministration",
        MEDICATION_ADMINISTRATION,
        Perm.PATIENT_VIEW,
        (*_COMMON, "date"),
        "",
    ),
    "Observation": Kind(
        "Observation",
        Perm.PATIENT_VIEW,
        (*_COMMON, "category", "code", "date"),
        "",
        _observation_read,
        _observation_search,
    ),
    "AdverseEvent": _kind("AdverseEvent", ADVERSE_EVENT, Perm.PATIENT_VIEW, (*_COMMON, "date"), ""),
    "DocumentReference": _kind(
        "DocumentReference",
        DOCUMENT_REFERENCE,
        Perm.PATIENT_VIEW,
        (*_COMMON, "date"),
        "",
    ),
}
