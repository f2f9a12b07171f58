"""Today card: patients who asked, through a reminder's link, to reschedule."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from chairside.reminders.selectors import open_reschedule_requests
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards


@register_today_cards
def reschedule_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.SCHEDULE_VIEW):
        return []
    waiting = open_reschedule_requests(organization=organization).count()
    return [
        Card(
            title="Patients asking to reschedule",
            count=waiting,
            url=reverse("reminders:requests"),
            hint="Call them and move the booking" if waiting else "No requests waiting",
            tone="warn" if waiting else "good",
            perm=Perm.SCHEDULE_VIEW,
            order=155,
        )
    ]
