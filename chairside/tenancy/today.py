"""The Today page is assembled from cards each part of Chairside registers.

An app registers a function ``(request) -> list[Card]`` in its AppConfig.ready(); the Today
view (``tenancy.views.today``) shows every card the user's role may see. New modules add cards
without touching tenancy. Tenancy's own card (staff credentials) is at the end.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from chairside.core.registry import Registry
from chairside.tenancy import selectors
from chairside.tenancy.access import can
from chairside.tenancy.models import Organization
from chairside.tenancy.roles import Perm


@dataclass(frozen=True)
class Card:
    title: str
    count: int | str
    url: str = ""
    hint: str = ""
    tone: str = "neutral"  # neutral, good, warn, bad
    perm: Perm | None = None
    order: int = 100


CardProvider = Callable[[HttpRequest], list[Card]]
_PROVIDERS: Registry[CardProvider] = Registry()
register_today_cards = _PROVIDERS.register
# (management company, first day, last day) → {client organization id: its figures}; the
# analytics module registers this month's fees and activity per client.
ClientFigures = Callable[[Any, dt.date, dt.date], dict[int, object]]
_CLIENT_FIGURES: Registry[ClientFigures] = Registry()
register_client_figures = _CLIENT_FIGURES.register


def today_cards(request: HttpRequest) -> list[Card]:
    cards: list[Card] = []
    for provider in _PROVIDERS:
        cards.extend(c for c in provider(request) if c.perm is None or can(request, c.perm))
    return sorted(cards, key=lambda c: c.order)


@dataclass(frozen=True)
class ClientToday:
    """A client organization's Today, as its management company sees it."""

    organization: object
    cards: list[Card]
    figures: object | None  # analytics.selectors.ClientSite for this month


def client_today(request: HttpRequest) -> list[ClientToday]:
    """For a management company: each client organization's cards (its queues, computed in
    that organization) and this month's figures. Empty for any other organization."""
    organization = getattr(request, "organization", None)
    if organization is None or organization.kind != Organization.Kind.MANAGEMENT_COMPANY:
        return []
    figures: dict[int, object] = {}
    today = timezone.localdate()
    for provider in _CLIENT_FIGURES:
        figures.update(provider(organization, dt.date(today.year, today.month, 1), today))
    result = []
    for client in Organization.objects.filter(managed_by=organization).order_by("name"):
        # Each provider reads ``request.organization``: ask it about the client instead.
        proxy = copy.copy(request)
        proxy.organization = client  # type: ignore[attr-defined]
        cards = [c for c in today_cards(proxy) if c.count not in (0, "0")]
        result.append(ClientToday(client, cards, figures.get(client.pk)))
    return result


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
