"""Shared helpers of the schedule pages: which location and day, the board's context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from chairside.core.dates import in_range
from chairside.scheduling import forms, selectors
from chairside.scheduling.events import appointment_panel_facts
from chairside.scheduling.models import Appointment
from chairside.tenancy.access import OrgRequest, can
from chairside.tenancy.models import Location
from chairside.tenancy.roles import Perm


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return day if in_range(day) else default


def where_when(request: OrgRequest) -> tuple[Location, dt.date]:
    """The location (``?location=``, else the first) and day (``?date=``, else today)."""
    try:
        location = selectors.access_location(
            organization=request.organization,
            public_id=request.GET.get("location") or None,
            user=request.user,
        )
    except Location.DoesNotExist:
        raise Http404("Add a location first (Admin → Sites and chairs).") from None
    except ValidationError:
        raise Http404("No such location.") from None
    today = timezone.localtime(timezone.now(), location.tz).date()
    if not request.GET.get("date"):
        # Closed today (a Sunday, a holiday): the coordinator is preparing the next open day.
        return location, selectors.next_open_day(location, today)
    return location, parse_day(request.GET.get("date"), today)


def combine(day: dt.date, time: dt.time, location: Location) -> dt.datetime:
    """A date and a wall-clock time at the location, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=location.tz)


def board_url(location: Location, day: dt.date) -> str:
    return f"{reverse('scheduling:board')}?location={location.public_id}&date={day.isoformat()}"


def panel_context(request: OrgRequest, appointment: Appointment, **extra: Any) -> dict[str, Any]:
    history = list(appointment.rescheduled_to.all()) if appointment.pk else []
    return {
        "appointment": appointment,
        "move_form": extra.pop("move_form", None) or forms.MoveForm(appointment=appointment),
        "cancel_form": extra.pop("cancel_form", None) or forms.CancelForm(),
        "no_show_form": extra.pop("no_show_form", None) or forms.NoShowForm(),
        "rescheduled_to": history,
        **appointment_panel_facts(appointment),
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
        "done": extra.pop("done", ""),
        "errors": extra.pop("errors", []),
        "warnings": extra.pop("warnings", []),
        "is_today": appointment.local_start().date()
        == timezone.localtime(timezone.now(), appointment.location.tz).date(),
        "started": appointment.start <= timezone.now(),
        **extra,
    }


def board_context(
    request: OrgRequest, location: Location, day: dt.date, **extra: Any
) -> dict[str, Any]:
    board = selectors.day_board(location=location, day=day)
    return {
        "board": board,
        "location": location,
        "day": day,
        "today": timezone.localtime(timezone.now(), location.tz).date(),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "locations": selectors.locations(organization=request.organization),
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
        "nurse_form": forms.NurseForm(organization=request.organization),
        **extra,
    }


def after_action(
    request: OrgRequest,
    appointment: Appointment,
    *,
    done: str = "",
    warnings: tuple[str, ...] = (),
    error: ValidationError | None = None,
    **forms_with_errors: Any,
) -> HttpResponse:
    """The board of the appointment's day with its panel: on htmx a partial, else a redirect.

    A refusal comes back as 422 with the service's messages in the panel (htmx swaps 422
    on schedule pages; see board.html).
    """
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=appointment.public_id
    )
    location, day = appointment.location, appointment.local_start().date()
    if not request.htmx:
        for message in error.messages if error else []:
            messages.error(request, message)
        if done:
            messages.success(request, done)
        for warning in warnings:
            messages.warning(request, warning)
        return redirect(board_url(location, day) + f"&appointment={appointment.public_id}")
    panel = panel_context(
        request,
        appointment,
        done=done,
        warnings=list(warnings),
        errors=error.messages if error else [],
    )
    panel.update(forms_with_errors)
    context = board_context(request, location, day, panel=panel)
    return render(request, "scheduling/_board.html", context, status=422 if error else 200)
