"""Patients API: search, read, register — through the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Router, Schema
from ninja.responses import Status

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import Limit, Offset, check_day, page
from chairside.audit.services import client_ip
from chairside.patients import selectors, services
from chairside.tenancy.roles import Perm

router = Router(tags=["patients"])


class PatientOut(Schema):
    public_id: UUID
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    phone: str
    is_active: bool


class CoverageOut(Schema):
    payer: str
    plan_name: str
    member_id: str
    order: int
    effective_from: dt.date
    effective_to: dt.date | None


class ChartOut(PatientOut):
    allergies: list[str]
    no_known_allergies: bool
    diagnoses: list[str]
    latest_weight_kg: str | None
    coverages: list[CoverageOut]


class PatientIn(Schema):
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    middle_name: str = ""
    phone: str = ""
    email: str = ""
    preferred_language: str = "English"


class PatientPageOut(Schema):
    count: int
    results: list[PatientOut]


@router.get("", response=PatientPageOut)
def list_patients(request: ApiRequest, q: str = "", offset: Offset = 0, limit: int = 25) -> Any:
    require(request, Perm.PATIENT_VIEW)
    found = selectors.patient_search(organization=_org(request), query=q)
    limit = max(1, min(limit, 100))
    return {"count": found.count(), "results": list(found[max(0, offset) : max(0, offset) + limit])}


@router.get("/{public_id}", response=ChartOut)
def get_patient(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.PATIENT_VIEW)
    patient = selectors.patient_chart(organization=_org(request), public_id=public_id)
    services.patient_chart_viewed(patient=patient, user=request.user, ip_address=client_ip(request))
    latest = next(iter(patient.measurements.all()), None)
    return {
        **{f: getattr(patient, f) for f in PatientOut.model_fields},
        "allergies": [a.substance for a in patient.allergies.all()],
        "no_known_allergies": patient.no_known_allergies,
        "diagnoses": [str(d) for d in patient.diagnoses.all()],
        "latest_weight_kg": str(latest.weight_kg) if latest else None,
        "coverages": [
            {
                **{f: getattr(c, f) for f in CoverageOut.model_fields if f != "payer"},
                "payer": c.payer.name,
            }
            for c in patient.coverages.all()
        ],
    }


@router.post("", response={201: PatientOut})
def create_patient(request: ApiRequest, payload: PatientIn) -> Any:
    require(request, Perm.PATIENT_EDIT)
    patient = services.patient_create(
        organization=_org(request), user=request.user, **payload.dict()
    )
    return Status(201, patient)


# --- /api/v1/coverages: every coverage the charts show ----------------------------------------

coverages_router = Router(tags=["coverages"])


class CoverageRowOut(CoverageOut):
    public_id: UUID
    patient_id: UUID
    payer_id: UUID
    group_number: str
    subscriber_relation: str


class CoveragePageOut(Schema):
    count: int
    results: list[CoverageRowOut]


@coverages_router.get("", response=CoveragePageOut)
def list_coverages(
    request: ApiRequest,
    *,
    patient: UUID | None = None,
    payer: UUID | None = None,
    active_on: dt.date | None = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Coverages as the chart lists them (patient, then order of benefits); ``active_on``
    keeps those in effect on that day. Reading them is audited like a chart view."""
    require(request, Perm.PATIENT_VIEW)
    check_day(active_on, "active_on")
    found = selectors.coverages(
        organization=_org(request), patient=patient, payer=payer, active_on=active_on
    )
    total, rows = page(found, offset, limit)
    return {
        "count": total,
        "results": [
            {
                **{f: getattr(c, f) for f in CoverageRowOut.model_fields if hasattr(c, f)},
                "payer": c.payer.name,
                "payer_id": c.payer.public_id,
                "patient_id": c.patient.public_id,
            }
            for c in rows
        ],
    }
