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


# The authenticator secret of every test user whose role needs two-factor (hex, as
# django-otp stores it). Tests compute its current code with ``totp_code()``.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"  # noqa: S105 (RFC 6238's test key)


def totp_code(key: str = TEST_TOTP_KEY) -> str:
    """The code an authenticator app shows now for this key (django-otp's own TOTP)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key)):06d}"


def give_authenticator(user: Any, key: str = TEST_TOTP_KEY) -> Any:
    """A confirmed TOTP device for the user, as if they had enrolled."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True)


def make_user(
    org: Organization, role: str, username: str | None = None, *, two_factor: bool | None = None
) -> Any:
    """A log-in with a role; roles that require two-factor get an authenticator too (unless
    ``two_factor=False``)."""
    from chairside.accounts.services import two_factor_required

    users = get_user_model()
    name = username or f"{role}{next(_seq)}"
    user = users.objects.create_user(username=name, password=TEST_PASSWORD)
    Membership.objects.create(user=user, organization=org, role=role)
    if two_factor or (two_factor is None and two_factor_required(user)):
        give_authenticator(user)
    return user


class StayLoggedInClient(Client):
    """A test client whose session never times out.

    Tests of other features travel hours or days ahead between two requests; a person
    would have logged in again by then. The automatic log-off itself is tested with plain
    clients that log in through the page (``chairside/accounts/tests``).
    """

    def request(self, **request: Any) -> Any:
        from chairside.accounts.middleware import start_clock_in

        if "_auth_user_id" in self.session:
            session = self.session
            start_clock_in(session)
            session.save()
        return super().request(**request)


def login(user: Any) -> Client:
    """A test client logged in as the user, past the second factor when they have one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = StayLoggedInClient()
    client.force_login(user)
    session = client.session
    session.set_expiry(10 * 365 * 24 * 3600)  # outlives any time travel of a test
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
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
