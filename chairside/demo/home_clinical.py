"""The demo home-infusion pharmacy's clinical side: synthetic, made-up data only.

Eight of Riverside Home Infusion's demo patients each get one home-infusion order, one of
every therapy type (drugs by name only: no NDC, no price), a plan of care, the teaching
their caregiver or they received (signed by the nurse with her own password), and the
pharmacist's monitoring notes. The plan of ``DEMO-HC-0002`` (ceftriaxone) is deliberately
incomplete — unsigned, no 24-hour phone, no caregiver, no teaching — so the missing-items
list has something to show; ``DEMO-HC-0001`` (vancomycin) has a trough above goal, a dose
change recommended and a follow-up due today.

The prescriber is a made-up infectious-diseases physician with a check-digit-valid demo NPI;
the pharmacist ``hcpharmacist`` (password ``chairside-demo``) writes the monitoring notes.
Idempotent: nothing is added once the pharmacy has home-infusion orders.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider
from chairside.demo import DemoContext
from chairside.demo.foundation import demo_npi
from chairside.demo.keys import DEMO_PASSWORD
from chairside.homecare import services
from chairside.homecare.models import HomeInfusionOrder, TeachingRecord
from chairside.patients.models import Allergy, Patient
from chairside.tenancy.models import Location, Membership, Organization, StaffMember

PHARMACIST = ("hcpharmacist", "Priya", "Raman")
NURSE_LOGIN = "cwhitman"
PHONE_24H = "(555) 010-4001"
ALL_TOPICS = list(TeachingRecord.Topic.values)
FLUSHES = ["Saline flush 10 mL syringes", "Heparin lock flush 5 mL syringes", "Alcohol pads"]
DRESSING = ["PICC dressing change kit", "Sharps container"]

# (MRN, therapy, drug as written, dose, unit, doses a day, every n days, continuous,
#  days, access, administration, nursing, pump, labs, caregiver)
ORDERS: tuple[tuple[Any, ...], ...] = (
    (
        "DEMO-HC-0001", "iv_antibiotic", "Vancomycin (demo)", "1250", "mg", 2, 1, False, 42,
        "picc", "elastomeric", "weekly", "Elastomeric 250 mL, 2 h (demo)",
        [("CBC with differential", "weekly"), ("BMP", "weekly"),
         ("Vancomycin trough", "before the 4th dose, then weekly")],
        ("Luis Ortega", "Son", "(555) 014-2201"),
    ),
    (
        "DEMO-HC-0002", "iv_antibiotic", "Ceftriaxone (demo)", "2", "g", 1, 1, False, 28,
        "midline", "gravity", "weekly", "",
        [],
        None,
    ),
    (
        "DEMO-HC-0003", "ivig", "Immune globulin IV 10% (demo)", "0.4", "g/kg", 1, 28, False,
        168, "peripheral", "ambulatory_pump", "each_dose", "Ambulatory infusion pump (demo)",
        [("BMP (renal function)", "before each infusion")],
        ("Marta Kowal", "Wife", "(555) 014-2203"),
    ),
    (
        "DEMO-HC-0004", "scig", "Immune globulin SC 20% (demo)", "0.2", "g/kg", 1, 7, False,
        182, "none", "sc_pump", "monthly", "Subcutaneous syringe driver (demo)",
        [("IgG trough", "every 3 months")],
        ("None — patient self-administers", "", ""),
    ),
    (
        "DEMO-HC-0005", "hydration", "Sodium chloride 0.9% (demo)", "1000", "mL", 1, 1, False,
        7, "port", "gravity", "twice_weekly", "",
        [("BMP", "twice a week")],
        ("Dana Reyes", "Daughter", "(555) 014-2205"),
    ),
    (
        "DEMO-HC-0006", "parenteral_nutrition", "Parenteral nutrition, compounded (demo)",
        "2000", "mL", 1, 1, False, 90, "picc", "ambulatory_pump", "weekly",
        "Ambulatory PN pump, 12 h cycle (demo)",
        [("BMP, magnesium, phosphorus", "weekly"), ("Liver function tests", "weekly"),
         ("Triglycerides", "every 2 weeks"), ("Blood glucose", "daily for the first 3 days")],
        ("Sam Whitfield", "Husband", "(555) 014-2206"),
    ),
    (
        "DEMO-HC-0007", "inotrope", "Milrinone (demo)", "0.375", "mcg/kg/min", 1, 1, True, 90,
        "picc", "ambulatory_pump", "weekly", "Ambulatory infusion pump, continuous (demo)",
        [("BMP with magnesium", "weekly")],
        ("Joan Price", "Wife", "(555) 014-2207"),
    ),
    (
        "DEMO-HC-0008", "pain_management", "Morphine PCA (demo)", "1", "mg/h", 1, 1, True, 30,
        "port", "ambulatory_pump", "twice_weekly", "PCA pump with lock-out (demo)",
        [],
        ("Eli Brooks", "Partner", "(555) 014-2208"),
    ),
)  # fmt: skip
ANAPHYLAXIS = {"iv_antibiotic", "ivig", "scig"}


def _prescriber(org: Organization) -> ReferringProvider:
    provider, _ = ReferringProvider.objects.get_or_create(
        organization=org,
        npi=demo_npi(91800101),
        defaults={
            "first_name": "Helen",
            "last_name": "Abara",
            "credential": "MD",
            "specialty": "Infectious disease",
            "practice_name": "Riverside ID Associates (demo)",
            "phone": "(555) 010-4100",
            "fax": "(555) 010-4101",
        },
    )
    return provider


def _pharmacist(ctx: DemoContext, org: Organization, location: Location) -> Any:
    username, first, last = PHARMACIST
    users = get_user_model()
    user, created = users.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "pharmacist"})
    StaffMember.objects.get_or_create(
        organization=org,
        first_name=first,
        last_name=last,
        defaults={
            "credential": "PharmD",
            "job_title": "Clinical pharmacist",
            "home_location": location,
            "user": user,
            "license_state": "PA",
            "license_number": "DEMO-PharmD-4100",
        },
    )
    ctx.users[username] = user
    return user


def _order(
    org: Organization, patient: Patient, provider: ReferringProvider, row: tuple[Any, ...]
) -> HomeInfusionOrder:
    _, therapy, drug, dose, unit, per_day, every, continuous, days, access, device, nursing = row[
        :12
    ]
    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    return services.home_order_save(
        organization=org,
        user=None,
        patient=patient,
        values=services.HomeOrderValues(
            therapy_type=therapy,
            drug_name=drug,
            dose_amount=Decimal(dose),
            dose_unit=unit,
            doses_per_day=per_day,
            every_days=every,
            continuous=continuous,
            start_date=start,
            duration_days=days,
            access_device=access,
            access_inserted_on=start - dt.timedelta(days=1) if access != "none" else None,
            administration_device=device,
            supplies=(FLUSHES + DRESSING) if access in ("picc", "midline") else FLUSHES,
            nursing_visit_frequency=nursing,
            ordering_provider=provider,
            signed_on=start - dt.timedelta(days=2),
            status=HomeInfusionOrder.Status.ACTIVE,
            notes="Demo order",
        ),
    )


def _plan(
    org: Organization,
    patient: Patient,
    order: HomeInfusionOrder,
    provider: ReferringProvider,
    row: tuple[Any, ...],
) -> Any:
    pump, labs, caregiver = row[12], row[13], row[14]
    incomplete = caregiver is None
    today = timezone.localdate()
    if not incomplete and not patient.no_known_allergies and not patient.allergies.exists():
        Allergy.objects.create(patient=patient, substance="Penicillin (demo)", reaction="hives")
    name, relation, phone = caregiver or ("", "", "")
    return services.plan_of_care_create(
        organization=org,
        user=None,
        patient=patient,
        values=services.PlanValues(
            orders=[order],
            signed_on=None if incomplete else today - dt.timedelta(days=8),
            signing_provider=None if incomplete else provider,
            review_due_on=today + dt.timedelta(days=22),
            goals=f"Complete the ordered course of {order.drug_display} at home.\n"
            "No line infection or unplanned hospital stay.",
            access_device=order.access_device,
            access_inserted_on=order.access_inserted_on,
            pump=pump,
            monitoring_labs=labs,
            emergency_phone="" if incomplete else PHONE_24H,
            anaphylaxis_kit=order.therapy_type in ANAPHYLAXIS and not incomplete,
            emergency_instructions=""
            if incomplete
            else "Call 911 for breathing trouble or swelling; then the 24-hour line.",
            caregiver_name=name,
            caregiver_relationship=relation,
            caregiver_phone=phone,
            discharge_plan=""
            if incomplete
            else "Line removed by the home nurse after the last dose; summary to the prescriber.",
        ),
    )


def _teach(
    org: Organization, patient: Patient, plan: Any, nurse: Any, row: tuple[Any, ...]
) -> None:
    caregiver = row[14]
    if caregiver is None:  # the deliberately incomplete plan: no teaching documented
        return
    learner_name = patient.full_name if caregiver[0].startswith("None") else caregiver[0]
    learner = "patient" if caregiver[0].startswith("None") else "caregiver"
    today = timezone.localdate()
    first_try = [t for t in ALL_TOPICS if t != "pump_operation"]
    for topics, outcome, days_ago in (
        (first_try, "competent", 9),
        (["pump_operation"], "reinforce", 9),
        (["pump_operation"], "competent", 6),
    ):
        services.teaching_sign(
            organization=org,
            user=nurse,
            patient=patient,
            values=services.TeachingValues(
                taught_on=today - dt.timedelta(days=days_ago),
                topics=topics,
                learner=learner,
                learner_name=learner_name,
                method="demonstration",
                outcome=outcome,
                notes="Teach-back and return demonstration (demo)."
                if outcome == "competent"
                else "Alarm silencing needs another session (demo).",
                plan=plan,
            ),
            username=NURSE_LOGIN,
            password=DEMO_PASSWORD,
            ip_address=None,
        )


def _monitoring(org: Organization, pharmacist: Any, orders: dict[str, HomeInfusionOrder]) -> None:
    today = timezone.localdate()
    me = StaffMember.objects.get(organization=org, user=pharmacist)
    vanco = orders["DEMO-HC-0001"]
    services.monitoring_note_create(
        organization=org,
        user=pharmacist,
        patient=vanco.patient,
        values=services.MonitoringValues(
            order=vanco,
            noted_on=today - dt.timedelta(days=1),
            labs=[
                ("Vancomycin trough", "22.4", "mg/L"),
                ("Serum creatinine", "1.4", "mg/dL"),
                ("WBC", "7.8", "10^3/uL"),
            ],
            assessment="Trough above the goal range with serum creatinine up from 1.0 at start "
            "of care (demo).",
            plan="Hold tonight's dose; recommend a lower dose to the prescriber; repeat trough "
            "and creatinine (demo).",
            dose_change_recommended=True,
            recommended_change="Vancomycin 1000 mg IV q12h (demo)",
            follow_ups=[
                services.FollowUpValues("Repeat vancomycin trough and SCr", today, me),
                services.FollowUpValues(
                    "Confirm the new dose with Dr. Abara", today + dt.timedelta(days=2), me
                ),
            ],
        ),
    )
    pn = orders["DEMO-HC-0006"]
    services.monitoring_note_create(
        organization=org,
        user=pharmacist,
        patient=pn.patient,
        values=services.MonitoringValues(
            order=pn,
            noted_on=today - dt.timedelta(days=3),
            labs=[
                ("Potassium", "3.9", "mmol/L"),
                ("Phosphorus", "3.1", "mg/dL"),
                ("Triglycerides", "180", "mg/dL"),
            ],
            assessment="Electrolytes within range on the current formula (demo).",
            plan="Continue the formula; weekly labs (demo).",
            follow_ups=[
                services.FollowUpValues("Review weekly PN labs", today + dt.timedelta(days=4), me)
            ],
        ),
    )


@transaction.atomic
def seed_home_clinical(ctx: DemoContext) -> None:
    org = ctx.organizations.get("homecare")
    location = ctx.locations.get("homecare")
    if org is None or location is None:
        return
    pharmacist = _pharmacist(ctx, org, location)
    if HomeInfusionOrder.objects.filter(organization=org).exists():
        ctx.summary.append("Home-infusion orders and plans of care: already seeded")
        return
    provider = _prescriber(org)
    nurse = get_user_model().objects.get(username=NURSE_LOGIN)
    orders: dict[str, HomeInfusionOrder] = {}
    for row in ORDERS:
        patient = Patient.objects.get(organization=org, mrn=row[0])
        order = _order(org, patient, provider, row)
        plan = _plan(org, patient, order, provider, row)
        _teach(org, patient, plan, nurse, row)
        orders[row[0]] = order
    _monitoring(org, pharmacist, orders)
    ctx.summary.append(
        f"{len(ORDERS)} home-infusion orders (one of each therapy), plans of care, teaching, "
        "2 pharmacist notes"
    )
