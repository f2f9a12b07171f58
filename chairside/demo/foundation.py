"""Demo step: organizations, sites, chairs, log-ins, staff, formulary, payers and patients."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from chairside.accounts.services import two_factor_required
from chairside.demo import DemoContext
from chairside.demo.keys import DEMO_PASSWORD, DEMO_TOTP_KEY, totp_code
from chairside.demo.names import (
    CITIES,
    FIRST_FEMALE,
    FIRST_MALE,
    LANGUAGES,
    LAST,
    STREET_KINDS,
    STREETS,
)
from chairside.formulary.services import formulary_load_reference
from chairside.patients.models import (
    Allergy,
    BodyMeasurement,
    Coverage,
    Diagnosis,
    Patient,
    Payer,
)
from chairside.patients.reference import icd10_description
from chairside.rules.common.npi import npi_check_digit
from chairside.tenancy.models import (
    Chair,
    Competency,
    Location,
    Membership,
    OpeningHours,
    Organization,
    StaffMember,
)

ORG_NAME = "Riverside Infusion Partners"
# DEMO_PATIENTS shrinks the demo for quick checks (make prod-check seeds 60); 300 by default.
PATIENT_COUNT = int(os.environ.get("DEMO_PATIENTS") or 300)
# Demo patients registered over about three years (the chart's "created" time, which the
# Reports dashboard counts as "registered"), on weekdays in office hours.
REGISTERED_WITHIN_DAYS = 3 * 365

# username → (role, organization key)
DEMO_USERS: dict[str, tuple[str, str]] = {
    "admin": ("admin", "riverside"),
    "coordinator": ("coordinator", "riverside"),
    "nurse": ("nurse", "riverside"),
    # The colleagues who co-sign a double check with their own log-in (issue 13.1).
    "msantos": ("nurse", "riverside"),
    "athompson": ("nurse", "riverside"),
    "tbecker": ("nurse", "riverside"),
    "bcarter": ("nurse", "riverside"),
    "lnovak": ("nurse", "riverside"),
    "rdelgado": ("nurse", "riverside"),
    "ohaddad": ("nurse", "riverside"),
    "pharmacist": ("pharmacist", "riverside"),
    "biller": ("biller", "riverside"),
    "physician": ("provider", "riverside"),
    "auditor": ("auditor", "riverside"),
    "manager": ("admin", "summit"),
}


def demo_npi(seed: int) -> str:
    """A check-digit-valid NPI for a made-up provider (demo data only)."""
    first9 = f"1{seed:08d}"[:9]
    return first9 + npi_check_digit(first9)


def _hours(location: Location, weekdays: range, opens: str, closes: str) -> None:
    for day in weekdays:
        OpeningHours.objects.get_or_create(
            location=location,
            weekday=day,
            defaults={
                "opens": dt.time.fromisoformat(opens),
                "closes": dt.time.fromisoformat(closes),
            },
        )


def _chairs(location: Location, names: Sequence[tuple[str, str]]) -> None:
    for order, (name, kind) in enumerate(names):
        Chair.objects.get_or_create(
            location=location, name=name, defaults={"kind": kind, "sort_order": order}
        )


# Made up for the demo center: a prefix the IRS assigns (so the claim checks of
# rules.identifiers pass, as a real center's EIN would), not any real organization's EIN.
DEMO_EIN = "234731906"


@transaction.atomic
def seed_organizations(ctx: DemoContext) -> None:
    summit, _ = Organization.objects.get_or_create(
        name="Summit Infusion Management (demo)",
        defaults={"kind": Organization.Kind.MANAGEMENT_COMPANY},
    )
    riverside, _ = Organization.objects.get_or_create(
        name=ORG_NAME,
        defaults={
            "kind": Organization.Kind.PRACTICE,
            "managed_by": summit,
            "group_npi": demo_npi(90000001),
            "tax_id": DEMO_EIN,
            "phone": "(555) 010-2000",
        },
    )
    main, _ = Location.objects.get_or_create(
        organization=riverside,
        name="Riverside Main Infusion Suite",
        defaults={
            "site_type": Location.SiteType.OFFICE,
            "place_of_service": "11",
            "address_line1": "100 Riverside Plaza, Suite 200",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19000",
            "phone": "(555) 010-2001",
            "nurse_patient_ratio": 4,
            "requires_supervision_on_site": True,
        },
    )
    eastgate, _ = Location.objects.get_or_create(
        organization=riverside,
        name="Eastgate NP-led Infusion Center",
        defaults={
            "site_type": Location.SiteType.INDEPENDENT_CLINIC,
            "place_of_service": "49",
            "address_line1": "45 Eastgate Commons",
            "city": "Eastgate",
            "state": "PA",
            "postal_code": "19001",
            "phone": "(555) 010-2002",
            "nurse_patient_ratio": 3,
            "requires_supervision_on_site": True,
        },
    )
    _hours(main, range(0, 5), "07:00", "18:00")
    _hours(main, range(5, 6), "08:00", "13:00")
    _hours(eastgate, range(0, 5), "08:00", "17:00")
    _chairs(main, [(f"C{n:02d}", Chair.Kind.CHAIR) for n in range(1, 11)])
    _chairs(
        eastgate, [(f"E{n:02d}", Chair.Kind.CHAIR) for n in range(1, 7)] + [("B01", Chair.Kind.BED)]
    )
    ctx.organizations.update(summit=summit, riverside=riverside)
    ctx.locations.update(main=main, eastgate=eastgate)
    users = get_user_model()
    for username, (role, org_key) in DEMO_USERS.items():
        user, created = users.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.password = _demo_password_hash()
            user.save()
        Membership.objects.get_or_create(
            user=user, organization=ctx.organizations[org_key], defaults={"role": role}
        )
        ctx.users[username] = user
    # The management company's administrator also sees the client practice (read-only).
    # ... and last chose to work there, so the demo log-in opens on Riverside's data.
    Membership.objects.get_or_create(
        user=ctx.users["manager"],
        organization=riverside,
        defaults={"role": "auditor", "last_chosen_at": timezone.now()},
    )
    _demo_authenticators(ctx)
    chairs = Chair.objects.filter(location__organization=riverside).count()
    ctx.summary.append(f"{ORG_NAME}: 2 locations, {chairs} chairs")


_HASHES: dict[str, str] = {}


def _demo_password_hash() -> str:
    """The demo password hashed once and shared by every demo log-in (a salted hash takes
    about a quarter of a second by design: 17 of them were 4 s of the first start). Each
    log-in checks as usual; kept per hasher, in case the settings change between runs."""
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _HASHES:
        _HASHES[algorithm] = make_password(DEMO_PASSWORD)
    return _HASHES[algorithm]


def _demo_authenticators(ctx: DemoContext) -> None:
    """The demo log-ins whose role requires two-factor get an authenticator already set up
    with the published demo secret (DEMO_TOTP_SECRET in the README; `manage.py democode`
    prints its current code). Demo only: a real center's users enrol their own phones."""

    for user in ctx.users.values():
        if two_factor_required(user):
            TOTPDevice.objects.get_or_create(
                user=user,
                name="Demo authenticator",
                defaults={"key": DEMO_TOTP_KEY, "confirmed": True},
            )


