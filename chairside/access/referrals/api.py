"""Treatment orders API (``/api/v1/orders``): the orders the patient charts and the order
pages show, with the same organization scoping and permission (``patient.view``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Router, Schema

from chairside.access.referrals import selectors
from chairside.access.referrals.models import TreatmentOrder
from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import DateFrom, DateTo, Limit, Offset, check_range, page
from chairside.tenancy.roles import Perm

orders_router = Router(tags=["orders"])


class OrderRowOut(Schema):
    public_id: UUID
    patient_id: UUID
    patient: str
    drug: str
    status: str
    regimen: str
    route: str
    dose_mg: str | None
    dose_mg_per_kg: str | None
    first_dose_on: dt.date | None
    signed_on: dt.date
    expires_on: dt.date
    signed: bool
    ordering_provider: str
    location: str | None
    referral_id: UUID | None


class OrderPageOut(Schema):
    count: int
    results: list[OrderRowOut]


def _dec(value: Any) -> str | None:
    return None if value is None else str(value)


def order_row(order: TreatmentOrder) -> dict[str, Any]:
    return {
        "public_id": order.public_id,
        "patient_id": order.patient.public_id,
        "patient": order.patient.full_name,
        "drug": order.drug.generic_name,
        "status": order.status,
        "regimen": order.regimen_name,
        "route": order.route,
        "dose_mg": _dec(order.dose_mg),
        "dose_mg_per_kg": _dec(order.dose_mg_per_kg),
        "first_dose_on": order.first_dose_on,
        "signed_on": order.signed_on,
        "expires_on": order.expires_on,
        "signed": order.is_signed,
        "ordering_provider": str(order.ordering_provider),
        "location": order.location.name if order.location else None,
        "referral_id": order.referral.public_id if order.referral else None,
    }


@orders_router.get("", response=OrderPageOut)
def list_orders(
    request: ApiRequest,
    *,
    patient: UUID | None = None,
    status: TreatmentOrder.Status | None = None,
    drug: UUID | None = None,
    location: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Treatment orders, newest signature first; ``date_from``/``date_to`` bound the
    signature date. Every patient shown is in the access report."""
    require(request, Perm.PATIENT_VIEW)
    check_range(date_from, date_to)
    found = selectors.orders(
        organization=_org(request),
        patient=patient,
        status=status or "",
        drug=drug,
        location=location,
        signed_from=date_from,
        signed_to=date_to,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [order_row(o) for o in rows]}


@orders_router.get("/{public_id}", response=OrderRowOut)
def get_order(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.PATIENT_VIEW)
    return order_row(selectors.access_order(organization=_org(request), public_id=public_id))
