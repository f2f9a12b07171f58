"""Nurse shifts and closures pages."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.core.forms_util import add_service_errors
from chairside.scheduling import forms, selectors, services
from chairside.scheduling.checks import closure_reason
from chairside.scheduling.models import Closure
from chairside.scheduling.services.rota import appointments_on
from chairside.scheduling.views.common import where_when
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.roles import Perm

SHIFTS_CSV = export_columns(
    "scheduling:shifts",
    "nurse-shifts-week.csv",
    "Nurse shifts (week)",
    [
        ("date", lambda s: s.date),
        ("day", lambda s: s.date.strftime("%a")),
        ("staff", lambda s: str(s.staff)),
        ("site", lambda s: s.location.name),
        ("starts", lambda s: s.starts.strftime("%H:%M")),
        ("ends", lambda s: s.ends.strftime("%H:%M")),
        ("note", lambda s: s.note),
    ],
)
CLOSURES_CSV = export_columns(
    "scheduling:closures",
    "closures.csv",
    "Closures",
    [
        ("date", lambda r: r[0].date),
        ("where", lambda r: r[0].location.name if r[0].location else "All locations"),
        ("why", lambda r: r[0].reason),
        ("kind", lambda r: r[0].get_kind_display()),
        ("appointments_to_move", lambda r: r[1]),
    ],
)


@require_perm(Perm.SCHEDULE_VIEW)
def shifts(request: OrgRequest) -> HttpResponse:
    location, day = where_when(request)
    monday = day - dt.timedelta(days=day.weekday())
    form = forms.ShiftForm(
        request.POST or None,
        organization=request.organization,
        initial={"location": location, "date": day},
    )
    # Not submit_form: the status follows form.errors (a viewer's POST re-renders with 200).
    if request.method == "POST" and can(request, Perm.SCHEDULE_EDIT) and form.is_valid():
        try:
            made = services.nurse_shift_add(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            skipped = form.cleaned_data["repeat_weeks"] + 1 - len(made)
            closed = f" ({skipped} closed day(s) skipped)" if skipped else ""
            messages.success(request, f"{len(made)} shift(s) added for {made[0].staff}{closed}.")
            return redirect(f"{reverse('scheduling:shifts')}?{request.GET.urlencode()}")
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    grid = selectors.shifts_week(location=location, monday=monday)
    if wants_csv(request) and request.method == "GET":
        week = [s for by_day in grid.values() for day_shifts in by_day.values() for s in day_shifts]
        return csv_response(
            request, SHIFTS_CSV, sorted(week, key=lambda s: (s.date, s.starts, str(s.staff)))
        )
    context = {
        "form": form,
        "location": location,
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "days": [(day, closure_reason(location, day)) for day in days],
        "rows": [
            (nurse, [grid.get(nurse.pk, {}).get(day, []) for day in days])
            for nurse in selectors.nurses(organization=request.organization)
        ],
        "locations": selectors.locations(organization=request.organization),
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
    }
    status = 400 if form.errors else 200
    return render(request, "scheduling/shifts.html", context, status=status)


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def shift_remove(request: OrgRequest, public_id: str) -> HttpResponse:
    shift = selectors.access_shift(organization=request.organization, public_id=public_id)
    result = services.nurse_shift_remove(
        shift=shift, user=request.user, reason=request.POST.get("reason", "")
    )
    messages.success(request, f"Shift removed: {shift}.")
    if result.unassigned:
        messages.warning(
            request, f"{result.unassigned} appointment(s) now have no nurse; assign them."
        )
    query = f"location={shift.location.public_id}&date={shift.date.isoformat()}"
    return redirect(f"{reverse('scheduling:shifts')}?{query}")


@require_perm(Perm.SCHEDULE_VIEW)
def closures(request: OrgRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.ClosureForm(request.POST or None, organization=request.organization)
    # Not submit_form: the status follows form.errors (a viewer's POST re-renders with 200).
    if request.method == "POST" and can(request, Perm.SCHEDULE_EDIT) and form.is_valid():
        try:
            closure = services.closure_add(
                organization=request.organization, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _closed(request, closure)
    rows = [
        (c, appointments_on(request.organization, c.date, c.location))
        for c in selectors.closures(organization=request.organization, since=today)
    ]
    if wants_csv(request) and request.method == "GET":
        return csv_response(request, CLOSURES_CSV, rows)
    context = {
        "form": form,
        "rows": rows,
        "holidays_form": forms.HolidaysForm(initial={"year": today.year + 1}),
        "can_edit": can(request, Perm.SCHEDULE_EDIT),
    }
    return render(request, "scheduling/closures.html", context, status=400 if form.errors else 200)


def _closed(request: OrgRequest, closure: Closure) -> HttpResponse:
    messages.success(request, f"Closed: {closure}.")
    booked = appointments_on(request.organization, closure.date, closure.location)
    if booked:
        messages.warning(request, f"{booked} appointment(s) that day need to be moved.")
    return redirect("scheduling:closures")


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def closure_remove(request: OrgRequest, public_id: str) -> HttpResponse:
    closure = selectors.access_closure(organization=request.organization, public_id=public_id)
    services.closure_remove(closure=closure, user=request.user)
    messages.success(request, f"Reopened: {closure.date:%m/%d/%Y}.")
    return redirect("scheduling:closures")


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def holidays(request: OrgRequest) -> HttpResponse:
    form = forms.HolidaysForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a year between 2000 and 2100.")
        return redirect("scheduling:closures")
    year = form.cleaned_data["year"]
    added = services.holidays_load(organization=request.organization, year=year, user=request.user)
    messages.success(request, f"{added} US federal holiday closures added for {year}.")
    return redirect("scheduling:closures")
