"""The day board and what a coordinator does from it: check in, move, cancel, no-show."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from chairside.core.models import BackgroundJob
from chairside.scheduling import forms, selectors, services
from chairside.scheduling.services.optimize import fingerprint
from chairside.scheduling.views.common import (
    after_action,
    board_context,
    combine,
    panel_context,
    where_when,
)
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Chair
from chairside.tenancy.roles import Perm

STATUS_ACTIONS = {
    "confirm": (services.appointment_confirm, "Confirmed."),
    "check_in": (services.appointment_check_in, "Checked in."),
    "seat": (services.appointment_seat, "In the chair."),
    "complete": (services.appointment_complete, "Completed."),
}


@require_perm(Perm.SCHEDULE_VIEW)
def board(request: OrgRequest) -> HttpResponse:
    location, day = where_when(request)
    panel = None
    if request.GET.get("appointment"):
        try:
            appointment = selectors.access_appointment(
                organization=request.organization, public_id=request.GET["appointment"]
            )
        except ValidationError:  # a mangled link: show the day without the panel
            raise Http404("No such appointment.") from None
        panel = panel_context(request, appointment)
    context = board_context(
        request, location, day, panel=panel, optimize_job=optimize_job(request, location, day)
    )
    template = "scheduling/_board.html" if request.htmx else "scheduling/board.html"
    return render(request, template, context)


def optimize_job(request: OrgRequest, location: Any, day: Any) -> BackgroundJob | None:
    """The day's optimizer job started in the last half hour and still worth showing (running,
    or done for the day as it still is), so a coordinator who left the page finds it again."""
    if not can(request, Perm.SCHEDULE_EDIT):
        return None
    job = selectors.recent_optimize_job(
        organization=request.organization, location=location, day=day
    )
    if job is None or job.status == BackgroundJob.Status.FAILED:
        return None
    if job.status == BackgroundJob.Status.DONE and job.result.get("fingerprint") != fingerprint(
        location, day
    ):
        return None  # applied, or the day changed since: the proposal no longer holds
    return job


@require_perm(Perm.SCHEDULE_VIEW)
def appointment_panel(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    panel = panel_context(request, appointment)
    return render(request, "scheduling/_panel.html", {"panel": panel, "appointment": appointment})


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def appointment_status(request: OrgRequest, public_id: str, action: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    if action not in STATUS_ACTIONS:
        return HttpResponse("Unknown action.", status=400)
    service, done = STATUS_ACTIONS[action]
    try:
        service(appointment=appointment, user=request.user)
    except ValidationError as exc:
        return after_action(request, appointment, error=exc)
    return after_action(request, appointment, done=done)


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def appointment_cancel(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    form = forms.CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose why the appointment is cancelled.")
        services.appointment_cancel(appointment=appointment, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return after_action(request, appointment, error=exc, cancel_form=form)
    return after_action(request, appointment, done="Cancelled; the chair is free.")


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def appointment_no_show(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    form = forms.NoShowForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose why the patient did not come.")
        services.appointment_mark_no_show(
            appointment=appointment, user=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        return after_action(request, appointment, error=exc, no_show_form=form)
    return after_action(request, appointment, done="Recorded as a no-show.")


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def appointment_move(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    form = forms.MoveForm(request.POST, appointment=appointment)
    try:
        if not form.is_valid():
            raise ValidationError("Check the date, time, chair and minutes.")
        booked = services.appointment_move(
            appointment=appointment, user=request.user, **_move(form)
        )
    except ValidationError as exc:
        return after_action(request, appointment, error=exc, move_form=form)
    return after_action(request, booked.appointment, done="Moved.", warnings=booked.warnings)


def _move(form: forms.MoveForm) -> dict[str, Any]:
    data = form.cleaned_data
    chair: Chair = data["chair"]
    return {
        "start": combine(data["date"], data["time"], chair.location),
        "chair": chair,
        "nurse": forms.resolve_nurse(chair.location.organization, data["nurse"]),
        "minutes": data["minutes"],
        "reason": data["reason"],
        "override_reason": data["override_reason"],
    }


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def appointment_nurse(request: OrgRequest, public_id: str) -> HttpResponse:
    appointment = selectors.access_appointment(
        organization=request.organization, public_id=public_id
    )
    form = forms.NurseForm(request.POST, organization=request.organization)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a nurse.")
        nurse = forms.resolve_nurse(request.organization, form.cleaned_data["nurse"])
        services.appointment_assign_nurse(appointment=appointment, user=request.user, nurse=nurse)
    except ValidationError as exc:
        return after_action(request, appointment, error=exc)
    return after_action(request, appointment, done="Nurse assigned.")
