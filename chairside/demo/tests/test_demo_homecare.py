"""The demo home-infusion pharmacy: 20 patients at made-up homes, a fortnight of stops, the
past week planned, accepted and done; seeding twice duplicates nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from chairside.demo import DemoContext, foundation, homecare
from chairside.homecare.models import DeliveryTicket, FieldShift, HomeVisit, PatientHome, RoutePlan
from chairside.tenancy.models import Organization

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (PatientHome, FieldShift, DeliveryTicket, HomeVisit, RoutePlan)
    )


def test_it_seeds_a_demo_home_infusion_pharmacy_once() -> None:
    ctx = DemoContext()
    foundation.seed_organizations(ctx)
    homecare.seed_homecare(ctx)
    first = _counts()
    homecare.seed_homecare(DemoContext())
    assert _counts() == first
    org = Organization.objects.get(name=homecare.ORG_NAME)
    assert org.kind == Organization.Kind.INFUSION_PHARMACY and org.managed_by is not None
    assert PatientHome.objects.filter(organization=org, is_demo=True).count() == 20
    today = timezone.localdate()
    past = DeliveryTicket.objects.filter(organization=org, date__lt=today)
    assert past.exists()
    assert not past.filter(assigned_to__isnull=False).exclude(status="delivered").exists()
    assert RoutePlan.objects.filter(organization=org, date__lt=today, status="accepted").exists()
    future = DeliveryTicket.objects.filter(organization=org, date__gt=today)
    assert future.exists() and not future.filter(planned_at__isnull=False).exists()
