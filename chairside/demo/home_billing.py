"""The demo home infusion pharmacy's billing: its past days billed by per diem (demo data).

Riverside Home Infusion Pharmacy (demo) gets what billing needs (billing settings with a
made-up EIN, demo charge master prices for its per diem and nursing codes, an ordering
physician with a made-up NPI), a home infusion order and a signed plan of care for each
patient who has none, its past home visits documented and signed by their nurses
(``home_visits.document_past_visits``: billing reads the documented minutes), and the
month(s) of its past deliveries and visits derived into claims with its two per diem payers
(``services.home_charges_derive``). One delivery of the last day served is left without
proof of delivery (the courier's paperwork is not back), so that patient's claim shows the
problem on the claim page. A few past visits were at the pharmacy's own infusion suite, for
the payer whose contract has suite terms (``home_suite``: per diem with SS at POS 49, the
nurse billed with SS). Idempotent: nothing is billed again once the pharmacy has a home
infusion encounter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider
from chairside.billing import home_infusion
from chairside.billing.models import BillingProfile, ChargeMasterItem, Encounter
from chairside.billing.services import home_charges_derive
from chairside.demo import DemoContext, home_suite, home_visits
from chairside.demo.foundation import demo_npi
from chairside.demo.homecare import LOCATION, ORG_NAME
from chairside.homecare import selectors
from chairside.homecare import services as homecare
from chairside.homecare.models import DeliveryTicket, HomeInfusionOrder, PlanOfCare
from chairside.patients.models import Patient
from chairside.tenancy.models import Location, Organization

DEMO_EIN = "234731928"  # made up, a prefix the IRS assigns
# Demo charge master prices (made up): the per diem codes the demo orders use, nursing.
PRICES = {
    "S9500": "150.00",
    "S9501": "170.00",
    "S9502": "190.00",
    "S9374": "120.00",
    "S9366": "290.00",
    "S9367": "320.00",
    "S9338": "210.00",
    "S9348": "260.00",
    "S9326": "240.00",
    "99601": "165.00",
    "99602": "75.00",
}
T = HomeInfusionOrder.TherapyType
# (therapy, drug as written, dose, unit, doses a day, administration device), by patient.
ORDERS: tuple[tuple[str, str, str, str, int, str], ...] = (
    (T.IV_ANTIBIOTIC, "vancomycin (compounded, demo)", "1250", "mg", 1, "elastomeric"),
    (T.IV_ANTIBIOTIC, "ceftriaxone (compounded, demo)", "2000", "mg", 1, "gravity"),
    (T.IV_ANTIBIOTIC, "cefazolin (compounded, demo)", "2000", "mg", 3, "elastomeric"),
    (T.HYDRATION, "sodium chloride 0.9% (demo)", "1000", "mL", 1, "gravity"),
    (
        T.PARENTERAL_NUTRITION,
        "parenteral nutrition (compounded, demo)",
        "2500",
        "mL",
        1,
        "ambulatory_pump",
    ),
)
MISSING_PROOF_NOTE = "Demo: the courier's proof of delivery is not back yet."


def _billing_setup(org: Organization) -> ReferringProvider:
    BillingProfile.objects.get_or_create(
        organization=org,
        defaults={
            "billing_name": org.name,
            "npi": org.group_npi,
            "tax_id": DEMO_EIN,
            "address_line1": "12 Depot Row",
            "city": "Riverside",
            "state": "PA",
            "postal_code": "19003-0012",
            "submitter_id": "RIVERHOMEDEMO",
            "receiver_name": "DEMO Clearinghouse",
            "receiver_id": "DEMOCLEARING",
        },
    )
    for code, price in PRICES.items():
        ChargeMasterItem.objects.get_or_create(
            organization=org,
            code=code,
            defaults={"price_per_unit": Decimal(price), "is_demo": True},
        )
    provider, _ = ReferringProvider.objects.get_or_create(
        organization=org,
        first_name="Helen",
        last_name="Okafor",
        defaults={"npi": demo_npi(91800001), "credential": "MD", "specialty": "Infectious disease"},
    )
    return provider


def _orders(org: Organization, provider: ReferringProvider, today: dt.date) -> None:
    """A signed order and plan of care for each demo home patient who has none."""
    patients = Patient.objects.filter(organization=org, mrn__startswith="DEMO-HC-").order_by("mrn")
    start = today - dt.timedelta(days=40)
    for n, patient in enumerate(patients):
        if HomeInfusionOrder.objects.filter(organization=org, patient=patient).exists():
            continue
        therapy, drug, dose, unit, doses, device = ORDERS[n % len(ORDERS)]
        diagnosis = patient.diagnoses.filter(is_primary=True).first()
        order = HomeInfusionOrder.objects.create(
            organization=org,
            patient=patient,
            therapy_type=therapy,
            drug_name=drug,
            dose_amount=Decimal(dose),
            dose_unit=unit,
            doses_per_day=doses,
            start_date=start,
            duration_days=90,
            access_device="picc",
            administration_device=device,
            ordering_provider=provider,
            signed_on=start,
            diagnosis_code=diagnosis.icd10_code if diagnosis else "",
            status=HomeInfusionOrder.Status.ACTIVE,
        )
        if not PlanOfCare.objects.filter(organization=org, patient=patient).exists():
            plan = PlanOfCare.objects.create(organization=org, patient=patient, signed_on=start)
            plan.orders.add(order)


def _missing_proof(org: Organization, location: Location, today: dt.date) -> Patient | None:
    """An extra delivery on the last day served before today (the pharmacy is closed on
    Sundays) for a patient served that day, with no proof of delivery yet."""
    served = (
        DeliveryTicket.objects.filter(organization=org, date__lt=today, status="delivered")
        .select_related("patient")
        .order_by("-date", "id")
        .first()
    )
    if served is None:
        return None
    homecare.delivery_create(
        organization=org,
        user=None,
        patient=served.patient,
        location=location,
        date=served.date,
        window_start=dt.time(15),
        window_end=dt.time(18),
        items=[homecare.ItemIn(Decimal(10), "Saline flush 10 mL syringes", unit="each")],
        note=MISSING_PROOF_NOTE,
    )
    return served.patient


@transaction.atomic
def seed_home_billing(ctx: DemoContext) -> None:
    org = Organization.objects.filter(name=ORG_NAME).first()
    location = Location.objects.filter(organization=org, name=LOCATION).first()
    if org is None or location is None:
        return
    if Encounter.objects.filter(
        organization=org, encounter_ref__startswith=home_infusion.REF_PREFIX
    ).exists():
        ctx.summary.append(f"{ORG_NAME} billing: already seeded")
        return
    today = timezone.localdate()
    provider = _billing_setup(org)
    _orders(org, provider, today)
    suite_visits = home_suite.seed_suite(org, location, today)
    documented, undocumented = home_visits.document_past_visits(org)
    _missing_proof(org, location, today)
    yesterday = today - dt.timedelta(days=1)
    months = sorted({home_infusion.month_of(today - dt.timedelta(days=n))[0] for n in (1, 8)})
    billed = refused = 0
    for month in months:
        start, end = home_infusion.month_of(month)
        for patient in _served(org, start, min(end, yesterday)):
            try:
                home_charges_derive(organization=org, patient=patient, month=month, user=None)
                billed += 1
            except ValidationError:
                refused += 1
    ctx.summary.append(
        f"{ORG_NAME}: {documented} past home visits documented and signed "
        f"({undocumented} left: no nurse log-in), {suite_visits} of them at the infusion suite; "
        f"billing: {billed} patient-months billed "
        f"({refused} refused)"
    )


def _served(org: Organization, start: dt.date, end: dt.date) -> Any:

    return selectors.home_patients_with_services(organization=org, start=start, end=end)
