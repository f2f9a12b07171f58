"""Today-page cards from scheduling: today's appointments, tomorrow's unconfirmed, no nurse."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.scheduling.selectors import today_counts
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards


@register_today_cards
def schedule_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return []
    today = timezone.localdate()
    counts = today_counts(organization=organization, today=today)
    board = reverse("scheduling:board")
    tomorrow = today + dt.timedelta(days=1)
    no_nurse_day = counts.no_nurse_day or today
    return [
        Card(
            title="Appointments today",
            count=counts.today,
            url=board,
            hint=f"{counts.in_center} checked in or in a chair",
            perm=Perm.SCHEDULE_VIEW,
            order=10,
        ),
        Card(
            title="Unconfirmed appointments tomorrow",
            count=counts.unconfirmed,
            url=f"{board}?date={tomorrow.isoformat()}",
            hint="Call to confirm",
            tone="warn" if counts.unconfirmed else "good",
            perm=Perm.SCHEDULE_VIEW,
            order=11,
        ),
        Card(
            title="Appointments without a nurse (next 7 days)",
            count=counts.no_nurse,
            url=f"{board}?date={no_nurse_day.isoformat()}",
            hint="Assign a nurse on the board",
            tone="bad" if counts.no_nurse_day == today else "warn" if counts.no_nurse else "good",
            perm=Perm.SCHEDULE_VIEW,
            order=12,
        ),
    ]
