"""Demo step: two planner scenarios and the management fee of the demo practice (demo data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from chairside.analytics.models import ManagementFeeTerms, PlanScenario
from chairside.analytics.plan import default_inputs
from chairside.demo import DemoContext

SCENARIOS = {
    "Open with 8 chairs (demo)": (
        "Demo: a first suite for the practice's own panel; illustrative costs.",
        {
            "adult_population": "800000",
            "patients_per_day": "18",
            "a_chairs": "6",
            "b_chairs": "8",
        },
    ),
    "Grow to 12 chairs with a late shift (demo)": (
        "Demo: a bigger catchment; B adds a late nurse and stays open until 19:00.",
        {
            "adult_population": "1500000",
            "patients_per_day": "34",
            "rent": "14000",
            "a_chairs": "10",
            "a_day_nurses": "3",
            "b_chairs": "12",
            "b_day_nurses": "3",
            "b_evening_nurses": "1",
        },
    ),
}


@transaction.atomic
def seed_planner(ctx: DemoContext) -> None:
    riverside = ctx.organizations["riverside"]
    admin = ctx.users.get("admin")
    for name, (notes, changes) in SCENARIOS.items():
        PlanScenario.objects.get_or_create(
            organization=riverside,
            name=name,
            defaults={
                "notes": notes,
                "inputs": {**default_inputs(), **changes},
                "created_by": admin,
            },
        )
    ManagementFeeTerms.objects.get_or_create(
        client=riverside,
        defaults={
            "basis": ManagementFeeTerms.Basis.PER_TREATMENT,
            "fee_per_treatment": Decimal("45.00"),
            "effective_from": dt.date(2026, 1, 1),
        },
    )
    ctx.summary.append(f"{len(SCENARIOS)} planner scenarios")
