from __future__ import annotations

from typing import Any

from django.urls import reverse

from chairside.analytics.tests.factories import make_scenario
from chairside.core import testing as f


class TestScenarioExport:
    def test_it_exports_csv(self, admin_client: Any, org: Any) -> None:
        scenario = make_scenario(org, "Ten chairs")
        response = admin_client.get(reverse("analytics:scenario_csv", args=[scenario.public_id]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode()
        assert text.splitlines()[0] == "section,item,value"
        assert "Ten chairs" in text
        assert "Break-even, treatments a month" in text

    def test_it_exports_pdf(self, admin_client: Any, org: Any) -> None:
        scenario = make_scenario(org)
        response = admin_client.get(reverse("analytics:scenario_pdf", args=[scenario.public_id]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")

    def test_it_hides_another_organizations_scenario(
        self, admin_client: Any, other_org: Any
    ) -> None:
        theirs = make_scenario(other_org)
        for name in ("analytics:scenario_csv", "analytics:scenario_pdf"):
            assert admin_client.get(reverse(name, args=[theirs.public_id])).status_code == 404

    def test_it_forbids_a_role_without_reports(self, org: Any) -> None:
        scenario = make_scenario(org)
        nurse = f.login(f.make_user(org, "nurse"))
        url = reverse("analytics:scenario_csv", args=[scenario.public_id])
        assert nurse.get(url).status_code == 403


class TestScenarioCompare:
    def test_it_compares_two_scenarios(self, admin_client: Any, org: Any) -> None:
        a, b = make_scenario(org, "Small", a_chairs="6"), make_scenario(org, "Big", rent="20000")
        response = admin_client.get(
            reverse("analytics:compare"), {"s": [str(a.public_id), str(b.public_id)]}
        )
        assert response.status_code == 200
        assert b"Small" in response.content and b"Big" in response.content

    def test_it_needs_two(self, admin_client: Any, org: Any) -> None:
        a = make_scenario(org)
        response = admin_client.get(reverse("analytics:compare"), {"s": [str(a.public_id)]})
        assert response.status_code == 302

    def test_it_hides_another_organizations_scenario(
        self, admin_client: Any, org: Any, other_org: Any
    ) -> None:
        mine, theirs = make_scenario(org), make_scenario(other_org)
        response = admin_client.get(
            reverse("analytics:compare"), {"s": [str(mine.public_id), str(theirs.public_id)]}
        )
        assert response.status_code == 404
