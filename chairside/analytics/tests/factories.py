"""Factories for analytics tests."""

from __future__ import annotations

from typing import Any

from chairside.analytics.models import PlanScenario
from chairside.analytics.plan import default_inputs


def make_scenario(org: Any, name: str = "Base case", **inputs: str) -> PlanScenario:
    return PlanScenario.objects.create(
        organization=org, name=name, inputs={**default_inputs(), **inputs}
    )


def form_data(name: str = "Ten chairs", **changes: str) -> dict[str, str]:
    """What the scenario form posts: every input, as the page would send it."""
    return {"name": name, "notes": "", **default_inputs(), **changes}
