"""The demo pharmacy's ambulatory infusion suite: a payer contract with suite terms and a few
past visits at the suite (demo data).

Riverside Home Infusion Pharmacy (demo) infuses some patients in its own suite instead of at
home. Its per diem payer Northstar PPO (demo) gets a contract (entered through the product's
``payer_contract_save``) whose suite terms are the ones ``rules.billing.home_infusion_suite``
leaves to the payer: place of service 49 (Independent Clinic, the default that BCBS North
Dakota's home infusion policy asks for) and the suite nurse's time billed as 99601/99602 with
modifier SS. The contract's drug and coinsurance terms are the form's defaults; no price is
added (the per diem and nursing codes keep the demo charge master's made-up prices of
``home_billing.PRICES``). Three of that payer's patients on an intermittent IV order come to
the suite on a past weekday without a home visit; the visits are booked with
``visit_create(setting="suite")``, then documented and signed by their nurses with the home
visits (``home_visits.document_past_visits``), and billed with the month
(``home_charges_derive``): the suite day's per diem carries SS at POS 49, with a 99601-SS
line for the nurse. Called by ``home_billing.seed_home_billing`` before it documents and
bills, so it runs once with it.
"""

from __future__ import annotations

import datetime as dt

from chairside.billing import home_infusion
from chairside.billing.models import PayerContract
from chairside.billing.services import payer_contract_save
from chairside.homecare import services as homecare
from chairside.homecare.models import HomeInfusionOrder, HomeVisit, PlanOfCare
from chairside.patients.models import Coverage, Patient, Payer
from chairside.rules.billing import home_infusion_suite as suite
from chairside.rules.billing.home_infusion_billing import HomeBillingRuleError, per_diem_code
from chairside.tenancy.models import Location, Organization, StaffMember

SUITE_PAYER = "Northstar PPO (demo)"
CONTRACT_NOTE = (
    "DEMO terms, made up for the demo pharmacy: infusion suite visits on POS 49, the suite "
    "nurse's time billed as 99601/99602 with modifier SS."
)
SUITE_PURPOSE = "Infusion at the pharmacy's suite (demo)"
SUITE_VISITS = 3
# Orders given as an infusion the nurse starts and stops (not a pump or a nightly cycle).
SUITE_THERAPIES = frozenset(
    {HomeInfusionOrder.TherapyType.IV_ANTIBIOTIC, HomeInfusionOrder.TherapyType.HYDRATION}
)
NURSES = (("Clara", "Whitman"), ("Jamal", "Moreno"))  # the RNs with a log-in


def seed_suite(org: Organization, location: Location, today: dt.date) -> int:
    """The contract with suite terms and the suite visits; returns the visits booked."""
    payer = Payer.objects.filter(organization=org, name=SUITE_PAYER).first()
    if payer is None:
        return 0
    if not PayerContract.objects.filter(organization=org, payer=payer).exists():
        contract = payer_contract_save(
            organization=org,
            user=None,
            payer=payer,
            suite_place_of_service=suite.DEFAULT_SUITE_POS,
            suite_nursing=suite.NURSING_BILLED,
            notes=CONTRACT_NOTE,
        )
        PayerContract.objects.filter(pk=contract.pk).update(is_demo=True)
    nurses = [
        StaffMember.objects.get(organization=org, first_name=first, last_name=last)
        for first, last in NURSES
    ]
    covered = (
        Coverage.objects.filter(patient__organization=org, payer=payer, order=1)
        .values_list("patient_id", flat=True)
        .distinct()
    )
    orders = (
        HomeInfusionOrder.objects.filter(
            organization=org,
            patient_id__in=covered,
            therapy_type__in=SUITE_THERAPIES,
            continuous=False,
        )
        .select_related("patient")
        .order_by("patient__mrn")
    )
    # Past weekdays, most recent first (the pharmacy is closed on Sundays).
    days = [today - dt.timedelta(days=n) for n in range(1, 8)]
    days = [d for d in days if d.weekday() != 6]
    booked = 0
    for order in orders:
        if booked == SUITE_VISITS:
            break
        patient = order.patient
        visited = set(
            HomeVisit.objects.filter(organization=org, patient=patient, date__in=days).values_list(
                "date", flat=True
            )
        )
        day = next(
            (
                d
                for d in days[booked:]
                if d not in visited and order.is_active_on(d) and _billable(org, patient, d)
            ),
            None,
        )
        if day is None:
            continue
        homecare.visit_create(
            organization=org,
            user=None,
            patient=patient,
            location=location,
            date=day,
            window_start=dt.time(9 + booked),
            window_end=dt.time(10 + booked),
            duration_minutes=90,
            purpose=SUITE_PURPOSE,
            nurse=nurses[booked % len(nurses)],
            setting=HomeVisit.Setting.SUITE,
        )
        booked += 1
    return booked


def _billable(org: Organization, patient: Patient, day: dt.date) -> bool:
    """The month's therapy has a verified per diem code (a dosing interval without one is
    refused by billing, which would leave the suite day unbilled) and the plan of care is
    signed (the demo's unsigned plan of care is another claim's problem to show)."""
    plans = PlanOfCare.objects.filter(organization=org, patient=patient)
    if not plans.exists() or plans.filter(signed_on__isnull=True).exists():
        return False
    start, end = home_infusion.month_of(day)
    facts = home_infusion.order_facts(organization=org, patient=patient, start=start, end=end)
    if facts is None:
        return False
    try:
        per_diem_code(facts.therapy)
    except (HomeBillingRuleError, ValueError):
        return False
    return True
