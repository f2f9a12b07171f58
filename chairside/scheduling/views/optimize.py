"""'Optimize this day': propose moves (nothing written), then apply them if accepted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from chairside.scheduling import selectors, services
from chairside.scheduling.services.rearrange import Change
from chairside.scheduling.views.common import board_context, where_when
from chairside.tenancy.access import OrgRequest, require_perm
from chairside.tenancy.models import Chair, StaffMember
from chairside.tenancy.roles import Perm


@require_POST
@require_perm(Perm.SCHEDULE_EDIT)
def optimize(request: OrgRequest) -> HttpResponse:
    location, day = where_when(request)
    try:
        proposal = services.day_optimize_propose(location=location, day=day)
    except ValidationError as exc:
        return render(request, "scheduling/_optimize.html", {"errors": exc.messages}, status=422)
    context = {"proposal": proposal, "chart": chart(proposal), "moves": moves(proposal)}
    return render(request, "scheduling/_optimize.html", context)


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
            "value": "|".join(
                [
                    str(c.appointment.public_id),
                    c.start.isoformat(),
                    str(c.chair.public_id),
                    str(c.nurse.public_id) if c.nurse else "",
                ]
            ),
        }
        for c in proposal.changes
    ]


def _changes(request: OrgRequest) -> list[Change]:
    """The accepted moves: ``appointment|start|chair|nurse`` each, as the proposal wrote them."""
    changes = []
    org = request.organization
    for value in request.POST.getlist("move"):
        try:
            appointment_id, start, chair_id, nurse_id = value.split("|")
            changes.append(
                Change(
                    selectors.access_appointment(organization=org, public_id=appointment_id),
                    dt.datetime.fromisoformat(start),
                    Chair.objects.get(location__organization=org, public_id=chair_id),
                    StaffMember.objects.get(organization=org, public_id=nurse_id)
                    if nurse_id
                    else None,
                )
            )
        except (ValueError, Chair.DoesNotExist, StaffMember.DoesNotExist):
            raise ValidationError(
                "The proposal could not be read; run the optimizer again."
            ) from None
    return changes


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
