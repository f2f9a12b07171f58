from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.analytics import services
from chairside.analytics.tests.factories import make_scenario
from tests import factories as f


class TestScenarioSimulate:
    def test_it_stores_both_scenarios_results(self, org: Any, admin_user: Any) -> None:
        scenario = make_scenario(org, sim_days="5", patients_per_day="20")
        result = services.scenario_simulate(scenario=scenario, user=admin_user)
        assert result.simulated_at is not None
        assert result.simulation["a"]["days"] == 5
        assert result.simulation["b"]["wait_minutes"]["p50"] >= 0

    def test_the_page_returns_the_results_partial(self, admin_client: Any, org: Any) -> None:
        scenario = make_scenario(org, sim_days="5", patients_per_day="20")
        url = reverse("analytics:simulate", args=[scenario.public_id])
        response = admin_client.post(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert b"p10 / p50 / p90" in response.content
        assert b"<html" not in response.content

    def test_it_explains_a_day_without_a_nurse(self, admin_client: Any, org: Any) -> None:
        scenario = make_scenario(org, sim_days="5")
        scenario.inputs["b_day_nurses"] = "0"  # stored before the rule existed, say
        scenario.save()
        url = reverse("analytics:simulate", args=[scenario.public_id])
        response = admin_client.post(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 400
        assert b"no nurse is on duty" in response.content
        scenario.refresh_from_db()
        assert (scenario.simulation, scenario.simulated_at) == ({}, None)

    def test_it_forbids_a_reader(self, org: Any) -> None:
        scenario = make_scenario(org, sim_days="5")
        auditor = f.login(f.make_user(org, "auditor"))
        url = reverse("analytics:simulate", args=[scenario.public_id])
        assert auditor.post(url).status_code == 403
        scenario.refresh_from_db()
        assert (scenario.simulation, scenario.simulated_at) == ({}, None)

    def test_it_hides_another_organizations_scenario(
        self, admin_client: Any, other_org: Any
    ) -> None:
        theirs = make_scenario(other_org, sim_days="5")
        url = reverse("analytics:simulate", args=[theirs.public_id])
        assert admin_client.post(url).status_code == 404
        theirs.refresh_from_db()
        assert (theirs.simulation, theirs.simulated_at) == ({}, None)
