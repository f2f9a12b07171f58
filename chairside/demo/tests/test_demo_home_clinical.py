"""The demo home-infusion pharmacy's clinical side: one order of every therapy type, a plan
of care per patient (one deliberately incomplete), nurse-signed teaching, a pharmacist's
note with a follow-up due today; seeding twice duplicates nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chairside.demo import DemoContext, foundation, home_clinical, homecare
from chairside.homecare import selectors
from chairside.homecare.models import (
    FollowUpTask,
    HomeInfusionOrder,
    MonitoringNote,
    PlanOfCare,
    TeachingRecord,
)
from chairside.patients.models import Patient

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    models = (HomeInfusionOrder, PlanOfCare, TeachingRecord, MonitoringNote, FollowUpTask)
    return tuple(m.objects.count() for m in models)


def test_it_seeds_the_clinical_side_once() -> None:
    ctx = DemoContext()
    foundation.seed_organizations(ctx)
    homecare.seed_homecare(ctx)
    home_clinical.seed_home_clinical(ctx)
    first = _counts()
    again = DemoContext()
    homecare.seed_homecare(again)
    home_clinical.seed_home_clinical(again)
    assert _counts() == first
    org = ctx.organizations["homecare"]
    therapies = set(
        HomeInfusionOrder.objects.filter(organization=org).values_list("therapy_type", flat=True)
    )
    assert therapies == set(HomeInfusionOrder.TherapyType.values) - {"other"}
    assert PlanOfCare.objects.filter(organization=org, is_current=True).count() == 8
    gaps = {
        p.patient.mrn: selectors.plan_of_care_gaps(organization=org, plan=p)
        for p in PlanOfCare.objects.filter(organization=org).select_related("patient")
    }
    incomplete = {mrn for mrn, found in gaps.items() if found}
    assert incomplete == {"DEMO-HC-0002"}
    codes = {g.code for g in gaps["DEMO-HC-0002"]}
    assert {"signature", "emergency_phone", "caregiver", "teaching", "labs"} <= codes
    assert TeachingRecord.objects.filter(organization=org, outcome="reinforce").exists()
    due = selectors.follow_up_queue(organization=org, today=timezone.localdate())
    assert [t.description for t in due] == ["Repeat vancomycin trough and SCr"]
    vanco = Patient.objects.get(organization=org, mrn="DEMO-HC-0001")
    note = MonitoringNote.objects.get(patient=vanco)
    assert note.dose_change_recommended
    assert note.pharmacist is not None and note.pharmacist.username == "hcpharmacist"
