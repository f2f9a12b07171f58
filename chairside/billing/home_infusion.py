"""Home infusion as billing reads it: the period, the order's therapy and the documentation.

One home infusion encounter per patient per calendar month (``home:<patient>:<YYYY-MM>``):
its lines are the month's days of therapy and nursing visits, proposed by
``rules.billing.home_infusion_billing``. Everything here reads; the writes are in
``services.home_infusion``. Billing comes after home care in the flow of work, so it reads
home care's selectors and models; home care never imports billing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from chairside.billing.models import ChargeLine, Claim, Encounter, PayerContract
from chairside.homecare import selectors as homecare
from chairside.homecare.models import (
    AdministrationDevice,
    DeliveryTicket,
    HomeInfusionOrder,
    HomeVisit,
)
from chairside.rules.billing.charges import Provider
from chairside.rules.billing.claim_check import HomeInfusionCheck
from chairside.rules.billing.home_infusion_billing import (
    COMMERCIAL,
    HIT_CODES,
    MEDICAID,
    MEDICARE_B,
    PER_DIEM_SCALE,
    HomeDrug,
    HomeTherapy,
    NursingVisit,
    hit_category_of,
)
from chairside.rules.billing.home_infusion_suite import SUITE_MODIFIER, SuiteTerms

REF_PREFIX = "home:"
HIT_G_CODES = frozenset(code for pair in HIT_CODES.values() for code in pair)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar month holding ``day``."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def encounter_ref(patient: Any, month_start: dt.date) -> str:
    return f"{REF_PREFIX}{patient.public_id}:{month_start:%Y-%m}"


def is_home_infusion(encounter: Encounter) -> bool:
    return encounter.encounter_ref.startswith(REF_PREFIX)


def payer_category(payer_kind: str) -> str:
    """Medicare Part B bills HIT G-codes; Medicaid and every other payer (commercial,
    Medicare Advantage and TRICARE plans under their own contracts) the per diem."""
    if payer_kind == "medicare_b":
        return MEDICARE_B
    return MEDICAID if payer_kind == "medicaid" else COMMERCIAL


@dataclass(frozen=True)
class HomeOrderFacts:
    """What the home infusion order and plan of care give billing for a period."""

    therapy: HomeTherapy
    plan_signed_on: dt.date | None
    diagnoses: tuple[str, ...]
    referring: Provider | None = None
    discharged_since: bool = False


# Home care's therapy types in the rules' terms (rules.home_infusion_billing.THERAPIES).
THERAPY = {
    HomeInfusionOrder.TherapyType.IV_ANTIBIOTIC: "anti_infective",
    HomeInfusionOrder.TherapyType.IVIG: "immunotherapy",
    HomeInfusionOrder.TherapyType.SCIG: "immunotherapy",
    HomeInfusionOrder.TherapyType.HYDRATION: "hydration",
    HomeInfusionOrder.TherapyType.PARENTERAL_NUTRITION: "tpn",
    HomeInfusionOrder.TherapyType.INOTROPE: "inotrope",
    HomeInfusionOrder.TherapyType.PAIN_MANAGEMENT: "pain_management",
    HomeInfusionOrder.TherapyType.OTHER: "other",
}
# An external infusion pump billed as DME (External Infusion Pumps LCD: E0779-E0781 and
# the like); an elastomeric pump is a disposable supply, gravity and push use no pump.
DME_PUMPS = frozenset({AdministrationDevice.AMBULATORY_PUMP, AdministrationDevice.SC_PUMP})
# Medicare HIT payment category 1 therapies (Benefit Policy Manual ch. 15 §320.8.1:
# pain management, inotropic ... drugs); categories 2 and 3 by the drug's J-code.
HIT_CATEGORY_1_THERAPIES = frozenset({"inotrope", "pain_management"})


def billing_order(
    *, organization: Any, patient: Any, start: dt.date, end: dt.date
) -> HomeInfusionOrder | None:
    """The patient's signed home infusion order in force in the period (the latest)."""
    for order in homecare.home_orders(organization=organization, patient=patient).exclude(
        status=HomeInfusionOrder.Status.PENDING
    ):
        last = order.last_day
        if order.start_date <= end and (last is None or last >= start):
            return order
    return None


