"""The scenario page shows how break-even and the opening cash are worked out (issue 13.16):
the demo's "open with 8 chairs" plan opened above break-even in month 1 and showed $0 to
fund, as if payers paid on the day of the treatment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from chairside.analytics.plan import compute_plan, default_inputs
from chairside.analytics.tests.factories import make_scenario
from chairside.demo.analytics import SCENARIOS
from tests import factories as f


@pytest.mark.django_db
class TestScenarioWorking:
    def test_the_demo_opening_needs_cash_before_payers_pay(self) -> None:
        plan = compute_plan({**default_inputs(), **SCENARIOS["Open with 8 chairs (demo)"][1]})
        assert plan.month_reached == 1  # on paper the opening month already covers its costs
        # Nothing is collected in month 1 (payers pay 35 days later): its fixed costs at least
        # must be funded.
        assert plan.ramp_cash[0].collected == 0
        assert plan.cash_for_ramp >= plan.fixed_total > 0

    def test_the_page_shows_the_arithmetic(self, org: Any) -> None:
        scenario = make_scenario(org, "Open", **SCENARIOS["Open with 8 chairs (demo)"][1])
        plan = compute_plan(scenario.inputs)
        client = f.login(f.make_user(org, "coordinator"))
        response = client.get(reverse("analytics:scenario", args=[scenario.public_id]))
        html = response.content.decode()
        assert "How break-even and the opening cash are worked out" in html
        ratio = (plan.fixed_total / plan.margin_per_treatment).quantize(Decimal("0.01"))
        assert f"= {ratio}, rounded up: <b>{plan.break_even} treatments a month</b>" in html
        assert "only drive the day simulation" in html
        assert f"${plan.cash_for_ramp:,.0f}" in html
