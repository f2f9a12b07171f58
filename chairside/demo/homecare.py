"""The demo home-infusion pharmacy: synthetic, made-up data only.

"Riverside Home Infusion Pharmacy (demo)" is a client of the same management company as
the demo center, with one home-infusion location (POS 12) whose depot and 20 patients'
homes are made-up points scattered over about 15 km (the addresses are made up too;
``PatientHome.is_demo``). Three nurses and two drivers work weekdays (a nurse and a driver
on Saturdays); each day has home nursing visits and deliveries (supplies and compounded
doses by description, some in a cold-chain box). The past week's routes were proposed and
accepted through the route planner and their stops are done (proof of delivery typed);
today's routes are accepted, so a nurse's route is there to see; the next week is
scheduled but not yet planned, for the coordinator to propose and accept.

Log-ins (password ``chairside-demo``): ``hccoordinator`` (coordinator), ``cwhitman`` and
``jmoreno`` (nurses). Idempotent: rows are looked up by natural keys, and the stops are made
only when the location has none.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from chairside.demo import DemoContext
from chairside.demo.foundation import _pick_diagnosis, demo_npi
from chairside.demo.keys import DEMO_PASSWORD
from chairside.demo.names import FIRST_FEMALE, FIRST_MALE, LAST
from chairside.homecare import services
from chairside.homecare.models import (
    DeliveryTicket,
    FieldShift,
    HomeBase,
    PatientHome,
    RoutePlan,
)
from chairside.patients.models import BodyMeasurement, Coverage, Diagnosis, Patient, Payer
from chairside.patients.reference import icd10_description
from chairside.tenancy.models import Location, Membership, Organization, StaffMember

ORG_NAME = "Riverside Home Infusion Pharmacy (demo)"
MANAGEMENT_COMPANY = "Summit Infusion Management (demo)"
LOCATION = "Riverside Home Infusion (demo)"
DEPOT = (40.05, -75.35)  # a made-up depot point
RADIUS_KM = 15.0
PATIENTS = 20
SEED = "riverside-homecare"
USERS = {"hccoordinator": "coordinator", "cwhitman": "nurse", "jmoreno": "nurse"}
# (first, last, credential, title, user or None, kind)
STAFF: tuple[tuple[str, str, str, str, str | None, str], ...] = (
    ("Clara", "Whitman", "RN", "Home infusion nurse", "cwhitman", FieldShift.Kind.NURSE),
    ("Jamal", "Moreno", "RN", "Home infusion nurse", "jmoreno", FieldShift.Kind.NURSE),
    ("Ines", "Ferreira", "LPN", "Home infusion nurse", None, FieldShift.Kind.NURSE),
    ("Dale", "Kowalski", "", "Delivery driver", None, FieldShift.Kind.DRIVER),
    ("Mia", "Brandt", "", "Delivery driver", None, FieldShift.Kind.DRIVER),
)
STREETS = ("Larkspur", "Quarry Hill", "Old Mill", "Heron Pond", "Juniper", "Foxglove", "Cider")
KINDS = ("Ln", "Rd", "Way", "Ct", "Dr")
# Supplies and doses by description only (no NDC): the compounded doses come from the
# pharmacy's own compounding records.
SUPPLIES = (
    "Saline flush 10 mL syringes",
    "Heparin lock flush 5 mL syringes",
    "IV administration sets",
    "Alcohol pads and dressing change kit",
    "Sharps container",
)
DOSES = (
    ("Vancomycin dose, compounded (see compounding record)", True),
    ("Ceftriaxone dose, compounded (see compounding record)", True),
    ("Elastomeric pump with compounded antibiotic", True),
    ("Hydration bags, 1 L", False),
    ("Parenteral nutrition bag (see compounding record)", True),
)
VISIT_PURPOSES = (
    "PICC dressing change and labs",
    "Start of care: teaching, first dose",
    "Immunoglobulin infusion",
    "Weekly assessment, vancomycin trough",
    "Port access and hydration",
)


def _organization(ctx: DemoContext) -> tuple[Organization, Location]:
    summit, _ = Organization.objects.get_or_create(
        name=MANAGEMENT_COMPANY, defaults={"kind": Organization.Kind.MANAGEMENT_COMPANY}
    )
    org, _ = Organization.objects.get_or_create(
        name=ORG_NAME,
        defaults={
            "kind": Organization.Kind.INFUSION_PHARMACY,
            "managed_by": summit,
            "group_npi": demo_npi(91800000),
            "phone": "(555) 010-4000",
        },
    )
    location, _ = Location.objects.get_or_create(
        organization=org,
        name=LOCATION,
        defaults={
            "site_type": Location.SiteType.HOME,
            "place_of_service": "12",
            "address_line1": "12 Depot Row",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19003",
            "phone": "(555) 010-4001",
        },
    )
    HomeBase.objects.get_or_create(
        organization=org,
        location=location,
        defaults={"latitude": Decimal(str(DEPOT[0])), "longitude": Decimal(str(DEPOT[1]))},
    )
    return org, location


def _people(
    ctx: DemoContext, org: Organization, location: Location
) -> list[tuple[StaffMember, str]]:
    users = get_user_model()
    for username, role in USERS.items():
        user, created = users.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
        ctx.users[username] = user
    staff = []
    for n, (first, last, cred, title, login, kind) in enumerate(STAFF, start=1):
        licensed = cred in StaffMember.LICENSED
        member, _ = StaffMember.objects.get_or_create(
            organization=org,
            first_name=first,
            last_name=last,
            defaults={
                "credential": cred,
                "job_title": title,
                "home_location": location,
                "user": ctx.users.get(login) if login else None,
                "license_state": "PA" if licensed else "",
                "license_number": f"DEMO-{cred}-{4000 + n}" if licensed else "",
            },
        )
        staff.append((member, kind))
    return staff


def _point(rng: random.Random) -> tuple[Decimal, Decimal]:
    r = RADIUS_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    lat = DEPOT[0] + r * math.cos(bearing) / 111.2
    lon = DEPOT[1] + r * math.sin(bearing) / (111.2 * math.cos(math.radians(DEPOT[0])))
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


# The pharmacy's two commercial payers (demo), which pay home infusion by per diem.
HOME_PAYERS = (("Keystone Commercial Health (demo)", "DEMO1"), ("Northstar PPO (demo)", "DEMO2"))


def _chart(rng: random.Random, patient: Patient, today: dt.date) -> None:
    """What every demo chart has: a coded diagnosis, a current weight and a coverage (with
    one of the pharmacy's own demo payers)."""
    code = _pick_diagnosis(rng)
    Diagnosis.objects.create(
        patient=patient,
        icd10_code=code,
        description=icd10_description(code) or code,
        is_primary=True,
        noted_on=today - dt.timedelta(days=rng.randint(30, 900)),
    )
    BodyMeasurement.objects.create(
        patient=patient,
        measured_on=today - dt.timedelta(days=rng.randint(1, 20)),
        weight_kg=Decimal(rng.randint(480, 1150)) / 10,
    )
    name, payer_id = rng.choice(HOME_PAYERS)
    payer, _ = Payer.objects.get_or_create(
        organization=patient.organization,
        name=name,
        defaults={"kind": Payer.Kind.COMMERCIAL, "payer_id": payer_id, "is_demo": True},
    )
    Coverage.objects.create(
        patient=patient,
        payer=payer,
        member_id=f"DEMO{rng.randint(10**8, 10**9 - 1)}",
        order=1,
        effective_from=today.replace(month=1, day=1),
        group_number=f"G{rng.randint(1000, 9999)}",
    )


def _patients(rng: random.Random, org: Organization, location: Location) -> list[Patient]:
    today = timezone.localdate()
    patients = []
    for n in range(1, PATIENTS + 1):
        sex = rng.choice("FM")
        first = rng.choice(FIRST_FEMALE if sex == "F" else FIRST_MALE)
        street = f"{rng.randint(10, 990)} {rng.choice(STREETS)} {rng.choice(KINDS)}"
        patient, created = Patient.objects.get_or_create(
            organization=org,
            mrn=f"DEMO-HC-{n:04d}",
            defaults={
                "first_name": first,
                "last_name": rng.choice(LAST),
                "date_of_birth": today - dt.timedelta(days=rng.randint(25 * 365, 85 * 365)),
                "sex": sex,
                "phone": f"(555) 014-{rng.randint(1000, 9999)}",
                "address_line1": street,
                "city": "Riverside",
                "state": "PA",
                "postal_code": "19003",
                "no_known_allergies": rng.random() < 0.7,
            },
        )
        if created:
            _chart(rng, patient, today)
        lat, lon = _point(rng)
        if not PatientHome.objects.filter(patient=patient).exists():
            services.home_set(
                organization=org,
                user=None,
                patient=patient,
                location=location,
                address_line1=patient.address_line1 or street,
                city="Riverside",
                state="PA",
                postal_code="19003",
                latitude=lat,
                longitude=lon,
                access_notes=rng.choice(("", "", "Side door", "Dog in the yard", "Gate code 4411")),
                is_demo=True,
            )
        patients.append(patient)
    return patients


def _day(
    rng: random.Random,
    location: Location,
    staff: list[tuple[StaffMember, str]],
    patients: list[Patient],
    *,
    day: dt.date,
) -> None:
    org = location.organization
    saturday = day.weekday() == 5
    on_shift = [staff[0], staff[3]] if saturday else staff
    for member, kind in on_shift:
        services.field_shift_add(
            organization=org,
            user=None,
            location=location,
            staff=member,
            date=day,
            starts=dt.time(7, 30) if kind == FieldShift.Kind.DRIVER else dt.time(8),
            ends=dt.time(16, 30),
            kind=kind,
        )
    chosen = rng.sample(patients, 5 if saturday else 13)
    visits, deliveries = chosen[: 2 if saturday else 6], chosen[2 if saturday else 6 :]
    for patient in visits:
        start = rng.choice((8, 9, 10, 11, 12, 13, 14))
        services.visit_create(
            organization=org,
            user=None,
            patient=patient,
            location=location,
            date=day,
            window_start=dt.time(start),
            window_end=dt.time(start + 2),
            duration_minutes=rng.choice((45, 60, 60, 90, 120)),
            purpose=rng.choice(VISIT_PURPOSES),
        )
    packed = dt.datetime.combine(day, dt.time(6, 30), tzinfo=location.tz)
    for patient in deliveries:
        dose, cold = rng.choice(DOSES)
        start = rng.choice((8, 9, 10, 12, 13))
        items = [services.ItemIn(Decimal(rng.choice((1, 2, 7))), dose, unit="dose")]
        items += [
            services.ItemIn(Decimal(rng.choice((10, 20, 30))), s, unit="each")
            for s in rng.sample(SUPPLIES, 2)
        ]
        services.delivery_create(
            organization=org,
            user=None,
            patient=patient,
            location=location,
            date=day,
            window_start=dt.time(start),
            window_end=dt.time(start + 4),
            items=items,
            handoff=DeliveryTicket.Handoff.NURSE if rng.random() < 0.15 else "courier",
            cold_chain=cold,
            packed_out_at=packed if cold else None,
            validity_hours=48 if cold else None,
            note="Demo delivery" if rng.random() < 0.2 else "",
        )


def _plan_and_finish(org: Organization, location: Location, day: dt.date, finish: bool) -> None:
    plan = services.route_propose(organization=org, user=None, location=location, date=day)
    services.route_accept(organization=org, user=None, plan=plan)
    if not finish:
        return
    for ticket in DeliveryTicket.objects.filter(
        location=location, date=day, assigned_to__isnull=False
    ).select_related("patient"):
        services.delivery_record_proof(
            organization=org,
            user=None,
            ticket=ticket,
            received_by=ticket.patient.full_name,
            signature_kind=DeliveryTicket.Signature.TYPED,
            signature_text=ticket.patient.full_name,
            delivered_at=ticket.planned_at,
        )
    # The past week's visits are documented and signed by their nurses once the patients
    # have home orders (``home_visits.document_past_visits``, from the billing step).


@transaction.atomic
def seed_homecare(ctx: DemoContext) -> None:
    org, location = _organization(ctx)
    staff = _people(ctx, org, location)
    rng = random.Random(SEED)
    patients = _patients(rng, org, location)
    ctx.organizations["homecare"] = org
    ctx.locations["homecare"] = location
    if DeliveryTicket.objects.filter(location=location).exists():
        ctx.summary.append(f"{ORG_NAME}: already seeded")
        return
    base = HomeBase.objects.get(location=location)
    base.search_seconds = 1  # seeding: a second a day is plenty for a dozen stops
    base.save()
    today = timezone.localdate()
    days = [today + dt.timedelta(days=n) for n in range(-7, 8)]
    days = [d for d in days if d.weekday() != 6]  # closed on Sundays
    for day in days:
        _day(rng, location, staff, patients, day=day)
    for day in days:
        if day <= today:
            _plan_and_finish(org, location, day, finish=day < today)
    base.search_seconds = 3
    base.save()
    plans = RoutePlan.objects.filter(location=location).count()
    ctx.summary.append(f"{ORG_NAME}: {PATIENTS} patients at home, {len(days)} days, {plans} routes")