def order_facts(
    *, organization: Any, patient: Any, start: dt.date, end: dt.date
) -> HomeOrderFacts | None:
    """The patient's home infusion order in force in the period and the signed date of the
    current plan of care, as billing needs them (None when there is no order)."""
    order = billing_order(organization=organization, patient=patient, start=start, end=end)
    if order is None:
        return None
    plan = homecare.current_plan(organization=organization, patient=patient)
    diagnoses = (order.diagnosis_code,) if order.diagnosis_code else ()
    if not diagnoses:
        diagnoses = tuple(d.icd10_code for d in patient.diagnoses.all())
    provider = order.ordering_provider
    return HomeOrderFacts(
        therapy=order_therapy(order),
        plan_signed_on=plan.signed_on if plan is not None else None,
        diagnoses=diagnoses,
        referring=Provider(
            npi=provider.npi,
            last_name=provider.last_name,
            first_name=provider.first_name,
            credential=provider.credential,
        ),
    )


def order_therapy(order: HomeInfusionOrder) -> HomeTherapy:
    """The order in the rules' terms: therapy, frequency / volume / mode, the drug per day,
    and for Medicare HIT the DME pump and the payment category."""
    kind = THERAPY[HomeInfusionOrder.TherapyType(order.therapy_type)]
    doses = int(order.doses_per_day)
    liters = None
    if order.dose_unit == HomeInfusionOrder.DoseUnit.ML:
        liters = order.dose_amount * doses / 1000
    drug = _home_drug(order)
    category = hit_category_of(drug.hcpcs) if drug is not None else None
    if category is None and kind in HIT_CATEGORY_1_THERAPIES:
        category = 1
    return HomeTherapy(
        therapy=kind,
        drug=drug,
        every_hours=24 // doses if 24 % doses == 0 and not order.continuous else None,
        liters_per_day=liters,
        mode="continuous" if order.continuous else "intermittent",
        hit_category=category,
        via_dme_pump=order.administration_device in DME_PUMPS,
    )


def _home_drug(order: HomeInfusionOrder) -> HomeDrug | None:
    """The formulary drug per day: HCPCS units of the daily mg, and the NDC of the package
    that holds a dose (quantity: the packages a day needs). None for a drug written in
    ``drug_name`` (not in the formulary: no HCPCS or NDC to bill it by)."""
    drug = order.drug if order.drug_id else None
    if drug is None or order.dose_unit != HomeInfusionOrder.DoseUnit.MG:
        return None
    daily_mg = order.dose_amount * int(order.doses_per_day)
    units = math.ceil(daily_mg / drug.billing_unit_mg)
    package = drug.packages.order_by("-strength_mg").first()
    if package is None:
        return HomeDrug(drug.hcpcs, drug.generic_name, units)
    packages = math.ceil(order.dose_amount / package.strength_mg) * int(order.doses_per_day)
    return HomeDrug(
        hcpcs=drug.hcpcs,
        description=drug.generic_name,
        units_per_day=units,
        ndc=package.ndc11,
        ndc_quantity=package.ndc_quantity * packages,
        ndc_unit=package.ndc_unit,
    )


def visit_signed(visit: HomeVisit) -> bool:
    """A home visit counts as documented once it is completed (signed off by the nurse)."""
    return visit.status == HomeVisit.Status.COMPLETED


def visit_minutes(visit: HomeVisit) -> int:
    """The nurse's time in the home: arrival to departure as documented at the visit, else
    (a visit completed without times, as older records were) the minutes it was booked for.
    CPT bills 99601/99602 on the time spent (rules.home_infusion_billing.nursing_units)."""
    documented = visit.documented_minutes
    return documented if documented else int(visit.duration_minutes)


def nursing_visits(visits: list[HomeVisit]) -> list[NursingVisit]:
    return [
        NursingVisit(
            date=v.date,
            minutes=visit_minutes(v),
            signed=visit_signed(v),
            in_home=v.setting == HomeVisit.Setting.HOME,
            nurse_present=v.nurse_id is not None,
        )
        for v in visits
    ]


@dataclass(frozen=True)
class HomeTerms:
    """A payer's home infusion terms: how its per diem is coded and its suite terms."""

    per_diem_coding: str = PER_DIEM_SCALE
    suite: SuiteTerms = SuiteTerms()


def home_terms(*, organization: Any, payer: Any) -> HomeTerms:
    """The payer's home infusion terms (its contract), else the rules' defaults (per diem
    by interval or volume; at the suite POS 49 and the nurse's time in the per diem)."""
    contract = (
        PayerContract.objects.filter(organization=organization, payer=payer).first()
        if payer is not None
        else None
    )
    if contract is None:
        return HomeTerms()
    return HomeTerms(
        per_diem_coding=contract.per_diem_coding,
        suite=SuiteTerms(
            place_of_service=contract.suite_place_of_service, nursing=contract.suite_nursing
        ),
    )


