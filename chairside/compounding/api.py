"""Compounding API: master formulations, compounding records (compound, verify) and the lot
recall — the same selectors and services as the pages. Amounts are decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import Offset, check_day
from chairside.audit.services import client_ip
from chairside.compounding import selectors, services
from chairside.compounding.models import CompoundingRecord
from chairside.patients.selectors import access_patient
from chairside.rules.interop.csv_safe import to_csv
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import first_site

router = Router(tags=["compounding"])

Milligrams = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=3)]
Vials = Annotated[int, Field(ge=1, le=1000)]


class IngredientOut(Schema):
    public_id: UUID
    drug: str
    amount_mg: str | None


class FormulationOut(Schema):
    public_id: UUID
    name: str
    ingredients: list[IngredientOut]
    diluent: str
    container: str
    final_volume_ml: str
    category: str
    storage: str
    area_kind: str
    stability_hours: str | None
    is_active: bool


class DrawOut(Schema):
    drug: str
    lot: str
    lot_expires_on: dt.date
    vials: int
    amount_mg: str


class RecordOut(Schema):
    public_id: UUID
    number: str
    status: str
    formulation: str
    patient_id: UUID
    area: str
    category: str
    storage: str
    started_at: dt.datetime
    beyond_use_at: dt.datetime
    bud_limited_by: str
    dose_mg: str
    final_volume_ml: str
    concentration_mg_ml: str
    diluent: str
    diluent_lot: str
    diluent_expires_on: dt.date
    prepared_by: str
    verified_by: str
    verified_at: dt.datetime | None
    ingredients: list[DrawOut]


class RecordPageOut(Schema):
    count: int
    results: list[RecordOut]


class DrawIn(Schema):
    ingredient: UUID
    lot: UUID
    vials: Vials
    amount_mg: Milligrams


class RecordIn(Schema):
    formulation: UUID
    patient: UUID
    area: UUID
    ingredients: list[DrawIn]
    diluent_lot: str = Field(min_length=1, max_length=40)
    diluent_expires_on: dt.date
    storage: str | None = None
    started_at: dt.datetime | None = None
    notes: str = Field("", max_length=255)


class VerifyIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)


class AreaOut(Schema):
    public_id: UUID
    name: str
    kind: str
    location: str


class RecallRowOut(Schema):
    patient_id: UUID
    mrn: str
    at: dt.datetime
    kind: str
    reference: str
    record_id: UUID | None
    drug: str
    vials: int
    mg: str | None
    status: str
    given: list[str]
    site: str


class RecallOut(Schema):
    lot_number: str
    lots_found: int
    patients: int
    doses: list[RecallRowOut]


def _formulation(f: Any) -> dict[str, Any]:
    return {
        "public_id": f.public_id,
        "name": f.name,
        "ingredients": [
            {
                "public_id": i.public_id,
                "drug": i.drug.generic_name,
                "amount_mg": None if i.amount_mg is None else str(i.amount_mg),
            }
            for i in f.ingredients.all()
        ],
        "diluent": f.diluent,
        "container": f.container,
        "final_volume_ml": str(f.final_volume_ml),
        "category": f.category,
        "storage": f.storage,
        "area_kind": f.area_kind,
        "stability_hours": None if f.stability_hours is None else str(f.stability_hours),
        "is_active": f.is_active,
    }


def _record(r: CompoundingRecord) -> dict[str, Any]:
    return {
        "public_id": r.public_id,
        "number": r.number,
        "status": r.status,
        "formulation": r.formulation.name,
        "patient_id": r.patient.public_id,
        "area": str(r.area),
        "category": r.category,
        "storage": r.storage,
        "started_at": r.started_at,
        "beyond_use_at": r.beyond_use_at,
        "bud_limited_by": r.bud_limited_by,
        "dose_mg": str(r.dose_mg),
        "final_volume_ml": str(r.final_volume_ml),
        "concentration_mg_ml": str(r.concentration_mg_ml),
        "diluent": r.diluent,
        "diluent_lot": r.diluent_lot,
        "diluent_expires_on": r.diluent_expires_on,
        "prepared_by": r.prepared_by_name,
        "verified_by": r.verified_by_name,
        "verified_at": r.verified_at,
        "ingredients": [
            {
                "drug": p.drug.generic_name,
                "lot": p.lot.lot_number,
                "lot_expires_on": p.lot.expires_on,
                "vials": p.vials,
                "amount_mg": str(p.amount_mg),
            }
            for p in r.ingredients.all()
        ],
    }


@router.get("/formulations", response=list[FormulationOut])
def list_formulations(request: ApiRequest) -> Any:
    require(request, Perm.COMPOUNDING_VIEW)
    return [_formulation(f) for f in selectors.formulations(organization=_org(request))]


@router.get("/areas", response=list[AreaOut])
def list_areas(request: ApiRequest) -> Any:
    """Rooms and hoods in use, for ``area`` when compounding."""
    require(request, Perm.COMPOUNDING_VIEW)
    return [
        {"public_id": a.public_id, "name": a.name, "kind": a.kind, "location": a.location.name}
        for a in selectors.areas(organization=_org(request))
    ]


@router.get("/records", response=RecordPageOut)
def list_records(
    request: ApiRequest, status: str = "", q: str = "", offset: Offset = 0, limit: int = 25
) -> Any:
    require(request, Perm.COMPOUNDING_VIEW)
    found = selectors.records(organization=_org(request), status=status, query=q)
    found = found.prefetch_related("ingredients__lot", "ingredients__drug")
    limit = max(1, min(limit, 100))
    page = found[offset : offset + limit]
    return {"count": found.count(), "results": [_record(r) for r in page]}


@router.get("/records/{public_id}", response=RecordOut)
def get_record(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.COMPOUNDING_VIEW)
    return _record(selectors.access_record(organization=_org(request), public_id=public_id))


def _draws(org: Any, formulation: Any, items: list[DrawIn]) -> list[services.Draw]:
    ingredients = selectors.ingredients_by_id(formulation)
    draws = []
    for item in items:
        ingredient = ingredients.get(item.ingredient)
        if ingredient is None:
            raise ValidationError({"ingredients": "An ingredient is not of this formulation."})
        lot = selectors.draw_lot(organization=org, public_id=item.lot)
        if lot is None:
            raise ValidationError({"ingredients": f"No lot {item.lot} here."})
        draws.append(
            services.Draw(
                ingredient=ingredient, lot=lot, vials=item.vials, amount_mg=item.amount_mg
            )
        )
    return draws


@router.post("/records", response={201: RecordOut})
def create_record(request: ApiRequest, data: RecordIn) -> Any:
    """Compound a dose: draws each ingredient's vials from stock (400 with the reason when an
    expired or quarantined lot, too few vials or a rule of USP <797> refuses it)."""
    require(request, Perm.COMPOUNDING_EDIT)
    check_day(data.diluent_expires_on, "diluent_expires_on")
    if data.started_at is not None:
        check_day(data.started_at, "started_at")
    org = _org(request)
    formulation = selectors.access_formulation(organization=org, public_id=data.formulation)
    patient = access_patient(organization=org, public_id=data.patient)
    area = selectors.access_area(organization=org, public_id=data.area)
    record = services.compounding_record_create(
        organization=org,
        user=request.user,
        formulation=formulation,
        patient=patient,
        area=area,
        draws=_draws(org, formulation, data.ingredients),
        diluent_lot=data.diluent_lot,
        diluent_expires_on=data.diluent_expires_on,
        storage=data.storage or None,
        started_at=data.started_at,
        notes=data.notes,
    )
    return Status(
        201, _record(selectors.access_record(organization=org, public_id=record.public_id))
    )


@router.post("/records/{public_id}/verify", response=RecordOut)
def verify_record(request: ApiRequest, public_id: UUID, data: VerifyIn) -> Any:
    """The pharmacist's verification with her own user name and password (another person
    than the preparer; 400 with the reason otherwise)."""
    require(request, Perm.COMPOUNDING_EDIT)
    record = selectors.access_record(organization=_org(request), public_id=public_id)
    services.compounding_record_verify(
        record=record,
        user=request.user,
        username=data.username,
        password=data.password,
        ip_address=client_ip(request),
    )
    return _record(selectors.access_record(organization=_org(request), public_id=public_id))


def _recall_row(r: selectors.RecallRow) -> dict[str, Any]:
    return {
        "patient_id": r.patient.public_id,
        "mrn": r.patient.mrn,
        "at": r.at,
        "kind": r.kind,
        "reference": r.reference,
        "record_id": r.record.public_id if r.record is not None else None,
        "drug": r.drug,
        "vials": r.vials,
        "mg": None if r.mg is None else str(r.mg),
        "status": r.status,
        "given": r.given,
        "site": r.site,
    }


@router.get("/recall", response=RecallOut)
def recall(request: ApiRequest, lot: Annotated[str, Field(min_length=1, max_length=40)]) -> Any:
    """Every patient and dose that received the lot (audited)."""
    require(request, Perm.COMPOUNDING_VIEW)
    found = selectors.lot_recall(organization=_org(request), lot_number=lot, user=request.user)
    return {
        "lot_number": found.lot_number,
        "lots_found": len(found.lots),
        "patients": len(found.patients),
        "doses": [_recall_row(r) for r in found.rows],
    }


@router.get("/recall.csv")
def recall_csv(
    request: ApiRequest, lot: Annotated[str, Field(min_length=1, max_length=40)]
) -> HttpResponse:
    """The recall as CSV (spreadsheet-safe cells; audited as an export)."""
    require(request, Perm.COMPOUNDING_VIEW)
    org = _org(request)
    found = selectors.lot_recall(organization=org, lot_number=lot, user=request.user, export=True)
    first = first_site(organization=org)
    tz = first.tz if first is not None else dt.UTC
    response = HttpResponse(to_csv(selectors.recall_csv_rows(found, tz)), content_type="text/csv")
    safe = "".join(c for c in found.lot_number if c.isalnum() or c in "-_")[:40]
    response["Content-Disposition"] = f'attachment; filename="recall-{safe}.csv"'
    return response
