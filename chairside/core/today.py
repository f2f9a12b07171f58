"""The Today page is assembled from cards each part of Chairside registers.

An app registers a function ``(request) -> list[Card]`` in its AppConfig.ready(); the Today
view shows every card the user's role may see. New modules add cards without touching core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

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
_PROVIDERS: list[CardProvider] = []


def register_today_cards(provider: CardProvider) -> CardProvider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def today_cards(request: HttpRequest) -> list[Card]:
    from chairside.tenancy.access import can

    cards: list[Card] = []
    for provider in _PROVIDERS:
        cards.extend(c for c in provider(request) if c.perm is None or can(request, c.perm))
    return sorted(cards, key=lambda c: c.order)


@dataclass(frozen=True)
class ClientToday:
    """A client organization's Today, as its management company sees it."""

    organization: object
    cards: list[Card]
    figures: object | None  # analytics.selectors.ClientSite for this month, when installed


def client_today(request: HttpRequest) -> list[ClientToday]:
    """For a management company: each client organization's cards (its queues, computed in
    that organization) and this month's figures. Empty for any other organization."""
    import copy
    import datetime as dt

    from django.utils import timezone

    from chairside.tenancy.models import Organization

    organization = getattr(request, "organization", None)
    if organization is None or organization.kind != Organization.Kind.MANAGEMENT_COMPANY:
        return []
    figures: dict[int, object] = {}
    try:
        from chairside.analytics.selectors import client_sites
    except ImportError:  # pragma: no cover - analytics not installed
        pass
    else:
        today = timezone.localdate()
        start = dt.date(today.year, today.month, 1)
        for row in client_sites(management_company=organization, start=start, end=today):
            figures[row.organization.pk] = row
    result = []
    for client in Organization.objects.filter(managed_by=organization).order_by("name"):
        # Each provider reads ``request.organization``: ask it about the client instead.
        proxy = copy.copy(request)
        proxy.organization = client  # type: ignore[attr-defined]
        cards = [c for c in today_cards(proxy) if c.count not in (0, "0")]
        result.append(ClientToday(client, cards, figures.get(client.pk)))
    return result
