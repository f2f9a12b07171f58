"""The demo center, "Riverside Infusion Partners": synthetic, made-up data only.

``seeddemo`` runs each step in ``STEPS`` in order; every step is idempotent (it looks rows up
by natural keys before creating them), so running the command twice duplicates nothing.
Each part of Chairside adds its own step module here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    """What earlier steps made, for later steps to build on."""

    organizations: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    staff: dict[str, Any] = field(default_factory=dict)
    payers: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


Step = Callable[[DemoContext], None]


def steps() -> list[Step]:
    # The steps import ``DemoContext`` from this module: they are loaded when first asked for.
    from chairside.demo import (  # noqa: PLC0415
        access,
        access_pipeline,
        analytics,
        billing,
        compliance,
        compounding,
        foundation,
        home_billing,
        home_clinical,
        homecare,
        hospital,
        inventory,
        panel,
        scheduling,
        visits,
    )

    return [
        foundation.seed_organizations,
        foundation.seed_staff,
        foundation.seed_formulary,
        foundation.seed_patients,
        access.seed_referring_providers,
        access.seed_orders,
        access_pipeline.seed_pipeline,
        scheduling.seed_schedule,
        inventory.seed_inventory,
        analytics.seed_planner,
        visits.seed_visits,
        compounding.seed_compounding,
        billing.seed_billing,
        hospital.seed_hospital_department,
        panel.seed_panel,
        homecare.seed_homecare,
        home_clinical.seed_home_clinical,
        home_billing.seed_home_billing,
        compliance.seed_compliance,
    ]
