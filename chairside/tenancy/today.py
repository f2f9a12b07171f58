"""Today-page cards from settings: staff credentials that need attention."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.core.today import Card, register_today_cards
from chairside.tenancy import selectors
from chairside.tenancy.roles import Perm


@register_today_cards
def credential_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None:
        return []
    rows = selectors.staff_with_flags(organization=organization, today=timezone.localdate())
    flagged = sum(1 for _, flags in rows if flags)
    return [
        Card(
            title="Staff credentials expired or expiring within 60 days",
            count=flagged,
            url=reverse("tenancy:staff"),
            tone="warn" if flagged else "good",
            perm=Perm.STAFF_VIEW,
            order=900,
        )
    ]
