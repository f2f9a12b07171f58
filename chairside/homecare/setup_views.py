"""Pages to set up a home-infusion day by hand: a patient's home (address and coordinates),
a field shift, a delivery ticket and a home visit (the route planner then places them)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from chairside.core.dates import in_range
from chairside.core.forms_util import add_service_errors
from chairside.homecare import selectors, services
from chairside.homecare.forms import DeliveryForm, HomeForm, ShiftForm, VisitForm
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm


def _day_url(location: object, day: dt.date) -> str:
    query = {"location": str(getattr(location, "public_id", "")), "date": day.isoformat()}
    return f"{reverse('homecare:day')}?{urlencode(query)}"


def _check_day(form: object, day: dt.date | None, field: str = "date") -> bool:
    if day is not None and not in_range(day):
        form.add_error(field, "Give a date within the planning range.")  # type: ignore[attr-defined]
        return False
    return True


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.home_set(
                organization=org,
                user=request.user,
                patient=found,
                location=data["location"],
                address_line1=data["address_line1"],
                address_line2=data["address_line2"],
                city=data["city"],
                state=data["state"],
                postal_code=data["postal_code"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                access_notes=data["access_notes"],
                is_demo=bool(home and home.is_demo),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Home address saved.")
            return redirect("homecare:patient", public_id=found.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": found, "home": home, "active": "patients"}
    return render(request, "homecare/home_form.html", context, status=status)


@require_perm(Perm.SCHEDULE_EDIT)
def shift_new(request: OrgRequest) -> HttpResponse:
    org = request.organization
    empty = _no_location(request)
    if empty is not None:
        return empty
    locations = selectors.home_locations(organization=org)
    initial = {"date": timezone.localdate() + dt.timedelta(days=1), "location": locations.first()}
    form = ShiftForm(request.POST or None, organization=org, locations=locations, initial=initial)
    if request.method == "POST" and form.is_valid() and _check_day(form, form.cleaned_data["date"]):
        data = form.cleaned_data
        try:
            shift = services.field_shift_add(
                organization=org,
                user=request.user,
                location=data["location"],
                staff=data["staff"],
                date=data["date"],
                starts=data["starts"],
                ends=data["ends"],
                kind=data["kind"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Shift added: {shift}.")
            return redirect(_day_url(shift.location, shift.date))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": "New field shift", "active": "day"}
    return render(request, "homecare/stop_form.html", context, status=status)


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
    if request.method == "POST" and form.is_valid() and _check_day(form, form.cleaned_data["date"]):
        data = form.cleaned_data
        packed = data["packed_out_at"]
        if packed is not None and timezone.is_naive(packed):
            packed = timezone.make_aware(packed)
        try:
            ticket = services.delivery_create(
                organization=org,
                user=request.user,
                patient=data["patient"],
                location=data["location"],
                date=data["date"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                items=[services.ItemIn(q, d, None, u) for q, u, d in data["items"]],
                handoff=data["handoff"],
                service_minutes=data["service_minutes"],
                cold_chain=data["cold_chain"],
                packed_out_at=packed,
                validity_hours=data["validity_hours"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Delivery ticket created; propose the day's routes to place it."
            )
            return redirect("homecare:ticket", public_id=ticket.public_id)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": "New delivery ticket", "active": "day"}
    return render(request, "homecare/stop_form.html", context, status=status)


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
    if request.method == "POST" and form.is_valid() and _check_day(form, form.cleaned_data["date"]):
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                organization=org,
                user=request.user,
                patient=data["patient"],
                location=data["location"],
                date=data["date"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                duration_minutes=data["duration_minutes"],
                purpose=data["purpose"],
                nurse=data["nurse"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Home visit booked; propose the day's routes to place it.")
            return redirect(_day_url(visit.location, visit.date))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": "New home visit", "active": "day"}
    return render(request, "homecare/stop_form.html", context, status=status)
