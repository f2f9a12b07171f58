"""Factories for tests: small functions that make valid domain objects with overrides."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from chairside.patients.models import BodyMeasurement, Coverage, Patient, Payer
from chairside.tenancy.models import Chair, Location, Membership, OpeningHours, Organization

_seq = itertools.count(1)
TEST_PASSWORD = "pw-test-123"  # noqa: S105 (test users only)


def make_org(name: str | None = None, **kw: Any) -> Organization:
    kw.setdefault("kind", Organization.Kind.PRACTICE)
    return Organization.objects.create(name=name or f"Practice {next(_seq)}", **kw)


def make_location(org: Organization, **kw: Any) -> Location:
    kw.setdefault("name", f"Suite {next(_seq)}")
    kw.setdefault("site_type", Location.SiteType.OFFICE)
    kw.setdefault("place_of_service", "11")
    chairs = kw.pop("chairs", 0)
    location = Location.objects.create(organization=org, **kw)
    for weekday in range(7):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=dt.time(7), closes=dt.time(19)
        )
    for n in range(chairs):
        Chair.objects.create(location=location, name=f"C{n + 1:02d}", sort_order=n)
    return location


def make_user(org: Organization, role: str, username: str | None = None) -> Any:
    users = get_user_model()
    name = username or f"{role}{next(_seq)}"
    user = users.objects.create_user(username=name, password=TEST_PASSWORD)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_patient(org: Organization, **kw: Any) -> Patient:
    n = next(_seq)
    kw.setdefault("mrn", f"MRN{n:06d}")
    kw.setdefault("first_name", "Ada")
    kw.setdefault("last_name", f"Lovelace{n}")
    kw.setdefault("date_of_birth", dt.date(1970, 5, 17))
    kw.setdefault("sex", "F")
    weight = kw.pop("weight_kg", None)
    patient = Patient.objects.create(organization=org, **kw)
    if weight is not None:
        BodyMeasurement.objects.create(
            patient=patient, measured_on=dt.date(2026, 1, 5), weight_kg=Decimal(weight)
        )
    return patient


def make_payer(org: Organization, **kw: Any) -> Payer:
    kw.setdefault("name", f"Payer {next(_seq)}")
    kw.setdefault("kind", Payer.Kind.COMMERCIAL)
    return Payer.objects.create(organization=org, **kw)


def make_coverage(patient: Patient, payer: Payer, **kw: Any) -> Coverage:
    kw.setdefault("member_id", f"M{next(_seq)}")
    kw.setdefault("order", 1)
    kw.setdefault("effective_from", dt.date(2026, 1, 1))
    return Coverage.objects.create(patient=patient, payer=payer, **kw)
