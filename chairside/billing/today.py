"""Billing's cards on the Today page: claims ready to submit, denials running out of time."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.billing.selectors import claims_ready, denials_past_half_window
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card


def billing_today_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.BILLING_VIEW):
        return []  # cards the role cannot see are not counted

    ready = claims_ready(organization=organization).count()
    urgent = len(denials_past_half_window(organization=organization, today=timezone.localdate()))
    home = reverse("billing:home")
    return [
        Card(
            title="Claims ready to submit",
            count=ready,
            url=f"{home}#ready",
            hint="Checked and complete: export them as an 837P file.",
            tone="warn" if ready else "good",
            perm=Perm.BILLING_VIEW,
            order=60,
        ),
        Card(
            title="Denials past half their appeal window",
            count=urgent,
            url=f"{home}#denials",
            hint="Appeal or resolve before the deadline.",
            tone="bad" if urgent else "good",
            perm=Perm.BILLING_VIEW,
            order=61,
        ),
    ]
