"""The demo hospital outpatient department on its own: a month of 837I claims that pyx12
accepts, run twice without duplicating anything."""

from __future__ import annotations

import pytest
from django.apps import apps

from chairside.billing.models import Claim, ClaimExport
from chairside.demo import DemoContext
from chairside.demo.hospital import ORG_NAME, seed_hospital_department
from chairside.rules.billing.x12.x12_validate import validate_x12
from chairside.tenancy.models import Organization


def assert_every_837i_validates(org: Organization) -> None:
    """pyx12 over every 837I file the demo hospital department sent."""
    exports = list(ClaimExport.objects.filter(organization=org))
    assert exports, "the demo hospital department sent no 837I file"
    assert {e.claim_form for e in exports} == {"837I"}
    problems = {e.control_number: validate_x12(e.content) for e in exports}
    assert {n: [str(p) for p in found] for n, found in problems.items() if found} == {}
    sent = Claim.objects.filter(organization=org, exports__isnull=False).distinct().count()
    assert sent == sum(e.claim_count for e in exports) > 0


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "audit"
    }


@pytest.mark.django_db
class TestDemoHospital:
    def test_it_builds_a_month_of_institutional_claims_pyx12_accepts(self) -> None:
        ctx = DemoContext()
        seed_hospital_department(ctx)
        org = Organization.objects.get(name=ORG_NAME)
        assert org.managed_by is not None and org.managed_by.name.endswith("(demo)")
        assert_every_837i_validates(org)
        claims = Claim.objects.filter(organization=org)
        assert claims.count() >= 10
        assert set(claims.values_list("claim_form", flat=True)) == {"837I"}
        assert not claims.filter(state="draft").exists(), list(
            claims.filter(state="draft").values_list("problems", flat=True)[:3]
        )
        modifiers = {i.line.modifiers for c in claims[:5] for i in c.items.select_related("line")}
        assert all(m.endswith("PO") for m in modifiers)
        first = _row_counts()
        seed_hospital_department(DemoContext())
        assert _row_counts() == first
