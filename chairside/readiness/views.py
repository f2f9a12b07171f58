"""The readiness board: the coming days' appointments, ready / at risk / not ready."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from chairside.audit.exports import csv_response, export_columns, wants_csv
from chairside.readiness import selectors
from chairside.rules.scheduling.readiness import CHECKS
from chairside.tenancy.access import OrgRequest, can, require_perm
from chairside.tenancy.models import Location
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import sites

DEFAULT_DAYS = 3  # business days ahead, today included
MAX_DAYS = 10

# Where each finding is cleared: the appointment's order, the patient's chart, the board.
ACTIONS = {
    "order": ("referrals:order", "order"),
    "authorization": ("referrals:order", "order"),
    "benefits": ("referrals:order", "order"),
    "labs": ("patients:chart", "patient"),
    "consent": ("patients:chart", "patient"),
    "stock": ("inventory:forecast", None),
    "nurse": ("scheduling:board", None),
    "supervision": ("scheduling:board", None),
    "confirmed": ("scheduling:board", None),
}


def _action_url(check: str, appointment: Any) -> str:
    name, target = ACTIONS.get(check, ("scheduling:board", None))
    if target == "order":
        return reverse(name, args=[appointment.order.public_id])
    if target == "patient":
        return reverse(name, args=[appointment.patient.public_id])
    if name == "scheduling:board":
        day = appointment.start.astimezone(appointment.location.tz).date()
        return (
            f"{reverse(name)}?location={appointment.location.public_id}&date={day.isoformat()}"
            f"&appointment={appointment.public_id}"
        )
    return reverse(name)


def _chosen(locations: Any, site: str) -> Location | None:
    """The site picked in the filter; None for all sites or a mangled id."""
    try:
        return locations.filter(public_id=uuid.UUID(site)).first() if site else None
    except ValueError:
        return None


BOARD_CSV = export_columns(
    "readiness:board",
    "readiness.csv",
    "Readiness board",
    [
        ("start", lambda r: r.appointment.start),
        ("site", lambda r: r.appointment.location.name),
        ("patient", lambda r: r.appointment.patient.full_name),
        ("mrn", lambda r: r.appointment.patient.mrn),
        ("drug", lambda r: r.appointment.order.drug.generic_name),
        ("dose_number", lambda r: r.appointment.dose_number),
        ("readiness", lambda r: r.label),
        ("findings", lambda r: "; ".join(f"{f.label}: {f.message}" for f in r.findings)),
    ],
)


@require_perm(Perm.SCHEDULE_VIEW)
def board(request: OrgRequest) -> HttpResponse:
    try:
        days = max(1, min(int(request.GET.get("days", DEFAULT_DAYS)), MAX_DAYS))
    except ValueError:
        days = DEFAULT_DAYS
    locations = sites(organization=request.organization, active_only=True)
    location = _chosen(locations, request.GET.get("site", ""))
    today = timezone.localdate()
    groups = selectors.readiness_rows(
        organization=request.organization,
        days=selectors.business_days(today, days),
        location=location,
    )
    if wants_csv(request):
        return csv_response(request, BOARD_CSV, [row for group in groups for row in group.rows])
    for group in groups:
        for row in group.rows:
            row.links = [(f, _action_url(f.check, row.appointment)) for f in row.findings]  # type: ignore[attr-defined]
    context = {
        "groups": groups,
        "days": days,
        "day_choices": range(1, MAX_DAYS + 1),
        "locations": locations,
        "location": location,
        "checks": CHECKS,
        "may_reserve": can(request, Perm.INVENTORY_EDIT) or can(request, Perm.SCHEDULE_EDIT),
        "actions": ACTIONS,
    }
    return render(request, "readiness/board.html", context)
