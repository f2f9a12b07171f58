"""Book a treatment course: every dose date of the regimen, checked, then booked together."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.selectors import access_order
from chairside.rules.scheduling.booking import us_date
from chairside.scheduling import forms, selectors, services, slots
from chairside.scheduling.views.common import board_url
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Chair
from chairside.tenancy.roles import Perm


def _form(request: OrgRequest, order: TreatmentOrder) -> forms.SeriesForm:
    location = order.location or selectors.access_location(organization=request.organization)
    weekday = order.first_dose_on.weekday() if order.first_dose_on else ""
    defaults = {"location": str(location.public_id), "weekday": str(weekday), "time": "09:00"}
    data = request.GET if "time" in request.GET else defaults
    return forms.SeriesForm(data, organization=request.organization)


def _proposals(order: TreatmentOrder, form: forms.SeriesForm) -> list[slots.SeriesDose]:
    return slots.series_propose(
        order=order,
        location=form.cleaned_data["location"],
        at=form.cleaned_data["time"],
        weekday=form.weekday_number(),
        first_on=form.cleaned_data.get("first_on"),
    )


def _items(request: OrgRequest) -> list[services.SeriesItem]:
    """The ticked doses: ``number|start|chair`` each, as the proposal page wrote them."""
    items = []
    for value in request.POST.getlist("dose"):
        try:
            number, start, chair_id = value.split("|")
            chair = selectors.chair_with_site(organization=request.organization, public_id=chair_id)
            items.append(services.SeriesItem(int(number), dt.datetime.fromisoformat(start), chair))
        except (ValueError, Chair.DoesNotExist):
            raise ValidationError("A chosen dose could not be read; reload the page.") from None
    return items


@require_perm(Perm.SCHEDULE_VIEW)
def series(request: OrgRequest, public_id: str) -> HttpResponse:
    order = access_order(organization=request.organization, public_id=public_id)
    form = _form(request, order)
    doses: list[slots.SeriesDose] = []
    errors: list[str] = []
    if request.method == "POST" and can(request, Perm.SCHEDULE_EDIT):
        try:
            booked = services.series_book(
                organization=request.organization,
                user=request.user,
                order=order,
                items=_items(request),
                override_reason=request.POST.get("override_reason", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return _booked(request, booked)
    try:
        if form.is_valid():
            doses = _proposals(order, form)
    except ValidationError as exc:
        errors += exc.messages
    context: dict[str, Any] = {
        "order": order,
        "form": form,
        "doses": doses,
        "errors": errors,
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
        "can_override": can(request, Perm.AUTH_OVERRIDE),
    }
    submitted = request.method == "POST" or "time" in request.GET
    status = 400 if submitted and (errors or form.errors) else 200
    return render(request, "scheduling/series.html", context, status=status)


def _booked(request: OrgRequest, booked: list[services.Booked]) -> HttpResponse:
    first = booked[0].appointment
    dates = ", ".join(us_date(b.appointment.local_start().date()) for b in booked)
    messages.success(request, f"Booked {len(booked)} doses for {first.patient}: {dates}.")
    for warning in {w for b in booked for w in b.warnings}:
        messages.warning(request, warning)
    url = board_url(first.location, first.local_start().date())
    return redirect(f"{url}&appointment={first.public_id}")
