"""The demo's accreditation evidence: at the main suite and the home-infusion pharmacy one
finding of each kind (a licence expiring soon, an overdue check-off, a missing policy
acknowledgement, an excursion without follow-up, an open incident); seeding twice
duplicates nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chairside.compliance.models import (
    PolicyAcknowledgement,
    SkillCheckoff,
    StaffLicence,
    TemperatureReading,
)
from chairside.compliance.selectors import evidence
from chairside.demo import DemoContext, compliance, foundation, homecare

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (StaffLicence, SkillCheckoff, PolicyAcknowledgement, TemperatureReading)
    )


def test_it_seeds_one_finding_of_each_kind_in_both_organizations_once() -> None:
    ctx = DemoContext()
    foundation.seed_organizations(ctx)
    foundation.seed_staff(ctx)
    homecare.seed_homecare(ctx)
    compliance.seed_compliance(ctx)
    first = _counts()
    compliance.seed_compliance(ctx)
    assert _counts() == first
    today = timezone.localdate()
    for key in ("main", "homecare"):
        location = ctx.locations[key]
        sections = evidence(
            organization=location.organization,
            location=location,
            start=today - dt.timedelta(days=30),
            end=today,
            today=today,
        )
        flagged = {s.key: s.flagged for s in sections}
        assert {k: flagged[k] for k in ("skills", "policies", "temperatures", "incidents")} == {
            "skills": 1,
            "policies": 1,
            "temperatures": 1,
            "incidents": 1,
        }, key
        assert flagged["licences"] == 1, key
        fridge = {s.key: s for s in sections}["temperatures"].rows[0]
        assert fridge.readings >= 58 and fridge.device.name.endswith("(demo)")
