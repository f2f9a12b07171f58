from __future__ import annotations

from typing import Any

from chairside.analytics.models import ManagementFeeTerms, PlanScenario
from chairside.analytics.plan import compute_plan
from chairside.demo import DemoContext
from chairside.demo.analytics import seed_planner


class TestSeedPlanner:
    def test_it_is_idempotent_and_every_demo_plan_computes(self, org: Any) -> None:
        ctx = DemoContext(organizations={"riverside": org})
        seed_planner(ctx)
        seed_planner(ctx)
        assert PlanScenario.objects.filter(organization=org).count() == 2
        assert ManagementFeeTerms.objects.count() == 1
        for scenario in PlanScenario.objects.all():
            plan = compute_plan(scenario.inputs)
            assert plan.capacity.chairs >= 1
            assert plan.break_even is not None
