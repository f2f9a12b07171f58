"""The demo home infusion pharmacy's past days billed per diem on POS 12 claims, one of them
blocked by a delivery without proof; seeding twice bills nothing twice."""

from __future__ import annotations

import pytest

from chairside.billing.models import ChargeLine, Claim, Encounter
from chairside.demo import DemoContext, foundation, home_billing, homecare
from chairside.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def test_it_bills_the_demo_pharmacys_past_days_once() -> None:
    foundation.seed_organizations(DemoContext())
    homecare.seed_homecare(DemoContext())
    home_billing.seed_home_billing(DemoContext())
    org = Organization.objects.get(name=homecare.ORG_NAME)
    encounters = Encounter.objects.filter(organization=org, source=Encounter.Source.HOME)
    counts = (encounters.count(), Claim.objects.filter(organization=org).count())
    assert counts[0] >= 5 and counts[1] == counts[0]
    lines = ChargeLine.objects.filter(organization=org, status="current")
    assert set(lines.values_list("place_of_service", flat=True)) == {"12"}
    assert {"S9500", "S9502", "99601"} <= set(lines.values_list("code", flat=True))
    problems = [[p["code"] for p in c.problems] for c in Claim.objects.filter(organization=org)]
    assert sum(codes == ["delivery_proof"] for codes in problems) == 1
    assert sum(codes == [] for codes in problems) == len(problems) - 1
    home_billing.seed_home_billing(DemoContext())
    assert (encounters.count(), Claim.objects.filter(organization=org).count()) == counts
