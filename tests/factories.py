"""Factories for tests, shared by every app's tests.

One ``factory_boy`` model factory per model that more than one app's tests build
(``OrganizationFactory`` … ``NurseShiftFactory``), and the ``make_*`` helpers the tests call,
which are thin wrappers over them. An app's own ``tests/factories.py`` keeps only its
app-specific defaults (scheduling's infliximab order and ``DAY``, inventory's tocilizumab
packages …) and passes them to these factories.

``XFactory.create(...)`` saves and is typed (it returns the model); post-generation hooks do
not save the object a second time (``skip_postgeneration_save``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from factory.django import DjangoModelFactory

from chairside.access.authorizations.models import PriorAuthorization
from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.formulary.models import Drug, Package
from chairside.inventory.models import Lot, StoragePlace, Vendor
from chairside.patients.models import BodyMeasurement, Coverage, Patient, Payer
from chairside.rules.access import authorization_states
from chairside.rules.common.npi import npi_check_digit
from chairside.scheduling.models import NurseShift
from chairside.tenancy.models import (
    Chair,
    Competency,
    Location,
    Membership,
    OpeningHours,
    Organization,
    StaffMember,
)

TEST_PASSWORD = "pw-test-123"  # noqa: S105 (test users only)
# The day the orders and shifts fall on unless a test says otherwise: a Tuesday in a quiet
# week, no federal holiday near it (scheduling's and treatments' ``DAY``).
DAY = dt.date(2026, 12, 8)


def made_up_npi(seed: int) -> str:
    """A valid, made-up NPI: ``1`` and ``seed`` on eight digits, then the check digit."""
    first9 = f"1{seed:08d}"[:9]
    return first9 + npi_check_digit(first9)


# --- tenancy ------------------------------------------------------------------------------


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Practice {n}")
    kind = Organization.Kind.PRACTICE


class LocationFactory(DjangoModelFactory[Location]):
    """A suite open 07:00–19:00 every day, with ``chairs`` chairs C01, C02 … (none unless
    asked)."""

    class Meta:
        model = Location
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Suite {n}")
    site_type = Location.SiteType.OFFICE
    place_of_service = "11"

    @factory.post_generation
    def opening_hours(self: Location, create: bool, extracted: Any, **kw: Any) -> None:
        if create:
            for weekday in range(7):
                OpeningHours.objects.create(
                    location=self, weekday=weekday, opens=dt.time(7), closes=dt.time(19)
                )

    @factory.post_generation
    def chairs(self: Location, create: bool, extracted: Any, **kw: Any) -> None:
        if create:
            for n in range(extracted or 0):
                Chair.objects.create(location=self, name=f"C{n + 1:02d}", sort_order=n)


class UserFactory(DjangoModelFactory[Any]):
    """A log-in with ``TEST_PASSWORD`` (made by ``create_user``, so the password is hashed)."""

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    password = TEST_PASSWORD

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        return model_class._default_manager.create_user(*args, **kwargs)


class MembershipFactory(DjangoModelFactory[Membership]):
    """A user with a role in an organization; roles that require two-factor get an
    authenticator too (unless ``two_factor=False``)."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    role = "coordinator"
    user = factory.SubFactory(
        UserFactory,
        username=factory.LazyAttributeSequence(lambda o, n: f"{o.factory_parent.role}{n}"),
    )

    @factory.post_generation
    def two_factor(self: Membership, create: bool, extracted: Any, **kw: Any) -> None:
        from chairside.accounts.services import two_factor_required

        if create and (extracted or (extracted is None and two_factor_required(self.user))):
            give_authenticator(self.user)


class StaffMemberFactory(DjangoModelFactory[StaffMember]):
    """A staff member; licensed credentials get a Pennsylvania license, prescribers an NPI.

    ``licensed`` (default: the credential is one of ``StaffMember.LICENSED``) says whether to
    fill the license; ``competencies`` ({skill code: expiry}) adds competencies.
    """

    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    class Params:
        licensed = factory.LazyAttribute(lambda o: o.credential in StaffMember.LICENSED)

    organization = factory.SubFactory(OrganizationFactory)
    first_name = "Jordan"
    last_name = factory.Sequence(lambda n: f"Staff{n}")
    credential = "RN"
    license_state = factory.LazyAttribute(lambda o: "PA" if o.licensed else "")
    license_number = factory.LazyAttributeSequence(lambda o, n: f"L-{n}" if o.licensed else "")
    npi = factory.LazyAttributeSequence(
        lambda o, n: (
            made_up_npi(50000000 + n)
            if o.licensed and o.credential in StaffMember.PRESCRIBERS
            else ""
        )
    )
    user = None

    @factory.post_generation
    def competencies(self: StaffMember, create: bool, extracted: Any, **kw: Any) -> None:
        if create:
            for skill, expires_on in (extracted or {}).items():
                Competency.objects.create(staff=self, skill=skill, expires_on=expires_on)


