"""Today-page cards from the chair: patients in progress, reaction alerts, late reports."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards
from chairside.treatments import pharmacy, selectors
from chairside.treatments.selectors import STARTABLE
from chairside.treatments.services._common import staff_for


@register_today_cards
def visit_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return []
    cards: list[Card] = []
    if can(request, Perm.CLINICAL_EDIT):
        cards.append(_my_patients_card(request, organization))
    if can(request, Perm.PATIENT_VIEW):
        alerts = selectors.open_alerts(organization=organization).count()
        if alerts or can(request, Perm.ORDER_SIGN):
            cards.append(
                Card(
                    title="Infusion reactions: provider needed",
                    count=alerts,
                    url=reverse("treatments:alerts"),
                    hint="Grade 3+ reaction: infusion stopped" if alerts else "No open alerts",
                    tone="bad" if alerts else "good",
                    perm=Perm.PATIENT_VIEW,
                    order=5,
                )
            )
    if can(request, Perm.ACCESS_EDIT):
        cards.append(_late_reports_card(organization))
    if can(request, Perm.INVENTORY_EDIT):
        cards.append(_to_verify_card(organization))
    return cards


def _to_verify_card(organization: Any) -> Card:
    """The pharmacist's way in: booked doses of today and tomorrow not verified yet."""
    count = pharmacy.to_verify_count(organization=organization, today=timezone.localdate())
    return Card(
        title="Doses to verify (today and tomorrow)",
        count=count,
        url=reverse("inventory:queue"),
        hint="Verify the dose and the vials, then prepare" if count else "Every dose verified",
        tone="warn" if count else "good",
        perm=Perm.INVENTORY_EDIT,
        order=395,
    )


def _my_patients_card(request: HttpRequest, organization: Any) -> Card:
    """The nurse's way into the chair-side visits: today's patients and where they are."""
    me = staff_for(request.user, organization) if request.user.is_authenticated else None
    rows = selectors.day_list(organization=organization, day=timezone.localdate(), nurse=me)
    if me is not None and not rows:  # not on today's rota: show the whole floor
        me, rows = None, selectors.day_list(organization=organization, day=timezone.localdate())
    waiting = sum(1 for r in rows if r.visit is None and r.appointment.status in STARTABLE)
    going = sum(1 for r in rows if r.visit is not None and not r.visit.is_signed)
    signed = sum(1 for r in rows if r.visit is not None and r.visit.is_signed)
    return Card(
        title="My patients today" if me else "Patients today",
        count=len(rows) - signed,
        url=reverse("treatments:day") + ("" if me else "?mine=0"),
        hint=f"{waiting} checked in, waiting · {going} visit{'s' if going != 1 else ''} "
        f"in progress · {signed} signed",
        tone="warn" if waiting else "neutral",
        perm=Perm.CLINICAL_EDIT,
        order=10,
    )


def _late_reports_card(organization: Any) -> Card:
    late = selectors.late_reports(organization=organization).count()
    waiting = selectors.reports(organization=organization, status="open").count()
    return Card(
        title="Treatment reports not sent within 24 h",
        count=late,
        url=reverse("treatments:reports"),
        hint=f"{waiting} waiting to be sent · goal: 0 late",
        tone="bad" if late else "good",
        perm=Perm.ACCESS_EDIT,
        order=60,
    )
