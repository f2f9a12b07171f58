"""Home-care API: a day's stops, route plans (propose, accept), delivery tickets and visits
with proof of delivery. The same selectors and services as the pages, so the API refuses
what the pages refuse, with the same words (400). Mounted at ``/api/v1/homecare``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from chairside.api.auth import active_organization as _org
from chairside.api.auth import require
from chairside.api.params import check_day
from chairside.homecare import selectors, services
from chairside.homecare.models import DeliveryTicket, HomeVisit, RoutePlan
from chairside.inventory.models import Lot
from chairside.patients.models import Patient
from chairside.tenancy.models import StaffMember
from chairside.tenancy.roles import Perm

router = Router(tags=["homecare"])


class StopOut(Schema):
    public_id: UUID
    kind: str
    patient: UUID
    patient_name: str
    window_start: dt.time
    window_end: dt.time
    minutes: int
    status: str
    assigned_to: str | None
    planned_at: dt.datetime | None


class PlanIn(Schema):
    date: dt.date
    location: UUID | None = None


class PlanOut(Schema):
    public_id: UUID
    date: dt.date
    status: str
    stops: int
    unplaced: int
    travel_minutes: int
    booking_order_travel_minutes: int
    solve_seconds: Decimal
    result: dict[str, Any]


class ItemInSchema(Schema):
    quantity: Decimal = Field(gt=0, le=100000, decimal_places=2)
    description: str = Field("", max_length=200)
    lot: UUID | None = None
    unit: str = Field("each", max_length=16)


class DeliveryIn(Schema):
    patient: UUID
    date: dt.date
    window_start: dt.time
    window_end: dt.time
    items: list[ItemInSchema]
    location: UUID | None = None
    handoff: str = DeliveryTicket.Handoff.COURIER
    service_minutes: int = Field(10, ge=1, le=120)
    cold_chain: bool = False
    packed_out_at: dt.datetime | None = None
    validity_hours: int | None = Field(None, ge=1, le=120)
    note: str = Field("", max_length=255)


class VisitIn(Schema):
    patient: UUID
    date: dt.date
    window_start: dt.time
    window_end: dt.time
    location: UUID | None = None
    duration_minutes: int = Field(60, ge=5, le=480)
    purpose: str = Field("", max_length=120)
    nurse: UUID | None = None


class ProofIn(Schema):
    received_by: str = Field(max_length=120)
    signature_kind: str
    signature_text: str = Field("", max_length=120)
    signature_drawing: str = Field("", max_length=250_000)
    delivered_at: dt.datetime | None = None
    delivery_note: str = Field("", max_length=255)


def _stop(rec: DeliveryTicket | HomeVisit) -> dict[str, Any]:
    who = rec.assigned_to if isinstance(rec, DeliveryTicket) else rec.nurse
    return {
        "public_id": rec.public_id,
        "kind": "delivery" if isinstance(rec, DeliveryTicket) else "visit",
        "patient": rec.patient.public_id,
        "patient_name": rec.patient.full_name,
        "window_start": rec.window_start,
        "window_end": rec.window_end,
        "minutes": rec.stop_minutes,
        "status": rec.status,
        "assigned_to": str(who) if who else None,
        "planned_at": rec.planned_at,
    }


def _refused(exc: ValidationError) -> HttpError:
    return HttpError(400, "; ".join(exc.messages))


def _patient(request: HttpRequest, public_id: UUID) -> Patient:
    found = Patient.objects.filter(organization=_org(request), public_id=public_id).first()
    if found is None:
        raise HttpError(404, "No such patient.")
    return found


@router.get("/day", response=list[StopOut])
def day(request: HttpRequest, date: dt.date, location: UUID | None = None) -> Any:
    """The day's deliveries and home visits at a home-infusion location (a nurse: her own)."""
    require(request, Perm.SCHEDULE_VIEW)
    check_day(date)
    org = _org(request)
    if selectors.sees_only_own(request.membership.role):  # type: ignore[attr-defined]
        staff = selectors.staff_of(organization=org, user=request.user)
        stops = selectors.own_route(organization=org, staff=staff, date=date) if staff else []
        return [_stop(s) for s in stops]
    place = selectors.access_location(organization=org, public_id=location)
    found: list[DeliveryTicket | HomeVisit] = [
        *selectors.deliveries(organization=org, location=place, date=date),
        *selectors.visits(organization=org, location=place, date=date),
    ]
    return [_stop(s) for s in found]


