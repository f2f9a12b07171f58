"""Today-page cards from analytics: the planner, for those who plan, and each client's figures
for a management company."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from chairside.analytics.selectors import client_sites, scenarios
from chairside.tenancy.access import can
from chairside.tenancy.roles import Perm
from chairside.tenancy.today import Card, register_client_figures, register_today_cards


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


@register_client_figures
def client_figures(management_company: Any, start: dt.date, end: dt.date) -> dict[int, object]:
    """This month's figures per client organization, for the management company's Today."""
    rows = client_sites(management_company=management_company, start=start, end=end)
    return {row.organization.pk: row for row in rows}