def demo_totp_code() -> str:
    """The code an authenticator app set up with the demo secret shows now."""
    return totp_code(DEMO_TOTP_KEY)


# (first, last, credential, title, location, user, licence days left, competency → days left)
STAFF: list[tuple[str, str, str, str, str, str | None, int | None, dict[str, int]]] = [
    (
        "Elena",
        "Marsh",
        "MD",
        "Medical director, rheumatology",
        "main",
        "physician",
        700,
        {"bls": 400},
    ),
    ("Samuel", "Okafor", "MD", "Gastroenterologist", "main", None, 500, {"bls": 300}),
    (
        "Priya",
        "Raman",
        "NP",
        "Nurse practitioner, Eastgate lead",
        "eastgate",
        None,
        420,
        {"acls": 45, "bls": 380},
    ),
    (
        "Jordan",
        "Blake",
        "RN",
        "Charge nurse",
        "main",
        "nurse",
        610,
        {"piv_insertion": 300, "chemo_biologic": 250, "bls": 200},
    ),
    (
        "Maria",
        "Santos",
        "RN",
        "Infusion nurse",
        "main",
        "msantos",
        40,
        {"piv_insertion": 500, "chemo_biologic": 20, "bls": 330},
    ),
    (
        "Kevin",
        "Liu",
        "RN",
        "Infusion nurse",
        "main",
        None,
        380,
        {"piv_insertion": 260, "chemo_biologic": 280, "bls": -12},
    ),
    (
        "Aisha",
        "Thompson",
        "RN",
        "Infusion nurse",
        "eastgate",
        "athompson",
        800,
        {"piv_insertion": 350, "chemo_biologic": 340, "bls": 400},
    ),
    (
        "Tom",
        "Becker",
        "LPN",
        "Licensed practical nurse",
        "eastgate",
        "tbecker",
        300,
        {"piv_insertion": 90, "bls": 150},
    ),
    (
        "Grace",
        "Kim",
        "PharmD",
        "Pharmacist, inventory lead",
        "main",
        "pharmacist",
        900,
        {"usp797": 120},
    ),
    ("Luis", "Ortega", "CPhT", "Pharmacy technician", "main", None, None, {"usp797": 55}),
    # The full panel's nurses (issue 16), with their own log-ins for the double check.
    (
        "Ben",
        "Carter",
        "RN",
        "Infusion nurse",
        "main",
        "bcarter",
        720,
        {"piv_insertion": 400, "chemo_biologic": 300, "bls": 350},
    ),
    (
        "Lena",
        "Novak",
        "RN",
        "Infusion nurse",
        "main",
        "lnovak",
        650,
        {"piv_insertion": 380, "chemo_biologic": 310, "bls": 290},
    ),
    (
        "Rosa",
        "Delgado",
        "RN",
        "Infusion nurse",
        "main",
        "rdelgado",
        540,
        {"piv_insertion": 330, "chemo_biologic": 270, "bls": 260},
    ),
    (
        "Omar",
        "Haddad",
        "RN",
        "Infusion nurse",
        "eastgate",
        "ohaddad",
        600,
        {"piv_insertion": 360, "chemo_biologic": 290, "bls": 310},
    ),
    ("Hannah", "Price", "", "Infusion coordinator", "main", "coordinator", None, {}),
    ("Nina", "Alvarez", "", "Billing specialist", "main", "biller", None, {}),
    (
        "Derek",
        "Foster",
        "MA",
        "Medical assistant, front desk",
        "eastgate",
        None,
        None,
        {"bls": 210},
    ),
]


