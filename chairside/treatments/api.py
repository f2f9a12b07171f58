"""Visits API (``/api/v1/visits``): treatment visits with their administrations and vitals —
the same organization scoping and permission (``patient.view``) as the visit pages; every
patient returned is in the access report. Doses and volumes are decimal strings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import Http404
from ninja import Router, Schema

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import DateFrom, DateTo, Limit, Offset, check_range, page, text_or_none
from chairside.tenancy.roles import Perm
from chairside.treatments import selectors
from chairside.treatments.models import Administration, Visit, Vitals

router = Router(tags=["visits"])


class AdministrationOut(Schema):
    substance: str
    is_primary: bool
    category: str
    method: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    stop_reason: str
    dose_given_mg: str | None
    volume_infused_ml: str | None


class VitalsOut(Schema):
    phase: str
    taken_at: dt.datetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    temperature_c: str | None
    spo2: int | None
    respiratory_rate: int | None


class VisitOut(Schema):
    public_id: UUID
    patient_id: UUID
    patient: str
    order_id: UUID
    drug: str
    dose_number: int
    date: dt.date
    status: str
    location: str
    chair: str | None
    nurse: str | None
    started_at: dt.datetime
    weight_kg: str | None
    dose_held: bool
    discharged_at: dt.datetime | None
    signed_at: dt.datetime | None
    administrations: list[AdministrationOut]
    vitals: list[VitalsOut]


class VisitPageOut(Schema):
    count: int
    results: list[VisitOut]


def _administration(a: Administration) -> dict[str, Any]:
    return {
        "substance": a.substance,
        "is_primary": a.is_primary,
        "category": a.category,
        "method": a.method,
        "started_at": a.started_at,
        "stopped_at": a.stopped_at,
        "stop_reason": a.stop_reason,
        "dose_given_mg": text_or_none(a.dose_given_mg),
        "volume_infused_ml": text_or_none(a.volume_infused_ml),
    }


def _vitals(v: Vitals) -> dict[str, Any]:
    return {
        **{f: getattr(v, f) for f in VitalsOut.model_fields if f != "temperature_c"},
        "temperature_c": text_or_none(v.temperature_c),
    }


def _visit(visit: Visit) -> dict[str, Any]:
    return {
        "public_id": visit.public_id,
        "patient_id": visit.patient.public_id,
        "patient": visit.patient.full_name,
        "order_id": visit.order.public_id,
        "drug": visit.order.drug.generic_name,
        "dose_number": visit.dose_number,
        "date": visit.date,
        "status": visit.status,
        "location": visit.location.name,
        "chair": visit.chair.name if visit.chair else None,
        "nurse": str(visit.nurse) if visit.nurse_id else None,
        "started_at": visit.started_at,
        "weight_kg": text_or_none(visit.weight_kg),
        "dose_held": visit.dose_held,
        "discharged_at": visit.discharged_at,
        "signed_at": visit.signed_at,
        "administrations": [
            _administration(a) for a in sorted(visit.administrations.all(), key=_started)
        ],
        "vitals": [
            _vitals(v) for v in sorted(visit.vitals.all(), key=lambda v: (v.taken_at, v.pk))
        ],
    }


def _started(a: Administration) -> tuple[dt.datetime, int]:
    return a.started_at, a.pk


@router.get("", response=VisitPageOut)
def list_visits(
    request: ApiRequest,
    *,
    patient: UUID | None = None,
    status: Visit.Status | None = None,
    location: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Treatment visits, newest treatment day first, each with its administrations and
    vitals in time order."""
    require(request, Perm.PATIENT_VIEW)
    check_range(date_from, date_to)
    found = selectors.visits(
        organization=_org(request),
        patient=patient,
        status=status or "",
        location=location,
        start=date_from,
        end=date_to,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [_visit(v) for v in rows]}


@router.get("/{public_id}", response=VisitOut)
def get_visit(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.PATIENT_VIEW)
    found = selectors.visits(organization=_org(request)).filter(public_id=public_id).first()
    if found is None:
        raise Http404("No such visit.")
    return _visit(found)
