"""Home-care pages: the day route plan (propose → accept), a nurse's own route, a delivery
ticket with its proof of delivery."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.dates import in_range
from chairside.homecare import display, selectors, services
from chairside.homecare.models import DeliveryTicket, FieldShift, HomeVisit, RoutePlan
from chairside.tenancy.access import OrgRequest, can, require_any_perm, require_perm
from chairside.tenancy.roles import Perm


def _stop_row(stop: DeliveryTicket | HomeVisit | FieldShift) -> dict[str, Any]:
    """One line of the day's sheet: a delivery, a home visit or a field shift."""
    if isinstance(stop, FieldShift):
        return {
            "kind": "field shift",
            "starts": stop.starts,
            "ends": stop.ends,
            "patient": None,
            "what": stop.get_kind_display(),
            "who": stop.staff,
            "planned": None,
            "status": "",
        }
    if isinstance(stop, DeliveryTicket):
        what = "; ".join(str(i) for i in stop.items.all())
        what = f"cold chain: {what}" if stop.cold_chain else what
        kind, who = "delivery", stop.assigned_to
    else:
        what = f"{stop.duration_minutes} min {stop.purpose}".strip()
        kind, who = "home visit", stop.nurse
    return {
        "kind": kind,
        "starts": stop.window_start,
        "ends": stop.window_end,
        "patient": stop.patient,
        "what": what,
        "who": who,
        "planned": stop.planned_at,
        "status": stop.get_status_display(),
    }


DAY_CSV = export_columns(
    "homecare:day",
    "home-care-day.csv",
    "Home-care day: deliveries, home visits and field shifts",
    [
        ("kind", lambda r: r["kind"]),
        ("window_or_shift_start", lambda r: r["starts"].strftime("%H:%M")),
        ("window_or_shift_end", lambda r: r["ends"].strftime("%H:%M")),
        ("patient_mrn", lambda r: r["patient"].mrn if r["patient"] else ""),
        ("patient", lambda r: str(r["patient"] or "")),
        ("what", lambda r: r["what"]),
        ("carried_by_or_staff", lambda r: str(r["who"] or "")),
        ("planned_at", lambda r: r["planned"]),
        ("status", lambda r: r["status"]),
    ],
)