# --- patients and payers ------------------------------------------------------------------


class PatientFactory(DjangoModelFactory[Patient]):
    """Ada Lovelace<n>, born 1970-05-17; ``weight_kg`` adds a weight measured 2026-01-05."""

    class Meta:
        model = Patient
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    first_name = "Ada"
    last_name = factory.Sequence(lambda n: f"Lovelace{n}")
    date_of_birth = dt.date(1970, 5, 17)
    sex = "F"

    @factory.post_generation
    def weight_kg(self: Patient, create: bool, extracted: Any, **kw: Any) -> None:
        if create and extracted is not None:
            BodyMeasurement.objects.create(
                patient=self, measured_on=dt.date(2026, 1, 5), weight_kg=Decimal(extracted)
            )


class PayerFactory(DjangoModelFactory[Payer]):
    class Meta:
        model = Payer

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Payer {n}")
    kind = Payer.Kind.COMMERCIAL


class CoverageFactory(DjangoModelFactory[Coverage]):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(
        PayerFactory, organization=factory.SelfAttribute("..patient.organization")
    )
    member_id = factory.Sequence(lambda n: f"M{n}")
    order = 1
    effective_from = dt.date(2026, 1, 1)


# --- drugs, orders ------------------------------------------------------------------------


class DrugFactory(DjangoModelFactory[Drug]):
    """Infliximab (Remicade, J1745, 10 mg billing unit: chairside/formulary/data/formulary.json),
    key ``<key_stem>-<n>``; ``packages`` [(NDC-11, description, strength mg)] adds packages."""

    class Meta:
        model = Drug
        skip_postgeneration_save = True

    class Params:
        key_stem = "infliximab"

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.LazyAttributeSequence(lambda o, n: f"{o.key_stem}-{n}")
    generic_name = "infliximab"
    brand_name = "Remicade"
    hcpcs = "J1745"
    billing_unit_mg = Decimal("10")
    admin_category = Drug.AdminCategory.CHEMO

    @factory.post_generation
    def packages(self: Drug, create: bool, extracted: Any, **kw: Any) -> None:
        if create:
            for ndc11, description, strength in extracted or ():
                Package.objects.create(
                    drug=self, ndc11=ndc11, description=description, strength_mg=Decimal(strength)
                )


class ReferringProviderFactory(DjangoModelFactory[ReferringProvider]):
    """Elena Marsh, MD, with a made-up valid NPI."""

    class Meta:
        model = ReferringProvider

    organization = factory.SubFactory(OrganizationFactory)
    first_name = "Elena"
    last_name = "Marsh"
    credential = "MD"
    # From 40000000 (NPIs 14000000xx…): seed 0 would give 1000000004, which the claim check
    # rightly calls a placeholder.
    npi = factory.Sequence(lambda n: made_up_npi(40_000_000 + n))


class TreatmentOrderFactory(DjangoModelFactory[TreatmentOrder]):
    """Infliximab 5 mg/kg weeks 0, 2, 6 then every 8 weeks (Remicade label §2) at 70 kg,
    signed by a physician (issue 11.2; ``signed_at=None`` makes a draft awaiting signature),
    first dose on ``DAY``. A flat ``dose_mg`` replaces the mg/kg dose."""

    class Meta:
        model = TreatmentOrder

    patient = factory.SubFactory(PatientFactory)
    organization = factory.SelfAttribute("patient.organization")
    drug = factory.SubFactory(DrugFactory, organization=factory.SelfAttribute("..organization"))
    ordering_provider = factory.SubFactory(
        ReferringProviderFactory, organization=factory.SelfAttribute("..organization")
    )
    regimen_name = "Crohn's disease"
    loading_days = factory.LazyFunction(lambda: [0, 14, 42])
    maintenance_interval_days = 56
    dose_mg = None
    dose_mg_per_kg = factory.LazyAttribute(lambda o: Decimal("5") if o.dose_mg is None else None)
    weight_kg_at_order = Decimal("70.0")
    signed_on = dt.date(2026, 11, 1)
    expires_on = dt.date(2027, 11, 1)
    first_dose_on = DAY
    signed_at = factory.LazyFunction(timezone.now)