@router.post("/plans", response={201: PlanOut})
def propose(request: HttpRequest, data: PlanIn) -> Any:
    """Propose the day's routes (nothing changes until the plan is accepted)."""
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    try:
        plan = services.route_propose(
            organization=org, user=request.user, location=place, date=data.date
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, plan)


@router.get("/plans/{public_id}", response=PlanOut)
def plan_detail(request: HttpRequest, public_id: UUID) -> RoutePlan:
    require(request, Perm.SCHEDULE_EDIT)
    return selectors.access_plan(organization=_org(request), public_id=public_id)


@router.post("/plans/{public_id}/accept", response=PlanOut)
def accept(request: HttpRequest, public_id: UUID) -> Any:
    """Apply a proposed plan: each stop gets its nurse or driver and planned time."""
    require(request, Perm.SCHEDULE_EDIT)
    org = _org(request)
    plan = selectors.access_plan(organization=org, public_id=public_id)
    try:
        return services.route_accept(organization=org, user=request.user, plan=plan)
    except ValidationError as exc:
        raise _refused(exc) from None


@router.post("/deliveries", response={201: StopOut})
def delivery_create(request: HttpRequest, data: DeliveryIn) -> Any:
    """A delivery ticket; drug items name a lot of the stock ledger."""
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    items = []
    for item in data.items:
        lot = None
        if item.lot is not None:
            lot = Lot.objects.filter(organization=org, public_id=item.lot).first()
            if lot is None:
                raise HttpError(400, "No such lot in this organization's stock.")
        items.append(services.ItemIn(item.quantity, item.description, lot, item.unit))
    try:
        ticket = services.delivery_create(
            organization=org,
            user=request.user,
            patient=_patient(request, data.patient),
            location=place,
            date=data.date,
            window_start=data.window_start,
            window_end=data.window_end,
            items=items,
            handoff=data.handoff,
            service_minutes=data.service_minutes,
            cold_chain=data.cold_chain,
            packed_out_at=data.packed_out_at,
            validity_hours=data.validity_hours,
            note=data.note,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, _stop(ticket))


@router.post("/visits", response={201: StopOut})
def visit_create(request: HttpRequest, data: VisitIn) -> Any:
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    nurse = None
    if data.nurse is not None:
        nurse = StaffMember.objects.filter(organization=org, public_id=data.nurse).first()
        if nurse is None:
            raise HttpError(400, "No such nurse in this organization.")
    try:
        visit = services.visit_create(
            organization=org,
            user=request.user,
            patient=_patient(request, data.patient),
            location=place,
            date=data.date,
            window_start=data.window_start,
            window_end=data.window_end,
            duration_minutes=data.duration_minutes,
            purpose=data.purpose,
            nurse=nurse,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, _stop(visit))


@router.post("/deliveries/{public_id}/proof", response=StopOut)
def proof(request: HttpRequest, public_id: UUID, data: ProofIn) -> Any:
    """Proof of delivery (a nurse: only on a delivery she carries)."""
    membership = request.membership  # type: ignore[attr-defined]
    if not (selectors.may_record_proof(membership.role)):
        raise HttpError(403, "Your role does not allow this.")
    org = _org(request)
    ticket = selectors.access_ticket(
        organization=org, public_id=public_id, user=request.user, role=membership.role
    )
    if data.delivered_at is not None:
        check_day(data.delivered_at, "delivered_at")
    try:
        done = services.delivery_record_proof(
            organization=org,
            user=request.user,
            ticket=ticket,
            received_by=data.received_by,
            signature_kind=data.signature_kind,
            signature_text=data.signature_text,
            signature_drawing=data.signature_drawing,
            delivered_at=data.delivered_at,
            delivery_note=data.delivery_note,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return _stop(done)
