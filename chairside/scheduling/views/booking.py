"""Booking pages: book one dose, find a slot for an order, book a whole series."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.selectors import access_order
from chairside.core.forms_util import add_service_errors
from chairside.patients.selectors import patient_search
from chairside.scheduling import forms, selectors, services, slots
from chairside.scheduling.views.common import board_url, combine
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Chair
from chairside.tenancy.roles import Perm


def _book_initial(request: OrgRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"nurse": services.AUTO, "order": request.GET.get("order")}
    try:
        chair_id = uuid.UUID(request.GET.get("chair", ""))
    except ValueError:
        pass
    else:
        chairs = selectors.chairs(organization=request.organization)
        if chairs.filter(public_id=chair_id).exists():
            initial["chair"] = chair_id
    try:
        start = dt.datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return initial
    initial.update(date=start.date(), time=start.time().replace(tzinfo=None))
    return initial


def _book(request: OrgRequest, form: forms.BookForm) -> services.Booked:
    data = form.cleaned_data
    order = access_order(organization=request.organization, public_id=data["order"])
    chair: Chair = data["chair"]
    start = combine(data["date"], data["time"], chair.location)
    return services.appointment_book(
        organization=request.organization,
        user=request.user,
        order=order,
        chair=chair,
        start=start,
        nurse=forms.resolve_nurse(request.organization, data["nurse"]),
        minutes=data["minutes"],
        earliest_start=data["earliest"] and combine(data["date"], data["earliest"], chair.location),
        latest_end=data["latest"] and combine(data["date"], data["latest"], chair.location),
        override_reason=data["override_reason"],
        notes=data["notes"],
    )


@require_perm(Perm.SCHEDULE_EDIT)
def book(request: OrgRequest) -> HttpResponse:
    form = forms.BookForm(
        request.POST or None, organization=request.organization, initial=_book_initial(request)
    )
    # Not submit_form: a booking also flashes each of its warnings.
    if request.method == "POST" and form.is_valid():
        try:
            booked = _book(request, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Booked: {services.describe(booked.appointment)}.")
            for warning in booked.warnings:
                messages.warning(request, warning)
            a = booked.appointment
            url = board_url(a.location, a.local_start().date())
            return redirect(f"{url}&appointment={a.public_id}")
    order = _chosen_order(request, form)
    context = {"form": form, "order": order, "can_override": can(request, Perm.AUTH_OVERRIDE)}
    return render(request, "scheduling/book.html", context, status=400 if form.errors else 200)


def _chosen_order(request: OrgRequest, form: forms.BookForm) -> TreatmentOrder | None:
    try:
        value = uuid.UUID(str(form["order"].value()))
    except ValueError:
        return None
    return selectors.order_to_book(organization=request.organization, public_id=value)


@require_perm(Perm.SCHEDULE_VIEW)
def order_picker(request: OrgRequest) -> HttpResponse:
    """Active orders of the patients matching the search, to book or find a slot for."""
    query = request.GET.get("q", "").strip()
    patients = (
        list(patient_search(organization=request.organization, query=query)[:8]) if query else []
    )
    orders = selectors.active_orders_of(organization=request.organization, patients=patients)
    context = {"orders": orders, "query": query, "target": request.GET.get("target", "book")}
    return render(request, "scheduling/_order_picker.html", context)


@require_perm(Perm.SCHEDULE_VIEW)
def find_slot(request: OrgRequest, public_id: str) -> HttpResponse:
    order = access_order(organization=request.organization, public_id=public_id)
    location = order.location or selectors.access_location(organization=request.organization)
    defaults = {"location": str(location.public_id), "from_date": timezone.localdate()}
    data = request.GET if "from_date" in request.GET else defaults
    form = forms.FindSlotForm(data, organization=request.organization)
    search = None
    if form.is_valid():
        after, before = form.window()
        search = slots.find_slots(
            order=order,
            location=form.cleaned_data["location"],
            from_date=form.cleaned_data["from_date"],
            after=after,
            before=before,
        )
    context = {
        "order": order,
        "form": form,
        "search": search,
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
    }
    return render(request, "scheduling/find_slot.html", context, status=400 if form.errors else 200)