class PriorAuthorizationFactory(DjangoModelFactory[PriorAuthorization]):
    """An approved authorization for the order, 2026-11-15 to 2027-05-15, 6 visits and 300
    units, on the patient's first coverage (a new commercial payer's if they have none)."""

    class Meta:
        model = PriorAuthorization

    order = factory.SubFactory(TreatmentOrderFactory)
    organization = factory.SelfAttribute("order.organization")
    patient = factory.SelfAttribute("order.patient")
    coverage = factory.LazyAttribute(
        lambda o: (
            o.patient.coverages.first()
            or CoverageFactory.create(
                patient=o.patient, payer=PayerFactory.create(organization=o.organization)
            )
        )
    )
    status = authorization_states.APPROVED
    authorization_number = factory.Sequence(lambda n: f"PA-{n}")
    start_on = dt.date(2026, 11, 15)
    end_on = dt.date(2027, 5, 15)
    visits_authorized = 6
    units_authorized = 300


# --- inventory ----------------------------------------------------------------------------


class StoragePlaceFactory(DjangoModelFactory[StoragePlace]):
    class Meta:
        model = StoragePlace

    location = factory.SubFactory(LocationFactory)
    organization = factory.SelfAttribute("location.organization")
    name = factory.Sequence(lambda n: f"Fridge {n}")
    kind = StoragePlace.Kind.REFRIGERATOR


class VendorFactory(DjangoModelFactory[Vendor]):
    """A distributor, net 30, next-day delivery (found again by name if it exists)."""

    class Meta:
        model = Vendor
        django_get_or_create = ("organization", "name")

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Specialty Distributor {n}")
    payment_terms_days = 30
    lead_time_days = 1


class LotFactory(DjangoModelFactory[Lot]):
    """Vials received into stock through ``inventory.services.stock_receive`` (so the receipt
    is recorded and audited as at the counter): from a vendor at $330 a vial, or, with
    ``patient``, the patient's own supply (no vendor, no cost)."""

    class Meta:
        model = Lot

    storage_place = factory.SubFactory(StoragePlaceFactory)
    organization = factory.SelfAttribute("storage_place.organization")
    package = None  # required: the package received
    lot_number = factory.Sequence(lambda n: f"L{n:05d}")
    expires_on = dt.date(2027, 6, 30)
    vials = 10
    patient = None
    user = None
    cost_per_vial = factory.LazyAttribute(
        lambda o: None if o.patient is not None else Decimal("330.00")
    )
    vendor = factory.Maybe(
        factory.LazyAttribute(lambda o: o.patient is None),
        yes_declaration=factory.SubFactory(
            VendorFactory, organization=factory.SelfAttribute("..organization")
        ),
        no_declaration=None,
    )

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Lot:
        from chairside.inventory import services

        return services.stock_receive(*args, **kwargs)


# --- scheduling ---------------------------------------------------------------------------


class NurseShiftFactory(DjangoModelFactory[NurseShift]):
    """A day shift 07:00–15:30 on ``DAY`` at the staff member's organization."""

    class Meta:
        model = NurseShift

    staff = factory.SubFactory(StaffMemberFactory)
    organization = factory.SelfAttribute("staff.organization")
    location = factory.SubFactory(
        LocationFactory, organization=factory.SelfAttribute("..organization")
    )
    date = DAY
    starts = dt.time(7)
    ends = dt.time(15, 30)


# --- the helpers the tests call -----------------------------------------------------------


def make_org(name: str | None = None, **kw: Any) -> Organization:
    if name is not None:
        kw["name"] = name
    return OrganizationFactory.create(**kw)


def make_location(org: Organization, **kw: Any) -> Location:
    return LocationFactory.create(organization=org, **kw)


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
    kw: dict[str, Any] = {"user__username": username} if username else {}
    membership = MembershipFactory.create(organization=org, role=role, two_factor=two_factor, **kw)
    return membership.user


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


def someone() -> Any:
    """A signed-in person (a log-in of no organization) for a service call whose test is not
    about who acts: services take the acting ``User``; only the system's own jobs pass None."""
    return UserFactory.create()


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
    return PatientFactory.create(organization=org, **kw)


def make_payer(org: Organization, **kw: Any) -> Payer:
    return PayerFactory.create(organization=org, **kw)


def make_coverage(patient: Patient, payer: Payer, **kw: Any) -> Coverage:
    return CoverageFactory.create(patient=patient, payer=payer, **kw)
