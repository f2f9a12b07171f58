"""Schedule API: a day's appointments, free starts, booking and cancelling.

Through the same selectors and booking service as the pages, so the API refuses exactly
what the board refuses, with the same words (400). Mounted at ``/api/v1/schedule`` by the
API's router list (``chairside/urls.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from chairside.access.referrals.selectors import access_order
from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import DateFrom, DateTo, Limit, Offset, check_day, check_range, page
from chairside.scheduling import selectors, services, slots
from chairside.scheduling.checks import live_appointments
from chairside.scheduling.models import Appointment
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import access_chair, access_staff

router = Router(tags=["schedule"])


class AppointmentOut(Schema):
    public_id: UUID
    patient: UUID
    patient_name: str
    order: UUID
    drug: str
    dose_number: int
    location: str
    chair: str
    nurse: str | None
    start: dt.datetime
    end: dt.datetime
    status: str
    authorization_overridden: bool


class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    chair: UUID
    chair_name: str
    nurse: UUID | None
    dose_number: int


class BookIn(Schema):
    order: UUID
    chair: UUID
    start: dt.datetime
    nurse: str = services.AUTO  # "auto", "" for none, or a staff member's public id
    minutes: int | None = None
    override_reason: str = ""


class BookedOut(Schema):
    appointment: AppointmentOut
    warnings: list[str]


class CancelIn(Schema):
    reason_code: str
    reason: str = ""


def _out(a: Appointment) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "patient": a.patient.public_id,
        "patient_name": a.patient.full_name,
        "order": a.order.public_id,
        "drug": a.order.drug.generic_name,
        "dose_number": a.dose_number,
        "location": a.location.name,
        "chair": a.chair.name,
        "nurse": str(a.nurse) if a.nurse else None,
        "start": a.local_start(),
        "end": a.local_end(),
        "status": a.status,
        "authorization_overridden": a.authorization_override_id is not None,
    }


def _refused(exc: ValidationError) -> HttpError:
    return HttpError(400, "; ".join(exc.messages))


@router.get("", response=list[AppointmentOut])
def day(request: ApiRequest, date: dt.date, location: UUID | None = None) -> Any:
    """The live appointments of a day at a location (default: the largest site)."""
    require(request, Perm.SCHEDULE_VIEW)
    check_day(date)
    place = selectors.access_location(organization=_org(request), public_id=location)
    return [_out(a) for a in live_appointments(place, date)]


@router.get("/slots", response=list[SlotOut])
def find(request: ApiRequest, order: UUID, date: dt.date, location: UUID | None = None) -> Any:
    """The next starts for a dose of the order that pass every rule, from ``date``."""
    require(request, Perm.SCHEDULE_VIEW)
    check_day(date)
    chosen = access_order(organization=_org(request), public_id=order)
    place = selectors.access_location(organization=_org(request), public_id=location)
    found = slots.find_slots(order=chosen, location=place, from_date=date)
    return [
        {
            "start": o.start,
            "end": o.end,
            "chair": o.chair.public_id,
            "chair_name": o.chair.name,
            "nurse": o.nurse.public_id if o.nurse else None,
            "dose_number": o.dose_number,
        }
        for o in found.options
    ]


@router.post("", response={201: BookedOut})
def book(request: ApiRequest, data: BookIn) -> Any:
    """Book a dose (every rule of the board; 400 with the reason when refused)."""
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.start, "start")
    org = _org(request)
    order = access_order(organization=org, public_id=data.order)
    chair = access_chair(organization=org, public_id=data.chair)
    nurse: Any = data.nurse
    if nurse not in (services.AUTO, ""):
        nurse = access_staff(organization=org, public_id=nurse)
    try:
        booked = services.appointment_book(
            organization=org,
            user=request.user,
            order=order,
            chair=chair,
            start=data.start,
            nurse=nurse or None,
            minutes=data.minutes,
            override_reason=data.override_reason,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, {"appointment": _out(booked.appointment), "warnings": booked.warnings})


@router.post("/{public_id}/cancel", response=AppointmentOut)
def cancel(request: ApiRequest, public_id: UUID, data: CancelIn) -> Any:
    """Cancel with a reason code (``Appointment.Reason``); frees the chair and the visit."""
    require(request, Perm.SCHEDULE_EDIT)
    appointment = selectors.access_appointment(organization=_org(request), public_id=public_id)
    try:
        services.appointment_cancel(
            appointment=appointment,
            user=request.user,
            reason_code=data.reason_code,
            reason=data.reason,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    appointment.refresh_from_db()
    return _out(appointment)


# --- /api/v1/appointments: every booking the schedule pages show --------------------------

appointments_router = Router(tags=["appointments"])


class AppointmentPageOut(Schema):
    count: int
    results: list[AppointmentOut]


@appointments_router.get("", response=AppointmentPageOut)
def list_appointments(
    request: ApiRequest,
    *,
    patient: UUID | None = None,
    status: str = "",
    location: UUID | None = None,
    order: UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Appointments of every status, by start; the dates are days at each site. ``status``:
    booked, confirmed, checked_in, in_chair, completed, no_show, cancelled, rescheduled."""
    require(request, Perm.SCHEDULE_VIEW)
    check_range(date_from, date_to)
    if status and status not in dict(Appointment.STATUS_CHOICES):
        raise HttpError(400, f"status: one of {', '.join(dict(Appointment.STATUS_CHOICES))}.")
    found = selectors.appointments(
        organization=_org(request),
        patient=patient,
        status=status,
        location=location,
        order=order,
        start=date_from,
        end=date_to,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [_out(a) for a in rows]}


@appointments_router.get("/{public_id}", response=AppointmentOut)
def get_appointment(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.SCHEDULE_VIEW)
    return _out(selectors.access_appointment(organization=_org(request), public_id=public_id))
