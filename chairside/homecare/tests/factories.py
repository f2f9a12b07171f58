"""Home-care test factories: a home-infusion location with its depot, homes east of it,
nurses and drivers on shift, deliveries and visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from chairside.homecare import services
from chairside.homecare.models import (
    DeliveryTicket,
    FieldShift,
    HomeBase,
    HomeInfusionOrder,
    HomeVisit,
    PatientHome,
    PlanOfCare,
    TeachingRecord,
)
from chairside.tenancy.models import Location, StaffMember
from tests import factories as f

DEPOT = (Decimal("40.000000"), Decimal("-75.000000"))


def make_home_location(org: Any, **kw: Any) -> Location:
    kw.setdefault("site_type", Location.SiteType.HOME)
    kw.setdefault("place_of_service", "12")
    kw.setdefault("name", factory.Sequence(lambda n: f"Home infusion {n}"))
    location = f.make_location(org, **kw)
    HomeBase.objects.create(
        organization=org, location=location, latitude=DEPOT[0], longitude=DEPOT[1]
    )
    return location


class PatientHomeFactory(DjangoModelFactory[PatientHome]):
    """A home ``km_east`` kilometres east of the depot (about 85 km a degree at 40° N)."""

    class Meta:
        model = PatientHome

    class Params:
        km_east = 5

    patient = factory.SubFactory(f.PatientFactory)
    organization = factory.SelfAttribute("patient.organization")
    location = factory.SubFactory(
        f.LocationFactory, organization=factory.SelfAttribute("..organization")
    )
    address_line1 = factory.Sequence(lambda n: f"{n} Test Lane")
    city = "Riverside"
    state = "PA"
    postal_code = "19000"
    latitude = DEPOT[0]
    longitude = factory.LazyAttribute(lambda o: DEPOT[1] + Decimal(str(round(o.km_east / 85.2, 6))))


def make_home(patient: Any, location: Any, km_east: float = 5) -> PatientHome:
    """A home ``km_east`` kilometres east of the depot (about 85 km a degree at 40° N)."""
    return PatientHomeFactory.create(patient=patient, location=location, km_east=km_east)


def make_home_patient(org: Any, location: Any, km_east: float = 5, **kw: Any) -> Any:
    patient = f.make_patient(org, **kw)
    make_home(patient, location, km_east)
    return patient


def make_staff(org: Any, credential: str = "RN", user: Any = None) -> StaffMember:
    """A field worker (``credential=""``: a driver), licensed in Pennsylvania if the
    credential is."""
    return f.StaffMemberFactory.create(
        organization=org,
        first_name=factory.Sequence(lambda n: f"Field{n}"),
        last_name="Worker" if credential else "Driver",
        credential=credential,
        user=user,
    )


def make_shift(
    location: Any, staff: StaffMember, day: dt.date, kind: str = FieldShift.Kind.NURSE
) -> FieldShift:
    return FieldShift.objects.create(
        organization=location.organization,
        location=location,
        staff=staff,
        date=day,
        starts=dt.time(8),
        ends=dt.time(17),
        kind=kind,
    )


def make_delivery(
    patient: Any, location: Any, day: dt.date, window: tuple[int, int] = (9, 12), **kw: Any
) -> DeliveryTicket:
    return services.delivery_create(
        organization=location.organization,
        user=None,
        patient=patient,
        location=location,
        date=day,
        window_start=dt.time(window[0]),
        window_end=dt.time(window[1]),
        items=kw.pop("items", None) or [services.ItemIn(Decimal(2), "IV start kit")],
        **kw,
    )


def make_visit(
    patient: Any, location: Any, day: dt.date, window: tuple[int, int] = (9, 12), **kw: Any
) -> HomeVisit:
    return services.visit_create(
        organization=location.organization,
        user=None,
        patient=patient,
        location=location,
        date=day,
        window_start=dt.time(window[0]),
        window_end=dt.time(window[1]),
        **kw,
    )


# --- the clinical side -----------------------------------------------------------------------


def make_referring_provider(org: Any) -> Any:
    from chairside.access.referrals.tests.factories import make_provider

    return make_provider(org, last_name=factory.Sequence(lambda n: f"Prescriber{n}"))


def order_values(org: Any, **kw: Any) -> Any:
    """Vancomycin 1250 mg q12h by elastomeric pump through a PICC, 6 weeks (the defaults)."""
    start = kw.pop("start_date", timezone.localdate())
    values = dict(
        therapy_type=HomeInfusionOrder.TherapyType.IV_ANTIBIOTIC,
        drug_name="Vancomycin",
        dose_amount=Decimal("1250"),
        dose_unit="mg",
        doses_per_day=2,
        start_date=start,
        duration_days=42,
        access_device="picc",
        access_inserted_on=start - dt.timedelta(days=1),
        administration_device="elastomeric",
        supplies=["Saline flush 10 mL", "Heparin lock flush"],
        nursing_visit_frequency="weekly",
        ordering_provider=kw.pop("ordering_provider", None) or make_referring_provider(org),
        signed_on=start - dt.timedelta(days=2),
        status=HomeInfusionOrder.Status.ACTIVE,
    )
    values.update(kw)
    return services.HomeOrderValues(**values)


def make_home_order(patient: Any, user: Any = None, **kw: Any) -> HomeInfusionOrder:
    return services.home_order_save(
        organization=patient.organization,
        user=user,
        patient=patient,
        values=order_values(patient.organization, **kw),
    )


def complete_plan_values(orders: list[Any], provider: Any, **kw: Any) -> Any:
    today = timezone.localdate()
    values = dict(
        orders=orders,
        signed_on=today - dt.timedelta(days=1),
        signing_provider=provider,
        review_due_on=today + dt.timedelta(days=30),
        goals="Finish 6 weeks of IV vancomycin without line infection.",
        allergies="Penicillin (hives)",
        access_device="picc",
        access_inserted_on=today - dt.timedelta(days=3),
        pump="Elastomeric 100 mL (demo)",
        monitoring_labs=[
            ("CBC with differential", "weekly"),
            ("BMP", "weekly"),
            ("Vancomycin trough", "weekly"),
        ],
        emergency_phone="(555) 010-4001",
        anaphylaxis_kit=True,
        caregiver_name="Ana Lopez",
        caregiver_relationship="Daughter",
        caregiver_phone="(555) 010-2222",
        discharge_plan="PICC removed after the last dose.",
    )
    values.update(kw)
    return services.PlanValues(**values)


def make_plan(patient: Any, orders: list[Any], user: Any = None, **kw: Any) -> PlanOfCare:
    provider = (
        orders[0].ordering_provider if orders else make_referring_provider(patient.organization)
    )
    return services.plan_of_care_create(
        organization=patient.organization,
        user=user,
        patient=patient,
        values=complete_plan_values(orders, provider, **kw),
    )


def teach_everything(patient: Any, nurse_user: Any, plan: Any = None) -> TeachingRecord:
    """A caregiver's competency in every topic, signed by the nurse (password TEST_PASSWORD)."""
    return services.teaching_sign(
        organization=patient.organization,
        user=nurse_user,
        patient=patient,
        values=services.TeachingValues(
            taught_on=timezone.localdate(),
            topics=list(TeachingRecord.Topic.values),
            learner="caregiver",
            learner_name="Ana Lopez",
            method="demonstration",
            outcome="competent",
            plan=plan,
        ),
        username=nurse_user.username,
        password=f.TEST_PASSWORD,
        ip_address=None,
    )
