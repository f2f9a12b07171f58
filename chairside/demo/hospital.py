"""The demo hospital outpatient infusion department: synthetic, made-up data only.

"Riverside Hospital Outpatient Infusion (demo)" is a client of the same management company
as the demo center, an off-campus provider-based department of a hospital (site type
``hospital_off_campus``, POS 19, excepted: its lines carry modifier PO). Its visits bill the
facility's services on the institutional claim (837I / UB-04) under OPPS: a month of
infusions (infliximab, ocrelizumab, tocilizumab, with a diphenhydramine push before some),
derived from demo encounter facts like the demo center's billing history, checked, and sent
in weekly 837I files that pyx12 validates; the OPPS demo Addendum B (made-up rates, marked
DEMO) gives each claim its payment estimate.

Idempotent: rows are looked up by natural keys (names, MRNs, visit keys) before they are
made, a visit already billed is left alone, and only ready claims not yet sent go out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.billing.models import (
    AspPrice,
    AspPricingFile,
    BillingProfile,
    ChargeMasterItem,
    Claim,
    ContractAdminFee,
    DrugPrice,
    Encounter,
    OppsRateFile,
    PayerContract,
)
from chairside.billing.services import asp_file_import, charges_derive, claims_export
from chairside.billing.services.fees import DEMO_ASP_FILE
from chairside.billing.services.opps import DEMO_FILE as DEMO_OPPS_FILE
from chairside.billing.services.opps import opps_file_import
from chairside.demo import DemoContext
from chairside.demo.foundation import demo_npi
from chairside.formulary.services import reference_formulary
from chairside.patients.models import Coverage, Patient, Payer
from chairside.patients.selectors import claim_coverages, claim_person
from chairside.rules.billing import claim_states as states
from chairside.rules.billing.admin_codes import Administration
from chairside.rules.billing.charges import DrugGiven, EncounterFacts, Provider
from chairside.rules.inventory.ndc import to_ndc11
from chairside.tenancy.models import Location, Membership, Organization

ORG_NAME = "Riverside Hospital Outpatient Infusion (demo)"
MANAGEMENT_COMPANY = "Summit Infusion Management (demo)"
DEPARTMENT = "Riverside Hospital Infusion Department (demo)"
DEMO_EIN = "234731917"  # made up, a prefix the IRS assigns
TZ = ZoneInfo("America/New_York")
DAYS = 30
SUBMIT_AFTER_DAYS = 3
SEED = "riverside-hospital"

ATTENDING = Provider(demo_npi(91700001), "Okonkwo", "Adaeze", "MD")  # department physician
REFERRING = (
    Provider(demo_npi(91700002), "Lindqvist", "Paul", "MD"),
    Provider(demo_npi(91700003), "Ferreira", "Luisa", "MD"),
)

# DEMO charge master (the hospital's own list prices), revenue codes left to the standard
# ones (0335 chemotherapy/complex IV, 0260 IV therapy, 0636 drugs).
ADMIN_CHARGES = {"96413": "520", "96415": "130", "96365": "340", "96366": "110", "96375": "90"}

# (formulary key, HCPCS, billing unit mg, dose mg, packages opened (mg each, NDC, NDC
# quantity each, unit, count), infusion minutes, ICD-10-CM). NDCs, units and quantities from
# the shipped formulary reference (chairside/formulary/data/formulary.json).
REGIMENS = (
    ("infliximab", "J1745", 10, 350, ((100, "57894-0030-01", 1, "UN", 4),), 130, "K50.90"),
    ("ocrelizumab", "J2350", 1, 600, ((300, "50242-0150-01", 10, "ML", 2),), 215, "G35.A"),
    (
        "tocilizumab-iv",
        "J3262",
        1,
        560,
        ((200, "50242-0136-01", 10, "ML", 2), (80, "50242-0135-01", 4, "ML", 2)),
        60,
        "M05.79",
    ),
)
# Made-up patients (last, first, sex): each comes once in the month, as these regimens run
# (tocilizumab IV every 4 weeks, infliximab every 8 weeks, ocrelizumab every 6 months).
PATIENTS = (
    ("Harlan", "Ruth", "F"),
    ("Oyelaran", "Tomi", "M"),
    ("Castellanos", "Marisol", "F"),
    ("Brandt", "Wendell", "M"),
    ("Nakagawa", "Emi", "F"),
    ("Whitfield", "Dorothy", "F"),
    ("Achterberg", "Lena", "F"),
    ("Mbeki", "Samuel", "M"),
    ("Rinaldi", "Carla", "F"),
    ("Soto", "Ignacio", "M"),
    ("Quill", "Harriet", "F"),
    ("Dubois", "Anouk", "F"),
    ("Pahlavi", "Darius", "M"),
    ("Lindgren", "Maja", "F"),
    ("Okafor", "Chidi", "M"),
    ("Vance", "Eleanor", "F"),
    ("Ibarra", "Lucia", "F"),
    ("Kowalczyk", "Piotr", "M"),
    ("Fairweather", "June", "F"),
    ("Haddad", "Rami", "M"),
    ("Sørensen", "Ingrid", "F"),
    ("Tran", "Minh", "M"),
    ("Abernathy", "Cole", "M"),
    ("Yilmaz", "Elif", "F"),
)


def _organization() -> tuple[Organization, Location]:
    summit, _ = Organization.objects.get_or_create(
        name=MANAGEMENT_COMPANY, defaults={"kind": Organization.Kind.MANAGEMENT_COMPANY}
    )
    org, _ = Organization.objects.get_or_create(
        name=ORG_NAME,
        defaults={
            "kind": Organization.Kind.PRACTICE,
            "managed_by": summit,
            "group_npi": demo_npi(91700000),
            "tax_id": DEMO_EIN,
            "phone": "(555) 010-3000",
        },
    )
    location, _ = Location.objects.get_or_create(
        organization=org,
        name=DEPARTMENT,
        defaults={
            "site_type": Location.SiteType.HOSPITAL_OFF_CAMPUS,
            "place_of_service": "19",
            "off_campus_status": "excepted",
            "address_line1": "800 Mill Race Road",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19002",
            "phone": "(555) 010-3001",
            "nurse_patient_ratio": 3,
        },
    )
    return org, location


# DEMO contract fees per administration code (made up, not OPPS rates).
ADMIN_FEES = (("96413", "310"), ("96415", "0"), ("96365", "190"), ("96366", "0"), ("96375", "0"))


def _drug_costs(org: Organization) -> None:
    """Acquisition cost per billing unit (the formulary reference's demo prices), so the
    margins report costs the drugs."""

    wanted = {hcpcs for _k, hcpcs, *_r in REGIMENS} | {"J1200"}
    for row in reference_formulary():
        if row["hcpcs"] in wanted:
            cost = Decimal(row["demo_prices"]["acquisition_cost_per_unit"])
            DrugPrice.objects.get_or_create(
                organization=org,
                hcpcs=row["hcpcs"],
                defaults={
                    "acquisition_cost_per_unit": cost,
                    "wac_per_unit": cost * Decimal("1.08"),
                    "is_demo": True,
                },
            )


def _prices(org: Organization) -> dict[str, Payer]:
    BillingProfile.objects.get_or_create(
        organization=org,
        defaults={
            "billing_name": org.name,
            "npi": org.group_npi,
            "tax_id": org.tax_id,
            "address_line1": "800 Mill Race Road",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19002-0800",
            "submitter_id": "RIVHOSPDEMO",
            "contact_name": "Marcus Bell",
            "contact_phone": "5550103000",
            "receiver_name": "DEMO Clearinghouse",
            "receiver_id": "DEMOCLEARING",
            "supplies_cost_per_visit": Decimal("35.00"),
            "nurse_cost_per_hour": Decimal("61.00"),
        },
    )
    if not AspPricingFile.objects.filter(organization=org, filename=DEMO_ASP_FILE.name).exists():
        asp_file_import(
            organization=org,
            data=DEMO_ASP_FILE.read_bytes(),
            filename=DEMO_ASP_FILE.name,
            user=None,
        )
    if not OppsRateFile.objects.filter(organization=org, filename=DEMO_OPPS_FILE.name).exists():
        opps_file_import(
            organization=org,
            data=DEMO_OPPS_FILE.read_bytes(),
            filename=DEMO_OPPS_FILE.name,
            user=None,
            is_demo=True,
        )
    limits = dict(
        AspPrice.objects.filter(file__organization=org).values_list("hcpcs", "payment_limit")
    )
    charges = {code: Decimal(price) for code, price in ADMIN_CHARGES.items()}
    for _key, hcpcs, *_rest in REGIMENS:
        charges[hcpcs] = (limits[hcpcs] * 2).quantize(Decimal("0.01"))
    charges["J1200"] = Decimal("12.00")
    _drug_costs(org)
    for code, price in charges.items():
        ChargeMasterItem.objects.get_or_create(
            organization=org, code=code, defaults={"price_per_unit": price, "is_demo": True}
        )
    payers = {
        "medicare": Payer.objects.get_or_create(
            organization=org,
            name="Medicare Part A/B (demo MAC)",
            defaults={"kind": Payer.Kind.MEDICARE_B, "payer_id": "DEMO0", "is_demo": True},
        )[0],
        "commercial": Payer.objects.get_or_create(
            organization=org,
            name="Keystone Commercial Health (demo)",
            defaults={"kind": Payer.Kind.COMMERCIAL, "payer_id": "DEMO1", "is_demo": True},
        )[0],
    }
    for kind, payer in payers.items():
        contract, created = PayerContract.objects.get_or_create(
            organization=org,
            payer=payer,
            defaults={
                "drug_basis": "asp",
                "drug_percent": Decimal(100 if kind == "medicare" else 115),
                "patient_share_percent": Decimal(20 if kind == "medicare" else 10),
                "requires_prior_authorization": kind != "medicare",
                "is_demo": True,
                "notes": "DEMO terms, made up for the demo hospital department.",
            },
        )
        if created:
            ContractAdminFee.objects.bulk_create(
                ContractAdminFee(contract=contract, cpt=code, amount=Decimal(fee))
                for code, fee in ADMIN_FEES
            )
    return payers


def _patients(org: Organization, location: Location, payers: dict[str, Payer]) -> list[Patient]:
    found = []
    start = timezone.localdate().replace(month=1, day=1)
    rng = random.Random(SEED)
    for n, (last, first, sex) in enumerate(PATIENTS, start=1):
        born = dt.date(rng.randint(1942, 1998), rng.randint(1, 12), rng.randint(1, 28))
        kind = "medicare" if born.year <= timezone.localdate().year - 65 else "commercial"
        patient, created = Patient.objects.get_or_create(
            organization=org,
            mrn=f"HOPD-{200000 + n}",
            defaults={
                "first_name": first,
                "last_name": last,
                "date_of_birth": born,
                "sex": sex,
                "address_line1": f"{30 + n * 7} Mill Race Road",
                "city": "Riverside",
                "state": "PA",
                "postal_code": "19002",
                "home_location": location,
                "no_known_allergies": True,
            },
        )
        if created:
            Coverage.objects.create(
                patient=patient,
                payer=payers[kind],
                member_id=f"1EG4TE5MK{70 + n}" if kind == "medicare" else f"DEMO7{n:05d}",
                order=1,
                effective_from=start,
                plan_name="Original Medicare" if kind == "medicare" else "",
                group_number="" if kind == "medicare" else "G7001",
            )
        found.append(patient)
    return found


def _facts(patient: Patient, location: Location, day: dt.date, n: int) -> EncounterFacts:
    key, hcpcs, unit, dose, vials, minutes, icd10 = REGIMENS[n % len(REGIMENS)]
    name = key.removesuffix("-iv")
    start = dt.datetime(day.year, day.month, day.day, 9 + n % 4, 0, tzinfo=TZ)
    premedicated = key != "tocilizumab-iv"
    infusion_start = start + dt.timedelta(minutes=15 if premedicated else 0)
    administrations = [
        Administration(
            "chemo", "infusion", infusion_start, infusion_start + dt.timedelta(minutes=minutes), key
        )
    ]
    opened_total = sum(Decimal(mg * count) for mg, _ndc, _q, _u, count in vials)
    drugs = [
        DrugGiven(
            name,
            hcpcs,
            Decimal(unit),
            Decimal(dose) * Decimal(mg * count) / opened_total,  # the dose shared by package
            Decimal(mg * count),
            ndc11=to_ndc11(ndc),
            ndc_quantity=Decimal(quantity * count),
            ndc_unit=ndc_unit,
            drug_key=key,
        )
        for mg, ndc, quantity, ndc_unit, count in vials
    ]
    if premedicated:
        administrations.insert(
            0,
            Administration(
                "therapeutic", "push", start, start + dt.timedelta(minutes=5), "diphenhydramine"
            ),
        )
        drugs.append(
            DrugGiven(
                "diphenhydramine",
                "J1200",
                Decimal(50),
                Decimal(25),
                Decimal(50),
                ndc11=to_ndc11("25021-0481-01"),
                ndc_quantity=Decimal(1),
                ndc_unit="ML",
                drug_key="diphenhydramine-inj",
            )
        )
    return EncounterFacts(
        encounter_ref=f"hopd-demo-{day:%Y%m%d}-{patient.mrn}",
        date_of_service=day,
        place_of_service=location.place_of_service,
        patient=claim_person(patient),
        account_number=patient.mrn,
        coverages=claim_coverages(patient, day),
        diagnoses=(icd10,),
        rendering_provider=ATTENDING,
        supervising_provider=ATTENDING,
        referring_provider=REFERRING[n % len(REFERRING)],
        administrations=tuple(administrations),
        drugs=tuple(drugs),
        prior_authorization=f"DEMO-PA-{patient.mrn}",
        setting="facility",
    )


def _visits(org: Organization, location: Location, patients: list[Patient], today: dt.date) -> int:
    """Each patient's infusion on a weekday of the past month (the same day on every run)."""
    existing = set(
        Encounter.objects.filter(organization=org).values_list("encounter_ref", flat=True)
    )
    weekdays = [
        day
        for offset in range(DAYS, SUBMIT_AFTER_DAYS - 1, -1)
        if (day := today - dt.timedelta(days=offset)).weekday() < 5
    ]
    made = 0
    for n, patient in enumerate(patients):
        day = weekdays[(n * 7) % len(weekdays)]
        facts = _facts(patient, location, day, n)
        if facts.encounter_ref in existing:
            continue
        charges_derive(
            organization=org,
            patient=patient,
            location=location,
            facts=facts,
            source=Encounter.Source.DEMO,
        )
        made += 1
    return made


def _submit(org: Organization, today: dt.date) -> int:
    """One 837I file a week; a refusal (the check, or pyx12) is a bug, never skipped."""
    ready = Claim.objects.filter(
        organization=org,
        state=states.READY,
        encounter__date_of_service__lte=today - dt.timedelta(days=SUBMIT_AFTER_DAYS),
    ).select_related("encounter")
    weeks: dict[dt.date, list[Claim]] = defaultdict(list)
    for claim in ready:
        day = claim.encounter.date_of_service
        weeks[day - dt.timedelta(days=day.weekday())].append(claim)
    sent = 0
    for week, claims in sorted(weeks.items()):
        try:
            claims_export(organization=org, claims=claims, user=None)
        except ValidationError as exc:
            raise RuntimeError(
                f"Demo 837I for the week of {week:%Y-%m-%d} was refused: " + "; ".join(exc.messages)
            ) from exc
        sent += len(claims)
    return sent


def _memberships(org: Organization, ctx: DemoContext) -> None:
    """The management company's administrator sees the department read-only, as it sees
    the demo center (the center's own log-ins stay with the center: one organization each)."""

    for username, role in (("manager", "auditor"),):
        user = ctx.users.get(username)
        if user is not None:
            Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})


@transaction.atomic
def seed_hospital_department(ctx: DemoContext) -> None:
    """The demo hospital outpatient infusion department and a month of its 837I claims."""
    org, location = _organization()
    payers = _prices(org)
    patients = _patients(org, location, payers)
    today = timezone.localdate()
    made = _visits(org, location, patients, today)
    sent = _submit(org, today)
    _memberships(org, ctx)
    ctx.organizations["hospital"] = org
    ctx.locations["hospital"] = location
    claims = Claim.objects.filter(organization=org).count()
    ctx.summary.append(
        f"{ORG_NAME}: {claims} institutional claims ({made} new visits, {sent} sent in 837I files)"
    )