def _day(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()
    return day if in_range(day) else timezone.localdate()


def _day_url(location: Any, day: dt.date, plan: RoutePlan | None = None) -> str:
    query = {"location": str(location.public_id), "date": day.isoformat()}
    if plan is not None:
        query["plan"] = str(plan.public_id)
    return f"{reverse('homecare:day')}?{urlencode(query)}"


def _records(request: OrgRequest, location: Any, day: dt.date) -> dict[str, Any]:
    org = request.organization
    records: dict[str, DeliveryTicket | HomeVisit] = {}
    for d in selectors.deliveries(organization=org, location=location, date=day):
        records[f"delivery:{d.public_id}"] = d
    for v in selectors.visits(organization=org, location=location, date=day):
        records[f"visit:{v.public_id}"] = v
    return records


def _shown_plan(request: OrgRequest, location: Any, day: dt.date) -> RoutePlan | None:
    """The plan asked for, else the newest proposal or accepted plan of the day."""
    wanted = request.GET.get("plan")
    if wanted:
        plan = selectors.access_plan(organization=request.organization, public_id=wanted)
        return plan if plan.location_id == location.pk and plan.date == day else None
    return (
        selectors.plans(organization=request.organization, location=location, date=day)
        .filter(status__in=[RoutePlan.Status.PROPOSED, RoutePlan.Status.ACCEPTED])
        .first()
    )


@require_perm(Perm.SCHEDULE_VIEW)
def day(request: OrgRequest) -> HttpResponse:
    if selectors.sees_only_own(request.membership.role):
        return redirect("homecare:my_route")
    locations = selectors.home_locations(organization=request.organization)
    if not locations.exists():
        return render(request, "homecare/no_location.html", status=200)
    location = selectors.access_location(
        organization=request.organization, public_id=request.GET.get("location")
    )
    when = _day(request.GET.get("date"))
    records = _records(request, location, when)
    shifts = selectors.shifts(organization=request.organization, location=location, date=when)
    if wants_csv(request):
        return csv_response(request, DAY_CSV, map(_stop_row, [*records.values(), *shifts]))
    plan = _shown_plan(request, location, when)
    view = display.plan_view(plan, records) if plan is not None else None
    base = getattr(location, "home_base", None)
    context = {
        "locations": locations,
        "location": location,
        "day": when,
        "previous": when - dt.timedelta(days=1),
        "next": when + dt.timedelta(days=1),
        "deliveries": [r for r in records.values() if isinstance(r, DeliveryTicket)],
        "visits": [r for r in records.values() if isinstance(r, HomeVisit)],
        "shifts": shifts,
        "view": view,
        "base": base,
        "may_plan": can(request, Perm.SCHEDULE_EDIT),
        "map_w": display.MAP_W,
        "map_h": display.MAP_H,
    }
    return render(request, "homecare/day.html", context)


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def propose(request: OrgRequest) -> HttpResponse:
    location = selectors.access_location(
        organization=request.organization, public_id=request.POST.get("location")
    )
    when = _day(request.POST.get("date"))
    try:
        plan = services.route_propose(
            organization=request.organization, user=request.user, location=location, date=when
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_day_url(location, when))
    note = f"Routes proposed: {plan.stops - plan.unplaced} of {plan.stops} stops placed."
    messages.success(request, note + " Check them, then accept to apply.")
    return HttpResponseRedirect(_day_url(location, when, plan))


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def decide(request: OrgRequest, public_id: str, action: str) -> HttpResponse:
    plan = selectors.access_plan(organization=request.organization, public_id=public_id)
    service = {"accept": services.route_accept, "discard": services.route_discard}.get(action)
    if service is None:
        return HttpResponse("Unknown action.", status=400)
    try:
        service(organization=request.organization, user=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(_day_url(plan.location, plan.date, plan))
    if action == "accept":
        messages.success(request, "Routes accepted: each stop has its nurse or driver and time.")
        return HttpResponseRedirect(_day_url(plan.location, plan.date, plan))
    messages.success(request, "Proposal discarded; nothing was changed.")
    return HttpResponseRedirect(_day_url(plan.location, plan.date))


@require_perm(Perm.SCHEDULE_VIEW)
def my_route(request: OrgRequest) -> HttpResponse:
    staff = selectors.staff_of(organization=request.organization, user=request.user)
    when = _day(request.GET.get("date"))
    stops = (
        selectors.own_route(organization=request.organization, staff=staff, date=when)
        if staff is not None
        else []
    )
    context = {
        "staff": staff,
        "day": when,
        "previous": when - dt.timedelta(days=1),
        "next": when + dt.timedelta(days=1),
        "stops": stops,
    }
    return render(request, "homecare/my_route.html", context)


def _may_record_proof(request: OrgRequest) -> bool:
    return selectors.may_record_proof(request.membership.role)


@require_perm(Perm.SCHEDULE_VIEW)
def ticket(request: OrgRequest, public_id: str) -> HttpResponse:
    found = selectors.access_ticket(
        organization=request.organization,
        public_id=public_id,
        user=request.user,
        role=request.membership.role,
    )
    context = {
        "ticket": found,
        "may_record": _may_record_proof(request),
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "homecare/ticket.html", context)


@require_POST
@require_any_perm(Perm.SCHEDULE_EDIT, Perm.CLINICAL_EDIT)
def proof(request: OrgRequest, public_id: str) -> HttpResponse:
    found = selectors.access_ticket(
        organization=request.organization,
        public_id=public_id,
        user=request.user,
        role=request.membership.role,
    )
    data = request.POST
    try:
        delivered_at = _local_datetime(data.get("delivered_at", ""))
        services.delivery_record_proof(
            organization=request.organization,
            user=request.user,
            ticket=found,
            received_by=data.get("received_by", ""),
            signature_kind=data.get("signature_kind", ""),
            signature_text=data.get("signature_text", ""),
            signature_drawing=data.get("signature_drawing", ""),
            delivered_at=delivered_at,
            delivery_note=data.get("delivery_note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Proof of delivery recorded.")
    return redirect("homecare:ticket", public_id=found.public_id)


def _local_datetime(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError("Give the delivery time as date and time.") from None
    if not in_range(parsed.date()):
        raise ValidationError("Give the delivery time as date and time.")
    if parsed.tzinfo is None:
        parsed = timezone.make_aware(parsed)
    return parsed
