"""Stock API (``/api/v1/stock``): lots, on hand by drug and the movement ledger — the same
selectors, organization scoping and permission (``inventory.view``) as the stock pages.
Vials are whole numbers; money and milligrams are decimal strings."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Router, Schema

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import DateFrom, DateTo, Limit, Offset, check_day, check_range, page
from chairside.inventory import selectors
from chairside.inventory.models import Lot, Movement, MovementKind
from chairside.tenancy.roles import Perm

router = Router(tags=["stock"])


class LotOut(Schema):
    public_id: UUID
    drug: str
    ndc11: str
    package: str
    lot_number: str
    expires_on: dt.date
    location: str
    location_id: UUID
    storage_place: str
    on_hand: int
    vials_received: int
    cost_per_vial: str
    value: str
    received_on: dt.date
    vendor: str | None
    patient_id: UUID | None  # patient-specific (white-bag) stock


class LotPageOut(Schema):
    count: int
    results: list[LotOut]


class PackageOnHandOut(Schema):
    ndc11: str
    package: str
    vials: int
    white_bag_vials: int
    value: str


class OnHandOut(Schema):
    location: str
    location_id: UUID
    drug: str
    drug_id: UUID
    vials: int
    white_bag_vials: int
    mg: str
    value: str
    lot_count: int
    first_expiry: dt.date | None
    packages: list[PackageOnHandOut]


class MovementOut(Schema):
    public_id: UUID
    at: dt.datetime
    kind: str
    vials: int
    mg: str | None
    balance_after: int
    lot_id: UUID
    lot_number: str
    drug: str
    location: str
    user: str | None
    patient_id: UUID | None
    visit_ref: str


class MovementPageOut(Schema):
    count: int
    results: list[MovementOut]


def _lot(lot: Lot) -> dict[str, Any]:
    place = lot.storage_place.location
    return {
        "public_id": lot.public_id,
        "drug": lot.package.drug.generic_name,
        "ndc11": lot.package.ndc11,
        "package": lot.package.description,
        "lot_number": lot.lot_number,
        "expires_on": lot.expires_on,
        "location": place.name,
        "location_id": place.public_id,
        "storage_place": lot.storage_place.name,
        "on_hand": lot.on_hand,
        "vials_received": lot.vials_received,
        "cost_per_vial": str(lot.cost_per_vial),
        "value": str(lot.value),
        "received_on": lot.received_on,
        "vendor": lot.vendor.name if lot.vendor else None,
        "patient_id": lot.patient.public_id if lot.patient else None,
    }


def _movement(move: Movement) -> dict[str, Any]:
    return {
        "public_id": move.public_id,
        "at": move.at,
        "kind": move.kind,
        "vials": move.vials,
        "mg": None if move.mg is None else str(move.mg),
        "balance_after": move.balance_after,
        "lot_id": move.lot.public_id,
        "lot_number": move.lot.lot_number,
        "drug": move.lot.package.drug.generic_name,
        "location": move.lot.storage_place.location.name,
        "user": move.user.get_username() if move.user else None,
        "patient_id": move.patient.public_id if move.patient else None,
        "visit_ref": move.visit_ref,
    }


@router.get("/lots", response=LotPageOut)
def list_lots(
    request: ApiRequest,
    *,
    location: UUID | None = None,
    drug: UUID | None = None,
    with_stock: bool = True,
    expires_before: dt.date | None = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Lots by site, drug and expiry (first to expire first); ``with_stock=false`` includes
    the emptied ones."""
    require(request, Perm.INVENTORY_VIEW)
    check_day(expires_before, "expires_before")
    found = selectors.lots(organization=_org(request), with_stock=with_stock)
    if location is not None:
        found = found.filter(storage_place__location__public_id=location)
    if drug is not None:
        found = found.filter(package__drug__public_id=drug)
    if expires_before is not None:
        found = found.filter(expires_on__lt=expires_before)
    found = found.order_by(
        "storage_place__location__name", "package__drug__generic_name", "expires_on", "id"
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [_lot(lot) for lot in rows]}


@router.get("/lots/{public_id}", response=LotOut)
def get_lot(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.INVENTORY_VIEW)
    return _lot(selectors.access_lot(organization=_org(request), public_id=public_id))


@router.get("/on-hand", response=list[OnHandOut])
def on_hand(request: ApiRequest, location: UUID | None = None) -> Any:
    """Stock on hand by site and drug, as the stock page totals it: the center's vials at
    cost, patients' own (white-bag) vials apart."""
    require(request, Perm.INVENTORY_VIEW)
    org = _org(request)
    place = None
    if location is not None:
        place = selectors.location_by_id(organization=org, public_id=location)
        if place is None:
            return []
    return [
        {
            "location": row.location.name,
            "location_id": row.location.public_id,
            "drug": row.drug.generic_name,
            "drug_id": row.drug.public_id,
            "vials": row.vials,
            "white_bag_vials": row.white_bag_vials,
            "mg": str(row.mg),
            "value": str(row.value),
            "lot_count": row.lot_count,
            "first_expiry": row.first_expiry,
            "packages": [
                {
                    "ndc11": p.package.ndc11,
                    "package": p.package.description,
                    "vials": p.vials,
                    "white_bag_vials": p.white_bag_vials,
                    "value": str(p.value),
                }
                for p in row.packages.values()
            ],
        }
        for row in selectors.stock_summary(organization=org, location=place)
    ]


@router.get("/movements", response=MovementPageOut)
def list_movements(
    request: ApiRequest,
    *,
    lot: UUID | None = None,
    kind: MovementKind | None = None,
    location: UUID | None = None,
    patient: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """The stock ledger, newest first (append-only: a correction is a new movement); the
    dates are days at the lot's site."""
    require(request, Perm.INVENTORY_VIEW)
    check_range(date_from, date_to)
    found = selectors.movements(
        organization=_org(request),
        lot=lot,
        kind=kind or "",
        location=location,
        patient=patient,
        start=date_from,
        end=date_to,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [_movement(m) for m in rows]}
