"""'Optimize this day': propose moves (nothing written), then apply them if accepted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chairside.core.jobs import job_start
from chairside.core.models import BackgroundJob
from chairside.scheduling import selectors, services
from chairside.scheduling.services.optimize import OPTIMIZE_SECONDS, move_value
from chairside.scheduling.services.rearrange import Change
from chairside.scheduling.tasks import optimize_day
from chairside.scheduling.views.common import board_context, where_when
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.roles import Perm


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def optimize(request: OrgRequest) -> HttpResponse:
    """Start the optimizer as a background job; the answer polls it (``optimize_job``)."""
    location, day = where_when(request)
    job = job_start(
        organization=request.organization,
        kind=BackgroundJob.Kind.OPTIMIZE_DAY,
        params={"location": str(location.public_id), "day": day.isoformat()},
        user=request.user,
        task=optimize_day,
    )
    return job_answer(request, job)


@require_perm(Perm.SCHEDULE_EDIT)
def optimize_job(request: OrgRequest, public_id: str) -> HttpResponse:
    job = selectors.access_optimize_job(organization=request.organization, public_id=public_id)
    return job_answer(request, job)


def job_answer(request: OrgRequest, job: BackgroundJob) -> HttpResponse:
    """The job's progress (the partial polls itself), then its proposal or why it failed."""
    if job.status == BackgroundJob.Status.FAILED:
        return render(request, "scheduling/_optimize.html", {"errors": [job.error]}, status=422)
    if job.status != BackgroundJob.Status.DONE:
        return render(request, "scheduling/_optimize_wait.html", {"job": job, **progress(job)})
    try:
        proposal = services.proposal_from_data(organization=request.organization, data=job.result)
    except ValidationError as exc:
        return render(request, "scheduling/_optimize.html", {"errors": exc.messages}, status=422)
    context = {"proposal": proposal, "chart": chart(proposal), "moves": moves(proposal)}
    return render(request, "scheduling/_optimize.html", context)


def progress(job: BackgroundJob) -> dict[str, Any]:
    """How far the solve is, by the clock: the solver stops at its time limit."""
    if job.status != BackgroundJob.Status.RUNNING or job.started_at is None:
        return {"percent": 0}
    elapsed = (timezone.now() - job.started_at).total_seconds()
    return {"percent": min(95, int(100 * elapsed / (OPTIMIZE_SECONDS + 2)))}


def chart(proposal: services.Proposal) -> dict[str, Any]:
    """Chart.js configuration of the occupancy curve before and after (analytics/charts.js)."""
    line = {"stepped": True, "pointRadius": 0, "borderWidth": 2}
    return {
        "type": "line",
        "data": {
            "labels": proposal.labels,
            "datasets": [
                {"label": "As booked", "data": proposal.before, "borderColor": "#8a96a3", **line},
                {"label": "Proposed", "data": proposal.after, "borderColor": "#0f6e6e", **line},
            ],
        },
        "options": {
            "maintainAspectRatio": False,
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": "in chairs"}}},
        },
    }


def moves(proposal: services.Proposal) -> list[dict[str, Any]]:
    """Each move with the value the accept form sends back (``appointment|start|chair|nurse``)."""
    tz = proposal.location.tz
    return [
        {
            "change": c,
            "before_start": c.appointment.start.astimezone(tz),
            "after_start": c.start.astimezone(tz),
            "value": move_value(c),
        }
        for c in proposal.changes
    ]


def _changes(request: OrgRequest) -> list[Change]:
    """The accepted moves: ``appointment|start|chair|nurse`` each, as the proposal wrote them."""
    return services.parse_moves(
        organization=request.organization, values=request.POST.getlist("move")
    )


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def optimize_apply(request: OrgRequest) -> HttpResponse:
    location, day = where_when(request)
    try:
        moved = services.day_optimize_apply(
            location=location,
            day=day,
            user=request.user,
            proposal_fingerprint=request.POST.get("fingerprint", ""),
            changes=_changes(request),
        )
    except ValidationError as exc:
        return render(request, "scheduling/_optimize.html", {"errors": exc.messages}, status=422)
    done = f"Applied the optimizer's proposal: {len(moved)} appointment(s) moved."
    context = board_context(request, location, day, done=done)
    return render(request, "scheduling/_board.html", context)
