"""Home infusion as billing reads it: the period, the order's therapy and the documentation.

One home infusion encounter per patient per calendar month (``home:<patient>:<YYYY-MM>``):
its lines are the month's days of therapy and nursing visits, proposed by
``rules.home_infusion_billing``. Everything here reads; the writes are in
``services.home_infusion``. Billing comes after home care in the flow of work, so it reads
home care's selectors and models; home care never imports billing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from chairside.billing.models import ChargeLine, Claim, Encounter
from chairside.homecare import selectors as homecare
from chairside.homecare.models import DeliveryTicket, HomeVisit
from chairside.rules.charges import Provider
from chairside.rules.claim_check import HomeInfusionCheck
from chairside.rules.home_infusion_billing import (
    COMMERCIAL,
    HIT_CODES,
    MEDICAID,
    MEDICARE_B,
    HomeTherapy,
    NursingVisit,
)

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


def order_facts(*, organization: Any, patient: Any, start: dt.date, end: dt.date) -> Any:
    """The patient's home infusion order in force in the period, as billing needs it
    (None when there is none)."""
    return None


def visit_signed(visit: HomeVisit) -> bool:
    """A home visit counts as documented once it is completed (signed off by the nurse)."""
    return visit.status == HomeVisit.Status.COMPLETED


def nursing_visits(visits: list[HomeVisit]) -> list[NursingVisit]:
    return [
        NursingVisit(
            date=v.date,
            minutes=int(v.duration_minutes),
            signed=visit_signed(v),
            in_home=True,
            nurse_present=v.nurse_id is not None,
        )
        for v in visits
    ]


def therapy_days(
    tickets: list[DeliveryTicket], visits: list[HomeVisit], today: dt.date
) -> list[dt.date]:
    """The days of therapy: each day with a delivery or a completed home visit, up to today."""
    days = {t.date for t in tickets} | {v.date for v in visits if visit_signed(v)}
    return sorted(d for d in days if d <= today)


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
    return HomeInfusionCheck(
        payer_category=payer_category(claim.payer.kind),
        plan_signed_on=order.plan_signed_on if order is not None else None,
        signed_visit_days=frozenset(v.date for v in visits if visit_signed(v)),
        undelivered_days=undelivered,
        via_dme_pump=bool(order and order.therapy.via_dme_pump),
        last_hit_visit=last_hit_visit(organization=organization, patient=patient, before=start),
        discharged_since=bool(order and order.discharged_since),
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
            )
        )
    return rows
