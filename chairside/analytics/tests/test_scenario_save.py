from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chairside.analytics import services
from chairside.analytics.models import PlanScenario
from chairside.analytics.plan import default_inputs
from chairside.analytics.tests.factories import form_data, make_scenario
from chairside.audit.models import AuditEvent
from tests import factories as f


class TestScenarioSaveService:
    def test_it_creates_and_audits(self, org: Any, admin_user: Any) -> None:
        scenario = services.scenario_save(
            organization=org, user=admin_user, name="Ten chairs", inputs=default_inputs()
        )
        event = AuditEvent.objects.get(object_id=scenario.public_id)
        assert event.action == "create"
        assert event.user == admin_user

    def test_it_rejects_a_payer_mix_that_is_not_100_percent(
        self, org: Any, admin_user: Any
    ) -> None:
        inputs = {**default_inputs(), "medicare_share": "50"}
        with pytest.raises(ValidationError, match="add up to 105.00%"):
            services.scenario_save(organization=org, user=admin_user, name="X", inputs=inputs)
        assert not PlanScenario.objects.exists()

    def test_it_rejects_a_duplicate_name_in_the_organization(
        self, org: Any, other_org: Any, admin_user: Any
    ) -> None:
        make_scenario(org, "Base case")
        make_scenario(other_org, "Elsewhere")
        with pytest.raises(ValidationError, match="already exists"):
            services.scenario_save(
                organization=org, user=admin_user, name="base CASE", inputs=default_inputs()
            )
        services.scenario_save(
            organization=org, user=admin_user, name="Elsewhere", inputs=default_inputs()
        )

    def test_it_forgets_the_simulation_when_inputs_change(self, org: Any, admin_user: Any) -> None:
        scenario = make_scenario(org)
        scenario.simulation = {"a": {}, "b": {}}
        scenario.save()
        services.scenario_save(
            organization=org,
            user=admin_user,
            name=scenario.name,
            inputs={**scenario.inputs, "a_chairs": "9"},
            scenario=scenario,
        )
        scenario.refresh_from_db()
        assert scenario.simulation == {}


class TestScenarioPages:
    def test_it_saves_a_scenario_and_shows_the_plan(self, admin_client: Any, org: Any) -> None:
        response = admin_client.post(reverse("analytics:scenario_create"), form_data())
        scenario = PlanScenario.objects.get(organization=org, name="Ten chairs")
        assert response.status_code == 302
        page = admin_client.get(reverse("analytics:scenario", args=[scenario.public_id]))
        assert page.status_code == 200
        assert b"Chairs needed" in page.content
        assert b"Wallin MT" in page.content  # the MS prevalence source is shown

    def test_it_shows_what_is_wrong_and_saves_nothing(self, admin_client: Any, org: Any) -> None:
        data = form_data(commercial_share="60")
        response = admin_client.post(reverse("analytics:scenario_create"), data)
        assert response.status_code == 400
        assert "not 100%" in response.content.decode()
        assert not PlanScenario.objects.exists()

    def test_it_rejects_a_negative_rent(self, admin_client: Any) -> None:
        response = admin_client.post(reverse("analytics:scenario_create"), form_data(rent="-5"))
        assert response.status_code == 400
        assert not PlanScenario.objects.exists()

    def test_it_forbids_a_role_that_may_not_plan(self, coordinator_client: Any, org: Any) -> None:
        assert coordinator_client.get(reverse("analytics:scenario_create")).status_code == 403
        response = coordinator_client.post(reverse("analytics:scenario_create"), form_data())
        assert response.status_code == 403
        assert not PlanScenario.objects.exists()

    def test_it_hides_another_organizations_scenario(
        self, admin_client: Any, other_org: Any
    ) -> None:
        theirs = make_scenario(other_org)
        for name in ("analytics:scenario", "analytics:scenario_edit"):
            assert admin_client.get(reverse(name, args=[theirs.public_id])).status_code == 404

    def test_it_deletes_a_scenario(self, admin_client: Any, org: Any) -> None:
        scenario = make_scenario(org)
        response = admin_client.post(
            reverse("analytics:scenario_delete", args=[scenario.public_id])
        )
        assert response.status_code == 302
        assert not PlanScenario.objects.exists()
        assert AuditEvent.objects.filter(action="delete", object_id=scenario.public_id).exists()

    def test_a_reader_sees_the_planner_but_cannot_change_it(self, org: Any) -> None:
        scenario = make_scenario(org)
        auditor = f.login(f.make_user(org, "auditor"))
        assert auditor.get(reverse("analytics:planner")).status_code == 200
        page = auditor.get(reverse("analytics:scenario", args=[scenario.public_id]))
        assert page.status_code == 200
        assert b"Change assumptions" not in page.content
        url = reverse("analytics:scenario_delete", args=[scenario.public_id])
        assert auditor.post(url).status_code == 403
        assert PlanScenario.objects.filter(pk=scenario.pk).exists()
