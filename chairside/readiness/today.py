"""Today card: how many of the next business day's appointments are not ready."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.readiness import selectors
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards


@register_today_cards
def readiness_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.SCHEDULE_VIEW):
        return []
    [next_day] = selectors.business_days(timezone.localdate() + dt.timedelta(days=1), 1)
    not_ready, booked = selectors.not_ready_count(organization=organization, day=next_day)
    return [
        Card(
            title=f"Appointments on {next_day:%a %m/%d} not ready",
            count=f"{not_ready} of {booked}",
            url=reverse("readiness:board"),
            hint="Each names what is missing" if not_ready else "Every one can be treated",
            tone="bad" if not_ready else "good",
            perm=Perm.SCHEDULE_VIEW,
            order=150,
        )
    ]