@transaction.atomic
def seed_staff(ctx: DemoContext) -> None:
    riverside = ctx.organizations["riverside"]
    today = timezone.localdate()
    for n, (first, last, cred, title, loc, username, licence_days, skills) in enumerate(
        STAFF, start=1
    ):
        licensed = cred in StaffMember.LICENSED
        staff, created = StaffMember.objects.get_or_create(
            organization=riverside,
            first_name=first,
            last_name=last,
            defaults={
                "credential": cred,
                "job_title": title,
                "home_location": ctx.locations[loc],
                "user": ctx.users.get(username) if username else None,
                "npi": demo_npi(20000000 + n)
                if cred in StaffMember.PRESCRIBERS | {"RN", "PharmD"}
                else "",
                "license_state": "PA" if licensed else "",
                "license_number": f"DEMO-{cred}-{1000 + n}" if licensed else "",
                "license_expires": today + dt.timedelta(days=licence_days)
                if licence_days
                else None,
                "email": f"{first.lower()}.{last.lower()}@example.org",
            },
        )
        if created:
            staff.full_clean()
            for skill, days in skills.items():
                Competency.objects.create(
                    staff=staff,
                    skill=skill,
                    verified_on=today - dt.timedelta(days=365 - days % 365),
                    expires_on=today + dt.timedelta(days=days),
                )
        ctx.staff[f"{first} {last}"] = staff
    ctx.summary.append(f"{len(STAFF)} staff")


def seed_formulary(ctx: DemoContext) -> None:
    count = formulary_load_reference(organization=ctx.organizations["riverside"])
    ctx.summary.append(f"{count} drugs in the formulary")


PAYERS = [
    ("Medicare Part B", Payer.Kind.MEDICARE_B, ""),
    ("Keystone Commercial Health (demo)", Payer.Kind.COMMERCIAL, "DEMO1"),
    ("Northstar PPO (demo)", Payer.Kind.COMMERCIAL, "DEMO2"),
    ("Horizon Medicare Advantage (demo)", Payer.Kind.MEDICARE_ADVANTAGE, "DEMO3"),
    ("State Medicaid (demo)", Payer.Kind.MEDICAID, "DEMO4"),
    ("Medigap Plan G (demo)", Payer.Kind.COMMERCIAL, "DEMO5"),
    ("Self-pay", Payer.Kind.SELF_PAY, ""),
]

