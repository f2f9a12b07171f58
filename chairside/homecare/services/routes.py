"""The day route plan: propose with the optimiser, apply only when the coordinator accepts.

A proposal stores what the day looked like (a fingerprint of every stop, home, shift and
the depot) beside the routes; accepting a plan for a day that changed since is refused, so
nothing is applied that the coordinator did not see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.homecare import selectors
from chairside.homecare.models import DeliveryTicket, FieldShift, HomeBase, HomeVisit, RoutePlan
from chairside.rules.scheduling.routing import Stop, Vehicle, propose_day
from chairside.tenancy.models import Location, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DELIVERY, VISIT = "delivery", "visit"


def _minute(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class _Day:
    """The day's planning input, as read from the database."""

    location: Location
    date: dt.date
    base: HomeBase
    deliveries: list[DeliveryTicket]
    visits: list[HomeVisit]
    shifts: list[FieldShift]

    def fingerprint(self) -> str:
        parts: list[Any] = [["base", str(self.base.public_id), self.base.updated_at.isoformat()]]
        for stop in [*self.deliveries, *self.visits]:
            home = stop.patient.home_address
            parts.append(
                [str(stop.public_id), stop.updated_at.isoformat(), home.updated_at.isoformat()]
            )
        parts += [[str(s.public_id), s.updated_at.isoformat()] for s in self.shifts]
        return hashlib.sha256(json.dumps(sorted(parts)).encode()).hexdigest()


def _read_day(organization: Organization, location: Location, date: dt.date) -> _Day:
    base = HomeBase.objects.filter(organization=organization, location=location).first()
    if base is None:
        raise ValidationError(f"{location} has no depot set: its routes cannot be planned.")
    open_deliveries = selectors.deliveries(organization=organization, location=location, date=date)
    open_visits = selectors.visits(organization=organization, location=location, date=date)
    return _Day(
        location=location,
        date=date,
        base=base,
        deliveries=list(open_deliveries.filter(status=DeliveryTicket.Status.SCHEDULED)),
        # A visit at the pharmacy's own infusion suite is not a stop on a driving route.
        visits=list(
            open_visits.filter(status=HomeVisit.Status.SCHEDULED).exclude(
                setting=HomeVisit.Setting.SUITE
            )
        ),
        shifts=list(selectors.shifts(organization=organization, location=location, date=date)),
    )


def _stops(day: _Day) -> tuple[list[Stop], list[dict[str, str]], list[tuple[str, Any]]]:
    """The optimiser's stops (in booking order), the stops refused before planning, and the
    key → record list."""
    stops: list[Stop] = []
    refused: list[dict[str, str]] = []
    records: list[tuple[str, Any]] = []
    booked = sorted(
        [(DELIVERY, d) for d in day.deliveries] + [(VISIT, v) for v in day.visits],
        key=lambda kv: (kv[1].created_at, kv[1].pk),
    )
    tz = day.location.tz
    for kind, rec in booked:
        key = f"{kind}:{rec.public_id}"
        records.append((key, rec))
        home = rec.patient.home_address
        start, end = _minute(rec.window_start), _minute(rec.window_end)
        service = rec.stop_minutes
        until = rec.cold_chain_until
        if until is not None:
            local = until.astimezone(tz)
            days = (local.date() - day.date).days
            end = min(end, days * 1440 + local.hour * 60 + local.minute)
            if end < start:
                refused.append(
                    {"key": key, "reason": "its cold-chain pack-out expires before its window"}
                )
                continue
        stops.append(
            Stop(
                id=key,
                lat=float(home.latitude),
                lon=float(home.longitude),
                window_start=start,
                window_end=end,
                service_minutes=service,
                nurse_only=kind == VISIT or rec.nurse_only,
            )
        )
    return stops, refused, records


def _vehicles(day: _Day) -> list[Vehicle]:
    depot = (float(day.base.latitude), float(day.base.longitude))
    return [
        Vehicle(
            id=str(s.staff.public_id),
            is_nurse=s.kind == FieldShift.Kind.NURSE,
            start=depot,
            shift_start=_minute(s.starts),
            shift_end=_minute(s.ends),
        )
        for s in day.shifts
    ]


