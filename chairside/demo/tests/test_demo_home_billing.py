"""The demo home infusion pharmacy's past days billed per diem on POS 12 claims, one of them
blocked by a delivery without proof; seeding twice bills nothing twice."""

from __future__ import annotations

import pytest

from chairside.billing.models import ChargeLine, Claim, Encounter, PayerContract
from chairside.demo import DemoContext, foundation, home_billing, home_suite, homecare
from chairside.homecare.models import HomeVisit
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
    # Home days on POS 12; the suite days on the contract's POS 49 (the test below).
    assert set(lines.values_list("place_of_service", flat=True)) == {"12", "49"}
    assert {"S9500", "S9502", "99601"} <= set(lines.values_list("code", flat=True))
    problems = [[p["code"] for p in c.problems] for c in Claim.objects.filter(organization=org)]
    assert sum(codes == ["delivery_proof"] for codes in problems) == 1
    assert sum(codes == [] for codes in problems) == len(problems) - 1
    home_billing.seed_home_billing(DemoContext())
    assert (encounters.count(), Claim.objects.filter(organization=org).count()) == counts


def test_it_bills_the_demo_suite_visits_by_the_payers_suite_terms() -> None:
    foundation.seed_organizations(DemoContext())
    homecare.seed_homecare(DemoContext())
    home_billing.seed_home_billing(DemoContext())
    org = Organization.objects.get(name=homecare.ORG_NAME)
    contract = PayerContract.objects.get(organization=org, payer__name=home_suite.SUITE_PAYER)
    assert (contract.suite_place_of_service, contract.suite_nursing) == ("49", "billed")
    assert contract.is_demo and "DEMO" in contract.notes
    suite = HomeVisit.objects.filter(organization=org, setting=HomeVisit.Setting.SUITE)
    assert suite.count() == home_suite.SUITE_VISITS
    assert all(v.signed_at and v.arrived_at and v.nurse and v.nurse.user_id for v in suite)
    lines = ChargeLine.objects.filter(organization=org, status="current")
    for visit in suite:
        day = lines.filter(encounter__patient=visit.patient, date_of_service=visit.date)
        per_diem = day.get(code__startswith="S")
        assert per_diem.modifier_list == ("SS",) and per_diem.place_of_service == "49"
        nursing = day.get(code="99601")
        assert nursing.modifier_list == ("SS",) and nursing.place_of_service == "49"
    # Only the suite days carry SS: every SS line is on a suite visit's day.
    suite_days = {(v.patient_id, v.date) for v in suite}
    ss = lines.filter(modifiers__contains="SS")
    assert {(line.encounter.patient_id, line.date_of_service) for line in ss} == suite_days
    assert set(ss.values_list("place_of_service", flat=True)) == {"49"}
    others = [
        line
        for line in lines
        if (line.encounter.patient_id, line.date_of_service) not in suite_days
    ]
    assert {line.place_of_service for line in others} == {"12"}