# ICD-10-CM codes of the demo population, with how common each is among the center's patients.
DIAGNOSIS_MIX: list[tuple[str, int]] = [
    ("K50.90", 14),
    ("K50.00", 5),
    ("K51.90", 10),
    ("M06.9", 12),
    ("M05.79", 6),
    ("L40.50", 5),
    ("L40.0", 4),
    ("G35.A", 7),
    ("D50.9", 9),
    ("D50.0", 4),
    ("M81.0", 8),
    ("D83.9", 4),
    ("M32.9", 4),
    ("M45.9", 3),
    ("G43.709", 3),
]

ALLERGIES = [
    ("Penicillin", "Hives", "moderate"),
    ("Sulfa drugs", "Rash", "mild"),
    ("Latex", "Contact dermatitis", "mild"),
    ("Iodinated contrast", "Anaphylaxis", "severe"),
    ("Codeine", "Nausea", "mild"),
]


def _payers(ctx: DemoContext) -> None:
    riverside = ctx.organizations["riverside"]
    for name, kind, payer_id in PAYERS:
        payer, _ = Payer.objects.get_or_create(
            organization=riverside,
            name=name,
            defaults={"kind": kind, "payer_id": payer_id, "is_demo": "demo" in name},
        )
        ctx.payers[name] = payer


def _pick_diagnosis(rng: random.Random) -> str:
    codes, weights = zip(*DIAGNOSIS_MIX, strict=True)
    return str(rng.choices(codes, weights=weights)[0])


def _demo_patient(rng: random.Random, n: int, ctx: DemoContext, today: dt.date) -> Patient:
    sex = rng.choice("FFFM")  # autoimmune disease is commoner in women
    first = rng.choice(FIRST_FEMALE if sex == "F" else FIRST_MALE)
    city, state, zip_prefix = rng.choice(CITIES)
    born = today - dt.timedelta(days=rng.randint(19 * 365, 86 * 365))
    return Patient.objects.create(
        organization=ctx.organizations["riverside"],
        mrn=f"DEMO-{100000 + n}",
        first_name=first,
        last_name=rng.choice(LAST),
        date_of_birth=born,
        sex=sex,
        phone=f"(555) 01{rng.randint(0, 9)}-{rng.randint(1000, 9999)}",
        email=f"{first.lower()}{n}@example.org" if rng.random() < 0.7 else "",
        address_line1=f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}",
        city=city,
        state=state,
        postal_code=f"{zip_prefix}{rng.randint(100, 999)}",
        preferred_language=(lang := rng.choice(LANGUAGES)),
        interpreter_needed=lang != "English" and rng.random() < 0.6,
        home_location=ctx.locations["eastgate" if rng.random() < 0.35 else "main"],
        no_known_allergies=rng.random() < 0.75,
    )


def _tz(patient: Patient) -> dt.tzinfo:
    home = patient.home_location
    return home.tz if home else timezone.get_current_timezone()


