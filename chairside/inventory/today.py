"""Today-page cards from inventory: lots about to expire, drugs short for booked doses."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.inventory import selectors
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_today_cards

SHORT_HORIZON_DAYS = 14
# The forecast of every site is the Today page's costliest read; like the booking's stock
# warning (inventory.booking.STOCK_CACHE_SECONDS) the card may lag a delivery by minutes.
SHORT_CACHE_SECONDS = 300


def _short_names(organization: Any, today: Any) -> list[str]:
    key = f"inventory:today-short:{organization.public_id}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    short = selectors.short_drugs(organization=organization, days=SHORT_HORIZON_DAYS)
    names = sorted({row.drug.generic_name for _, row, _ in short})
    cache.set(key, names, SHORT_CACHE_SECONDS)
    return names


@register_today_cards
def inventory_cards(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.INVENTORY_VIEW):
        return []
    today = timezone.localdate()
    lots = selectors.expiring_lots(organization=organization, today=today)
    expiring = lots.count()  # counted in the database: the card shows numbers, not lots
    expired = lots.filter(expires_on__lt=today).count()
    names = _short_names(organization, today)
    return [
        Card(
            title=f"Lots expiring within {selectors.EXPIRY_WARNING_DAYS} days",
            count=expiring,
            url=reverse("inventory:expiring"),
            hint=f"{expired} already expired on the shelf" if expired else "Use these first",
            tone="bad" if expired else ("warn" if expiring else "good"),
            perm=Perm.INVENTORY_VIEW,
            order=400,
        ),
        Card(
            title=f"Drugs short for appointments in the next {SHORT_HORIZON_DAYS} days",
            count=len(names),
            url=reverse("inventory:forecast"),
            hint=", ".join(names[:4]) if names else "Stock covers every booked dose",
            tone="bad" if names else "good",
            perm=Perm.INVENTORY_VIEW,
            order=410,
        ),
    ]
