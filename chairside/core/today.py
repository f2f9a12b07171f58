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
