"""Pages to set up a home-infusion day by hand: a patient's home (address and coordinates),
a field shift, a delivery ticket and a home visit (the route planner then places them)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from chairside.core.dates import in_range
from chairside.core.forms_util import submit_form
from chairside.homecare import selectors, services
from chairside.homecare.forms import DeliveryForm, HomeForm, ShiftForm, VisitForm
from chairside.homecare.models import HomeVisit
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm


def _day_url(location: object, day: dt.date) -> str:
    query = {"location": str(getattr(location, "public_id", "")), "date": day.isoformat()}
    return f"{reverse('homecare:day')}?{urlencode(query)}"


HOME_FIELDS = (
    "location",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "latitude",
    "longitude",
    "access_notes",
)


def _check_day(day: dt.date | None, field: str = "date") -> None:
    if day is not None and not in_range(day):
        raise ValidationError({field: "Give a date within the planning range."})


def _no_location(request: OrgRequest) -> HttpResponse | None:
    if not selectors.home_locations(organization=request.organization).exists():
        return render(request, "homecare/no_location.html", status=200)
    return None


@require_perm(Perm.SCHEDULE_EDIT)
def home_edit(request: OrgRequest, public_id: str) -> HttpResponse:
    org = request.organization
    found = selectors.access_patient(organization=org, public_id=public_id)
    empty = _no_location(request)
    if empty is not None:
        return empty
    home = getattr(found, "home_address", None)
    initial = (
        {
            "location": home.location,
            "address_line1": home.address_line1,
            "address_line2": home.address_line2,
            "city": home.city,
            "state": home.state,
            "postal_code": home.postal_code,
            "latitude": home.latitude,
            "longitude": home.longitude,
            "access_notes": home.access_notes,
        }
        if home
        else {
            "address_line1": found.address_line1,
            "city": found.city,
            "state": found.state,
            "postal_code": found.postal_code,
        }
    )
    locations = selectors.home_locations(organization=org)
    form = HomeForm(request.POST or None, locations=locations, initial=initial)
    return submit_form(
        request,
        form,
        save=lambda data: services.home_set(
            organization=org,
            user=request.user,
            patient=found,
            is_demo=bool(home and home.is_demo),
            **{name: data[name] for name in HOME_FIELDS},
        ),
        message="Home address saved.",
        done=reverse("homecare:patient", args=[found.public_id]),
        template="homecare/home_form.html",
        context={"patient": found, "home": home, "active": "patients"},
    )


@require_perm(Perm.SCHEDULE_EDIT)
def shift_new(request: OrgRequest) -> HttpResponse:
    org = request.organization
    empty = _no_location(request)
    if empty is not None:
        return empty
    locations = selectors.home_locations(organization=org)
    initial = {"date": timezone.localdate() + dt.timedelta(days=1), "location": locations.first()}
    form = ShiftForm(request.POST or None, organization=org, locations=locations, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        _check_day(data["date"])
        return services.field_shift_add(
            organization=org,
            user=request.user,
            **{
                name: data[name] for name in ("location", "staff", "date", "starts", "ends", "kind")
            },
        )

    return submit_form(
        request,
        form,
        save=save,
        message=lambda shift: f"Shift added: {shift}.",
        done=lambda shift: _day_url(shift.location, shift.date),
        template="homecare/stop_form.html",
        context={"title": "New field shift", "active": "day"},
    )


def _stop_initial(request: OrgRequest) -> dict[str, object]:
    locations = selectors.home_locations(organization=request.organization)
    initial: dict[str, object] = {
        "date": timezone.localdate() + dt.timedelta(days=1),
        "location": locations.first(),
    }
    wanted = request.GET.get("patient")
    if wanted:
        initial["patient"] = selectors.access_patient(
            organization=request.organization, public_id=wanted
        )
    return initial


@require_perm(Perm.SCHEDULE_EDIT)
def delivery_new(request: OrgRequest) -> HttpResponse:
    org = request.organization
    empty = _no_location(request)
    if empty is not None:
        return empty
    form = DeliveryForm(
        request.POST or None,
        patients=selectors.home_patients(organization=org).filter(home_address__isnull=False),
        locations=selectors.home_locations(organization=org),
        initial=_stop_initial(request),
    )

    def save(data: dict[str, Any]) -> Any:
        _check_day(data["date"])
        packed = data["packed_out_at"]
        if packed is not None and timezone.is_naive(packed):
            packed = timezone.make_aware(packed)
        return services.delivery_create(
            organization=org,
            user=request.user,
            items=[services.ItemIn(q, d, None, u) for q, u, d in data["items"]],
            packed_out_at=packed,
            **{
                name: data[name]
                for name in (
                    "patient",
                    "location",
                    "date",
                    "window_start",
                    "window_end",
                    "handoff",
                    "service_minutes",
                    "cold_chain",
                    "validity_hours",
                    "note",
                )
            },
        )

    return submit_form(
        request,
        form,
        save=save,
        message="Delivery ticket created; propose the day's routes to place it.",
        done=lambda ticket: reverse("homecare:ticket", args=[ticket.public_id]),
        template="homecare/stop_form.html",
        context={"title": "New delivery ticket", "active": "day"},
    )


@require_perm(Perm.SCHEDULE_EDIT)
def visit_new(request: OrgRequest) -> HttpResponse:
    org = request.organization
    empty = _no_location(request)
    if empty is not None:
        return empty
    form = VisitForm(
        request.POST or None,
        organization=org,
        patients=selectors.home_patients(organization=org).filter(home_address__isnull=False),
        locations=selectors.home_locations(organization=org),
        initial=_stop_initial(request),
    )

    def save(data: dict[str, Any]) -> Any:
        _check_day(data["date"])
        return services.visit_create(
            organization=org,
            user=request.user,
            **{
                name: data[name]
                for name in (
                    "patient",
                    "location",
                    "date",
                    "window_start",
                    "window_end",
                    "duration_minutes",
                    "purpose",
                    "nurse",
                )
            },
            setting=data["setting"] or HomeVisit.Setting.HOME,
        )

    return submit_form(
        request,
        form,
        save=save,
        message="Home visit booked; propose the day's routes to place it.",
        done=lambda visit: _day_url(visit.location, visit.date),
        template="homecare/stop_form.html",
        context={"title": "New home visit", "active": "day"},
    )
