"""Home-care test factories: a home-infusion location with its depot, homes east of it,
nurses and drivers on shift, deliveries and visits."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from chairside.homecare import services
from chairside.homecare.models import DeliveryTicket, FieldShift, HomeBase, HomeVisit, PatientHome
from chairside.tenancy.models import Location, StaffMember
from tests import factories as f

_seq = itertools.count(1)
DEPOT = (Decimal("40.000000"), Decimal("-75.000000"))


def make_home_location(org: Any, **kw: Any) -> Location:
    kw.setdefault("site_type", Location.SiteType.HOME)
    kw.setdefault("place_of_service", "12")
    kw.setdefault("name", f"Home infusion {next(_seq)}")
    location = f.make_location(org, **kw)
    HomeBase.objects.create(
        organization=org, location=location, latitude=DEPOT[0], longitude=DEPOT[1]
    )
    return location


def make_home(patient: Any, location: Any, km_east: float = 5) -> PatientHome:
    """A home ``km_east`` kilometres east of the depot (about 85 km a degree at 40° N)."""
    return PatientHome.objects.create(
        organization=patient.organization,
        patient=patient,
        location=location,
        address_line1=f"{next(_seq)} Test Lane",
        city="Riverside",
        state="PA",
        postal_code="19000",
        latitude=DEPOT[0],
        longitude=DEPOT[1] + Decimal(str(round(km_east / 85.2, 6))),
    )


def make_home_patient(org: Any, location: Any, km_east: float = 5, **kw: Any) -> Any:
    patient = f.make_patient(org, **kw)
    make_home(patient, location, km_east)
    return patient


def make_staff(org: Any, credential: str = "RN", user: Any = None) -> StaffMember:
    n = next(_seq)
    licensed = credential in StaffMember.LICENSED
    return StaffMember.objects.create(
        organization=org,
        first_name=f"Field{n}",
        last_name="Worker" if credential else "Driver",
        credential=credential,
        license_state="PA" if licensed else "",
        license_number=f"T-{n}" if licensed else "",
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
