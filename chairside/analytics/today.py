"""Today-page card from analytics: the planner, for those who plan."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from chairside.analytics.selectors import scenarios
from chairside.core.today import Card, register_today_cards
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm


@register_today_cards
def planner_card(request: HttpRequest) -> list[Card]:
    organization = getattr(request, "organization", None)
    if organization is None or not can(request, Perm.PLANNING_EDIT):
        return []
    return [
        Card(
            title="Planner scenarios (chairs, break-even, capacity)",
            count=scenarios(organization=organization).count(),
            url=reverse("analytics:planner"),
            hint="Compare openings, chair counts and shifts",
            perm=Perm.PLANNING_EDIT,
            order=950,
        )
    ]