def _office_time(rng: random.Random, day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """A time between 08:00 and 16:45 local on ``day``, moved off a weekend to the Friday."""
    day -= dt.timedelta(days=max(0, day.weekday() - 4))
    start = dt.datetime.combine(day, dt.time(8), tzinfo=tz)
    return start + dt.timedelta(minutes=15 * rng.randint(0, 35))


def registered_at(patient: Patient, today: dt.date) -> dt.datetime:
    """When a demo patient was registered: one to ``REGISTERED_WITHIN_DAYS`` days ago, the
    same for an MRN on every run (its own seed, so the rest of the chart is unchanged)."""
    rng = random.Random(f"riverside-registered-{patient.mrn}")
    day = today - dt.timedelta(days=rng.randint(1, REGISTERED_WITHIN_DAYS))
    return _office_time(rng, day, _tz(patient))


def register_by(patient: Patient, day: dt.date) -> None:
    """A demo chart exists by ``day`` (an order signed, a referral received): a registration
    after that day moves back to within two weeks before it; an older one stays."""
    tz = _tz(patient)
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rng = random.Random(f"riverside-registered-{patient.mrn}-{day.isoformat()}")
    at = _office_time(rng, day - dt.timedelta(days=rng.randint(0, 14)), tz)
    Patient.objects.filter(pk=patient.pk, created_at__gte=after).update(created_at=at)


def _demo_chart(rng: random.Random, patient: Patient, ctx: DemoContext, today: dt.date) -> None:
    code = _pick_diagnosis(rng)
    description = icd10_description(code)
    if description:
        Diagnosis.objects.create(
            patient=patient,
            icd10_code=code,
            description=description,
            is_primary=True,
            noted_on=today - dt.timedelta(days=rng.randint(60, 3000)),
        )
    if not patient.no_known_allergies and rng.random() < 0.6:
        substance, reaction, severity = rng.choice(ALLERGIES)
        Allergy.objects.create(
            patient=patient, substance=substance, reaction=reaction, severity=severity
        )
    height = Decimal(rng.randint(152, 172) if patient.sex == "F" else rng.randint(165, 190))
    weight = Decimal(rng.randint(480, 1250)) / 10
    registered = timezone.localdate(patient.created_at, _tz(patient))
    for months_ago in (9, 5, 1):
        drift = Decimal(rng.randint(-20, 20)) / 10
        measured_on = today - dt.timedelta(days=30 * months_ago + rng.randint(0, 20))
        if measured_on < registered:  # weighed here only since registration
            if months_ago != 1:
                continue
            measured_on = registered  # every chart keeps a current weight
        BodyMeasurement.objects.create(
            patient=patient,
            measured_on=measured_on,
            weight_kg=weight + drift,
            height_cm=height,
        )
    _demo_coverage(rng, patient, ctx, today)


def _demo_coverage(rng: random.Random, patient: Patient, ctx: DemoContext, today: dt.date) -> None:
    start = today.replace(month=1, day=1)
    age = patient.age_on(today)
    member = f"DEMO{rng.randint(10**8, 10**9 - 1)}"
    if age >= 65:
        if rng.random() < 0.35:
            Coverage.objects.create(
                patient=patient,
                payer=ctx.payers["Horizon Medicare Advantage (demo)"],
                member_id=member,
                order=1,
                effective_from=start,
            )
            return
        Coverage.objects.create(
            patient=patient,
            payer=ctx.payers["Medicare Part B"],
            member_id=f"1EG4TE5MK{rng.randint(10, 99)}",
            order=1,
            effective_from=start,
            plan_name="Original Medicare",
        )
        if rng.random() < 0.7:
            Coverage.objects.create(
                patient=patient,
                payer=ctx.payers["Medigap Plan G (demo)"],
                member_id=member,
                order=2,
                effective_from=start,
            )
        return
    roll = rng.random()
    if roll < 0.12:
        payer = ctx.payers["State Medicaid (demo)"]
    elif roll < 0.97:
        payer = ctx.payers[
            rng.choice(["Keystone Commercial Health (demo)", "Northstar PPO (demo)"])
        ]
    else:
        payer = ctx.payers["Self-pay"]
    Coverage.objects.create(
        patient=patient,
        payer=payer,
        member_id=member if payer.kind != "self_pay" else "SELF",
        order=1,
        effective_from=start,
        group_number=f"G{rng.randint(1000, 9999)}" if payer.kind == "commercial" else "",
    )


@transaction.atomic
def seed_patients(ctx: DemoContext, count: int = PATIENT_COUNT) -> None:
    _payers(ctx)
    today = timezone.localdate()
    organization = ctx.organizations["riverside"]
    existing = set(Patient.objects.filter(organization=organization).values_list("mrn", flat=True))
    created = 0
    for n in range(1, count + 1):
        if f"DEMO-{100000 + n}" in existing:
            continue
        rng = random.Random(
            f"riverside-patient-{n}"
        )  # one seed per patient: the same center every time
        patient = _demo_patient(rng, n, ctx, today)
        patient.created_at = registered_at(patient, today)  # auto_now_add: set by update()
        Patient.objects.filter(pk=patient.pk).update(created_at=patient.created_at)
        _demo_chart(rng, patient, ctx, today)
        created += 1
    ctx.summary.append(f"{count} demo patients ({created} new)")


def demo_logins() -> list[tuple[str, str, str]]:
    return [(u, role, org) for u, (role, org) in DEMO_USERS.items()]