def therapy_days(
    tickets: list[DeliveryTicket], visits: list[HomeVisit], today: dt.date
) -> list[dt.date]:
    """The days of therapy: each day with a delivery or a completed home visit, before today
    (a per diem day is billed once it is over)."""
    days = {t.date for t in tickets} | {v.date for v in visits if visit_signed(v)}
    return sorted(d for d in days if d < today)


def last_hit_visit(*, organization: Any, patient: Any, before: dt.date) -> dt.date | None:
    """The last day a HIT G-code was billed for the patient before ``before``."""
    line = (
        ChargeLine.objects.filter(
            organization=organization,
            encounter__patient=patient,
            status=ChargeLine.Status.CURRENT,
            code__in=HIT_G_CODES,
            date_of_service__lt=before,
        )
        .order_by("-date_of_service")
        .first()
    )
    return line.date_of_service if line is not None else None


def outside_history(*, organization: Any, patient: Any) -> tuple[dt.date | None, str]:
    """The patient's last HIT visit by another supplier and who it was, as the home-infusion
    intake recorded it ((None, "") when none is known)."""
    found = homecare.outside_hit_history(organization=organization, patient=patient)
    if found is None or found.last_visit_on is None:
        return None, ""
    return found.last_visit_on, found.supplier


def home_check(claim: Claim) -> HomeInfusionCheck | None:
    """The home infusion facts the claim check needs, read now (a proof of delivery recorded
    after the claim was built clears its problem at the next check); None for other claims."""
    encounter = claim.encounter
    if not is_home_infusion(encounter):
        return None
    organization, patient = claim.organization, encounter.patient
    start, end = month_of(encounter.date_of_service)
    order = order_facts(organization=organization, patient=patient, start=start, end=end)
    tickets, visits = homecare.patient_services(
        organization=organization, patient=patient, start=start, end=end
    )
    per_diem_days = {
        item.line.date_of_service
        for item in claim.items.select_related("line")
        if item.line.code.startswith("S")
    }
    undelivered: dict[dt.date, dt.date] = {}
    for day in sorted(per_diem_days):
        ticket = homecare.last_delivery_on_or_before(
            organization=organization, patient=patient, day=day
        )
        if ticket is not None and ticket.status != DeliveryTicket.Status.DELIVERED:
            undelivered[day] = ticket.date
    outside_last, outside_supplier = outside_history(organization=organization, patient=patient)
    return HomeInfusionCheck(
        payer_category=payer_category(claim.payer.kind),
        plan_signed_on=order.plan_signed_on if order is not None else None,
        signed_visit_days=frozenset(v.date for v in visits if visit_signed(v)),
        undelivered_days=undelivered,
        via_dme_pump=bool(order and order.therapy.via_dme_pump),
        last_hit_visit=last_hit_visit(organization=organization, patient=patient, before=start),
        discharged_since=bool(order and order.discharged_since),
        outside_last_visit=outside_last,
        outside_supplier=outside_supplier,
    )


@dataclass(frozen=True)
class MonthRow:
    """One patient's home infusion month on the billing page."""

    patient: Any
    deliveries: int
    without_proof: int
    visits_done: int
    encounter: Encounter | None
    claim: Claim | None
    suite_visits: int = 0  # signed visits at the pharmacy's infusion suite
    suite_lines: int = 0  # current claim lines with modifier SS (the suite days)


def month_rows(*, organization: Any, month: dt.date) -> list[MonthRow]:
    """Every patient with a delivery or home visit in the month, with what is billed."""
    start, end = month_of(month)
    rows = []
    for patient in homecare.home_patients_with_services(
        organization=organization, start=start, end=end
    ):
        tickets, visits = homecare.patient_services(
            organization=organization, patient=patient, start=start, end=end
        )
        encounter = Encounter.objects.filter(
            organization=organization, encounter_ref=encounter_ref(patient, start)
        ).first()
        claim = (
            encounter.claims.filter(superseded=False)
            .select_related("payer")
            .order_by("sequence")
            .first()
            if encounter is not None
            else None
        )
        rows.append(
            MonthRow(
                patient=patient,
                deliveries=len(tickets),
                without_proof=sum(t.status != DeliveryTicket.Status.DELIVERED for t in tickets),
                visits_done=sum(visit_signed(v) for v in visits),
                encounter=encounter,
                claim=claim,
                suite_visits=sum(
                    visit_signed(v) and v.setting == HomeVisit.Setting.SUITE for v in visits
                ),
                suite_lines=(
                    encounter.current_lines.filter(modifiers__contains=SUITE_MODIFIER).count()
                    if encounter is not None
                    else 0
                ),
            )
        )
    return rows