@transaction.atomic
def route_propose(
    *, organization: Organization, user: User | None, location: Location, date: dt.date
) -> RoutePlan:
    """Plan the day's scheduled deliveries and visits over the nurses and drivers on shift.

    Nothing changes on the stops: the plan is stored as a proposal to accept or discard."""
    if location.organization_id != organization.pk:
        raise ValidationError("That location belongs to another organization.")
    day = _read_day(organization, location, date)
    stops, refused, records = _stops(day)
    if not stops and not refused:
        raise ValidationError(f"Nothing is scheduled at {location} on {date:%m/%d/%Y}.")
    if not day.shifts:
        raise ValidationError(f"Nobody is on shift at {location} on {date:%m/%d/%Y}.")
    vehicles = _vehicles(day)
    speed = float(day.base.average_speed_kmh)
    proposal = propose_day(
        stops,
        vehicles,
        speed_kmh=speed,
        time_limit_seconds=day.base.search_seconds,
        nurse_delivery_minutes=day.base.nurse_delivery_minutes,
    )
    plan = proposal.plan
    names = {str(s.staff.public_id): (str(s.staff), s.kind) for s in day.shifts}
    result: dict[str, Any] = {
        "depot": [float(day.base.latitude), float(day.base.longitude)],
        "routes": [
            {
                "staff": r.vehicle_id,
                "name": names[r.vehicle_id][0],
                "kind": names[r.vehicle_id][1],
                "leaves": r.leaves,
                "returns": r.returns,
                "travel_minutes": r.travel_minutes,
                "stops": [
                    {
                        "key": s.stop_id,
                        "arrives": s.arrives,
                        "starts": s.starts,
                        "departs": s.departs,
                        "travel": s.travel_minutes,
                    }
                    for s in r.stops
                ],
            }
            for r in plan.routes
        ],
        "unplaced": refused + [{"key": u.stop_id, "reason": u.reason} for u in plan.unplaced],
        "booking_order_windows_missed": proposal.baseline_missed,
        "notes": list(plan.notes),
    }
    route_plan = RoutePlan.objects.create(
        organization=organization,
        location=location,
        date=date,
        fingerprint=day.fingerprint(),
        result=result,
        travel_minutes=plan.travel_minutes,
        booking_order_travel_minutes=proposal.baseline_travel_minutes,
        stops=len(records),
        unplaced=len(result["unplaced"]),
        solve_seconds=Decimal(str(round(plan.solve_seconds, 2))),
        proposed_by=acting_user(user),
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=route_plan,
        changes={"stops": [None, len(records)], "unplaced": [None, route_plan.unplaced]},
    )
    return route_plan


def _at(date: dt.date, minute: int, location: Location) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(0), tzinfo=location.tz) + dt.timedelta(minutes=minute)


@transaction.atomic
def route_accept(*, organization: Organization, user: User | None, plan: RoutePlan) -> RoutePlan:
    """Apply the proposal: each stop gets its nurse or driver and planned time; stops the
    plan could not place are left without one. The day's earlier accepted plan is replaced."""
    if plan.organization_id != organization.pk:
        raise ValidationError("That plan belongs to another organization.")
    plan = RoutePlan.objects.select_for_update().select_related("location").get(pk=plan.pk)
    if plan.status != RoutePlan.Status.PROPOSED:
        raise ValidationError(f"This plan is {plan.get_status_display().lower()}: propose again.")
    day = _read_day(organization, plan.location, plan.date)
    if day.fingerprint() != plan.fingerprint:
        raise ValidationError(
            "The day changed since this plan was proposed (a stop, a home or a shift): "
            "propose the routes again."
        )
    staff = {str(s.staff.public_id): s.staff for s in day.shifts}
    assigned: dict[str, tuple[Any, int]] = {}
    for route in plan.result["routes"]:
        for s in route["stops"]:
            assigned[s["key"]] = (staff[route["staff"]], s["starts"])
    for stop in [*day.deliveries, *day.visits]:
        kind = DELIVERY if isinstance(stop, DeliveryTicket) else VISIT
        who, minute = assigned.get(f"{kind}:{stop.public_id}", (None, None))
        before = snapshot(stop, ["nurse" if kind == VISIT else "assigned_to", "planned_at"])
        setattr(stop, "nurse" if kind == VISIT else "assigned_to", who)
        stop.planned_at = None if minute is None else _at(plan.date, minute, plan.location)
        stop.route_plan = plan if who is not None else None
        changes = diff(before, snapshot(stop, list(before)))
        stop.save()
        if changes:
            audit_record(
                action=AuditEvent.Action.UPDATE,
                user=user,
                organization=organization,
                obj=stop,
                patient=stop.patient,
                changes=changes,
                reason=f"Route plan of {plan.date:%m/%d/%Y} accepted",
            )
    replaced = selectors.plans(
        organization=organization, location=plan.location, date=plan.date
    ).filter(status=RoutePlan.Status.ACCEPTED)
    for old in replaced:
        old.status = RoutePlan.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
    plan.status = RoutePlan.Status.ACCEPTED
    plan.accepted_by = user
    plan.accepted_at = timezone.now()
    plan.save()
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=organization,
        obj=plan,
        changes={"status": [RoutePlan.Status.PROPOSED, RoutePlan.Status.ACCEPTED]},
    )
    return plan


@transaction.atomic
def route_discard(*, organization: Organization, user: User, plan: RoutePlan) -> RoutePlan:
    if plan.organization_id != organization.pk:
        raise ValidationError("That plan belongs to another organization.")
    if plan.status != RoutePlan.Status.PROPOSED:
        raise ValidationError("Only a proposed plan can be discarded.")
    plan.status = RoutePlan.Status.DISCARDED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=organization,
        obj=plan,
        changes={"status": [RoutePlan.Status.PROPOSED, RoutePlan.Status.DISCARDED]},
    )
    return plan
