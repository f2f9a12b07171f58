"""Reads for visits, always scoped to one organization.

``visit_state`` gathers what decides whether a visit can be signed (the pure rule is
``rules.clinical.visit_checks.missing_steps``); ``dose_plan`` says what dose to prepare and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.referrals.selectors import labs_due
from chairside.inventory.models import Lot
from chairside.patients.models import Coverage, Payer
from chairside.rules.clinical.allergy_check import Conflict, allergy_conflicts
from chairside.rules.clinical.infusion import observation_until
from chairside.rules.clinical.regimens import describe_band, weight_band_index
from chairside.rules.clinical.visit_checks import (
    VisitState,
    consent_problem,
    identity_confirmed,
    missing_steps,
    touch_decision,
    weight_needs_provider,
)
from chairside.rules.scheduling import appointment_states
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import StaffMember
from chairside.treatments.models import (
    Administration,
    Consent,
    Preparation,
    Reaction,
    Visit,
    VisitAlert,
    VisitReport,
)

STEP_ORDER = ("checks", "preparation", "administration", "discharge", "sign")
STEP_LABELS = {
    "checks": "Check-in checks",
    "preparation": "Preparation",
    "administration": "Administration",
    "discharge": "Observation & discharge",
    "sign": "Sign",
}


def access_visit(*, organization: Any, public_id: Any) -> Visit:
    """The organization's visit, or 404 — never another organization's."""
    return get_object_or_404(
        Visit.objects.select_related(
            "patient",
            "order__drug",
            "order__ordering_provider",
            "location",
            "chair",
            "nurse",
            "supervising_provider",
            "appointment",
            "signed_by",
        ),
        organization=organization,
        public_id=public_id,
    )


def access_administration(*, visit: Visit, public_id: Any) -> Administration:
    """One administration of this visit (already scoped to the organization), or 404."""
    return get_object_or_404(Administration, visit=visit, public_id=public_id)


def access_reaction(*, visit: Visit, public_id: Any) -> Reaction:
    """One reaction recorded at this visit, or 404."""
    return get_object_or_404(Reaction, visit=visit, public_id=public_id)


def access_appointment(*, organization: Any, public_id: Any) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "order__drug", "location", "chair", "nurse"),
        organization=organization,
        public_id=public_id,
    )


def access_report(*, organization: Any, public_id: Any) -> VisitReport:
    return get_object_or_404(
        VisitReport.objects.select_related("visit__patient", "recipient"),
        organization=organization,
        public_id=public_id,
    )


def access_alert(*, organization: Any, public_id: Any) -> VisitAlert:
    return get_object_or_404(
        VisitAlert.objects.select_related("visit__patient"),
        organization=organization,
        public_id=public_id,
    )


def lots_for_dose(visit: Visit) -> list[Lot]:
    """Lots at the site this patient's dose may come from: unexpired, with stock, not
    quarantined, the center's own or this patient's (never another patient's)."""
    found = (
        Lot.objects.filter(
            organization=visit.organization,
            storage_place__location=visit.location,
            package__drug=visit.order.drug,
            on_hand__gt=0,
            expires_on__gte=visit.date,
        )
        .exclude(storage_place__kind="quarantine")
        .select_related("package", "storage_place", "patient")
        .order_by("expires_on", "pk")
    )
    return [lot for lot in found if lot.patient_id in (None, visit.patient_id)]


def preparation_of(visit: Visit) -> Preparation | None:
    try:
        return Preparation.objects.prefetch_related("vials__lot__package").get(visit=visit)
    except Preparation.DoesNotExist:
        return None


def primary_administration(visit: Visit) -> Administration | None:
    return visit.administrations.filter(is_primary=True).order_by("started_at").first()


# --- consent, weight, dose ----------------------------------------------------------------


def current_consent(visit: Visit) -> Consent | None:
    """The patient's latest consent to the visit's drug (it may have lapsed)."""
    return (
        Consent.objects.filter(patient=visit.patient, drug=visit.order.drug)
        .order_by("-signed_at", "-id")
        .first()
    )


def latest_consent_any_drug(visit: Visit) -> Consent | None:
    return Consent.objects.filter(patient=visit.patient).select_related("drug").first()


def visit_consent_problem(visit: Visit) -> str:
    consent = current_consent(visit) or latest_consent_any_drug(visit)
    return consent_problem(
        consent_drug=str(consent.drug) if consent else None,
        expires_on=consent.expires_on if consent else None,
        revoked=bool(consent and consent.revoked_at),
        visit_drug=str(visit.order.drug),
        on=visit.date,
    )


def weight_band_changed(visit: Visit) -> bool:
    """Today's weight falls in another of the order's weight bands than the order weight."""
    return visit.order.band_changes(visit.weight_kg, visit.dose_number)


def weight_check_needed(visit: Visit) -> bool:
    order = visit.order
    return weight_needs_provider(
        weight_based=order.is_weight_based,
        ordered_kg=order.weight_kg_at_order,
        today_kg=visit.weight_kg,
        band_changed=weight_band_changed(visit),
    )


@dataclass(frozen=True)
class DosePlan:
    """The dose to prepare today: mg, how it was worked out, or why it cannot be yet."""

    dose_mg: Decimal | None
    basis: str
    problem: str = ""


def dose_plan(visit: Visit) -> DosePlan:
    """Today's dose from the order: at the order's weight, or at today's weight when it
    moved by more than 10 % or into another weight band (then the provider's confirmation
    is a check-in step)."""
    return plan_dose(visit.order, visit.dose_number, visit.weight_kg, "today's weight")


def plan_dose(order: Any, dose_number: int, weight_kg: Decimal | None, label: str) -> DosePlan:
    """The dose of ``order``'s dose ``dose_number`` for a patient now weighing ``weight_kg``
    (``label`` says which weight that is: today's, or the latest on file)."""
    if not order.is_weight_based:
        dose = _mg(order.dose_for_weight(None, dose_number))
        return DosePlan(dose, f"flat dose {dose.normalize():f} mg (dose {dose_number})")
    if weight_kg is None:
        kind = "by weight band" if order.dose_bands else "per kg"
        return DosePlan(None, "", f"Record today's weight first (the dose is {kind}).")
    use_now = order.weight_kg_at_order is None or weight_needs_provider(
        weight_based=True,
        ordered_kg=order.weight_kg_at_order,
        today_kg=weight_kg,
        band_changed=order.band_changes(weight_kg, dose_number),
    )
    weight = weight_kg if use_now else order.weight_kg_at_order
    dose = _mg(order.dose_for_weight(weight, dose_number))
    rule = order.dose_rule(dose_number)
    which = label if use_now else "the order's weight"
    if rule.bands and weight is not None:
        index = weight_band_index(rule, Decimal(weight))
        assert index is not None  # the rule has bands
        band = describe_band(rule.bands, index)
        return DosePlan(
            dose, f"weight band {band} at {weight} kg ({which}) = {dose.normalize():f} mg"
        )
    per_kg = f"{rule.mg_per_kg.normalize():f} mg/kg" if rule.mg_per_kg else ""
    cap = f", capped at {rule.max_mg.normalize():f} mg" if rule.max_mg else ""
    return DosePlan(dose, f"{per_kg} × {weight} kg ({which}){cap} = {dose.normalize():f} mg")


def _mg(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.001"))


# --- what is missing ------------------------------------------------------------------------


def labs_due_messages(visit: Visit) -> list[str]:

    return [due.message for due in labs_due(order=visit.order, on_date=visit.date)]


def program_required(visit: Visit) -> bool:
    """Natalizumab's TOUCH program (any drug whose formulary entry names TOUCH)."""
    return "TOUCH" in (visit.order.drug.special_program or "").upper()


def observation_end(visit: Visit) -> dt.datetime | None:
    last = visit.administrations.exclude(stopped_at=None).order_by("-stopped_at").first()
    if last is None or last.stopped_at is None:
        return None
    return observation_until(last.stopped_at, visit.order.drug.observation_minutes)


def _observation_short(visit: Visit) -> int:
    ends = observation_end(visit)
    if ends is None or visit.discharged_at is None or visit.discharged_at >= ends:
        return 0
    return int((ends - visit.discharged_at).total_seconds() // 60)


def visit_allergy_conflicts(visit: Visit) -> list[Conflict]:
    """The chart's allergies against today's drug and the premedications (ordered, given)."""
    drug = visit.order.drug
    substances = [a.substance for a in visit.patient.allergies.all()]
    if not substances:
        return []
    names = tuple(n for n in (drug.brand_name,) if n)
    premeds = (visit.order.premedications, visit.premeds_given)
    return allergy_conflicts(substances, (drug.generic_name, names), premeds)


def visit_state(visit: Visit) -> VisitState:
    """The documented facts that decide whether the visit can be signed."""
    prep = preparation_of(visit)
    primary = primary_administration(visit)
    vitals_phases = set(visit.vitals.values_list("phase", flat=True))
    program = None
    if program_required(visit):
        program = touch_decision(visit.program_answers, bool(visit.program_cleared_by))
    return VisitState(
        identity_confirmed=identity_confirmed(visit.identifiers),
        consent_problem=visit_consent_problem(visit),
        allergies_reviewed=visit.allergies_reviewed_at is not None,
        allergy_status_recorded=visit.patient.no_known_allergies
        or visit.patient.allergies.exists(),
        weight_recorded=visit.weight_kg is not None,
        weight_needs_provider=weight_check_needed(visit),
        weight_band_changed=weight_band_changed(visit),
        weight_confirmed=bool(visit.weight_confirmed_by),
        pre_vitals="pre" in vitals_phases,
        labs_due=tuple(labs_due_messages(visit)),
        labs_cleared=bool(visit.labs_cleared_by),
        program=program,
        premeds_ordered=bool(visit.order.premedications.strip() or visit.order.premedication_set),
        premeds_documented=bool(
            visit.premeds_given
            or visit.premeds_not_given_reason
            or visit.administrations.filter(order_item__startswith="premed:").exists()
        ),
        dose_held=visit.dose_held,
        held_reason=visit.held_reason,
        prepared=prep is not None and prep.is_prepared,
        preparation_checked=prep is not None and prep.checked_by_id is not None,
        waste_witness_needed=waste_witness_needed(visit, prep),
        waste_witnessed=prep is not None and prep.waste_witnessed_by_id is not None,
        administration_started=primary is not None,
        administration_stopped=primary is not None and primary.stopped_at is not None,
        open_reactions=visit.reactions.filter(outcome="").count(),
        discharge_vitals="post" in vitals_phases,
        discharged=visit.discharged_at is not None and bool(visit.discharge_condition),
        observation_short_by_minutes=_observation_short(visit),
        early_discharge_reason=visit.early_discharge_reason,
        extra=tuple(_allergy_missing(visit) + _dose_given_missing(primary) + _still_running(visit)),
    )


def waste_witness_needed(visit: Visit, prep: Any = None) -> bool:
    """The drug is marked for witnessed waste and the opened vials hold more than the dose."""
    prep = prep if prep is not None else preparation_of(visit)
    if prep is None or not visit.order.drug.waste_witness_required:
        return False
    return bool(prep.waste_expected_mg > 0)


def _allergy_missing(visit: Visit) -> list[tuple[str, str]]:
    """An allergy to today's drug stops the visit until the dose is held or the ordering
    provider's decision is recorded (``rules.clinical.allergy_check``)."""
    if visit.dose_held or visit.allergy_cleared_by:
        return []
    return [("checks", c.message) for c in visit_allergy_conflicts(visit) if c.refuse]


def still_running(visit: Visit) -> list[Administration]:
    """Administrations other than the ordered drug with no stop time (a push, a premed,
    hydration): none may stay "running" through signing (issue 21 item 6)."""
    return list(visit.administrations.filter(is_primary=False, stopped_at=None))


def _still_running(visit: Visit) -> list[tuple[str, str]]:
    tz = visit.location.tz
    return [
        (
            "administration",
            f"{admin.substance} ({admin.get_method_display()}, started "
            f"{admin.started_at.astimezone(tz):%H:%M}) is still running: record its stop time.",
        )
        for admin in still_running(visit)
    ]


def _dose_given_missing(primary: Administration | None) -> list[tuple[str, str]]:
    if primary is None or primary.stopped_at is None or primary.dose_given_mg is not None:
        return []
    return [("administration", "The infusion stopped early: record the dose actually given.")]


def visit_missing(visit: Visit) -> list[tuple[str, str]]:
    """What still stops signing. A signed visit was complete when it was signed: later
    changes to the chart (a consent withdrawn, an allergy added) do not reopen its steps."""
    if visit.is_signed:
        return []
    return missing_steps(visit_state(visit))


def step_status(visit: Visit, missing: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
    """The step bar: each step, done or how many items are missing, and which is current."""
    missing = visit_missing(visit) if missing is None else missing
    counts = {step: sum(1 for s, _ in missing if s == step) for step in STEP_ORDER}
    first = next((s for s in STEP_ORDER if counts[s]), "sign")
    rows = []
    for step in STEP_ORDER:
        if step == "sign":
            done = visit.is_signed
        elif visit.dose_held and step in {"preparation", "administration"}:
            done = None  # not needed today
        else:
            done = counts[step] == 0
        rows.append(
            {"key": step, "label": STEP_LABELS[step], "done": done, "missing": counts[step]}
        )
    return [{**row, "first_open": row["key"] == first} for row in rows]


def is_medicare_b(visit: Visit) -> bool:
    primary = (
        Coverage.objects.filter(patient=visit.patient, order=Coverage.Order.PRIMARY)
        .select_related("payer")
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=visit.date))
        .filter(effective_from__lte=visit.date)
        .first()
    )
    return primary is not None and primary.payer.kind == Payer.Kind.MEDICARE_B


def supervision_warning(visit: Visit) -> str:
    """Medicare's direct supervision (incident-to, 42 CFR 410.26 and 410.32(b)(3)(ii)):
    in an office that requires it, a physician or NP must be on site; warn when none is
    recorded for a Medicare Part B patient."""
    if visit.supervising_provider_id or not visit.location.requires_supervision_on_site:
        return ""
    if not is_medicare_b(visit):
        return ""
    return (
        "Medicare patient at a site that requires direct supervision: record the physician "
        "or NP on site, or Medicare may not pay for this visit."
    )


def providers(*, organization: Any) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(
        organization=organization, is_active=True, credential__in=StaffMember.PRESCRIBERS
    )


def licensed_staff(*, organization: Any) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(
        organization=organization, is_active=True, credential__in=StaffMember.LICENSED
    )


# --- lists ------------------------------------------------------------------------------------


@dataclass
class ChairRow:
    appointment: Appointment
    visit: Visit | None
    can_start: bool
    needs_check_in: bool


def day_list(
    *, organization: Any, day: dt.date, location: Any = None, nurse: Any = None
) -> list[ChairRow]:
    """The day's live appointments (booked to completed) with their visits, by start time."""
    low, high = day_window(day)
    appointments = (
        Appointment.objects.filter(
            organization=organization,
            status__in=appointment_states.OCCUPYING,
            start__gte=low,
            start__lt=high,
        )
        .select_related("patient", "order__drug", "chair", "location", "nurse", "visit")
        .order_by("start", "chair__sort_order")
    )
    if location is not None:
        appointments = appointments.filter(location=location)
    if nurse is not None:
        appointments = appointments.filter(Q(nurse=nurse) | Q(visit__nurse=nurse))
    rows = []
    for appt in appointments:
        if appt.local_start().date() != day:
            continue  # the window is wide enough for any time zone; keep the local day
        visit = appt.visit if _has_visit(appt) else None
        rows.append(
            ChairRow(
                appointment=appt,
                visit=visit,
                can_start=visit is None and appt.status in STARTABLE,
                needs_check_in=visit is None and appt.status in CHECK_IN_FROM,
            )
        )
    return rows


STARTABLE = frozenset({appointment_states.CHECKED_IN, appointment_states.IN_CHAIR})
CHECK_IN_FROM = frozenset({appointment_states.BOOKED, appointment_states.CONFIRMED})


def _has_visit(appointment: Appointment) -> bool:
    try:
        appointment.visit  # noqa: B018 (the reverse one-to-one raises when there is none)
    except Visit.DoesNotExist:
        return False
    return True


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A UTC window around a calendar day that covers that day in every time zone."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    return start - dt.timedelta(hours=14), start + dt.timedelta(hours=38)


def open_alerts(*, organization: Any) -> QuerySet[VisitAlert]:
    return VisitAlert.objects.filter(
        organization=organization, acknowledged_at__isnull=True
    ).select_related("visit__patient", "to_provider", "reaction")


def reports(*, organization: Any, status: str = "open") -> QuerySet[VisitReport]:
    found = VisitReport.objects.filter(organization=organization).select_related(
        "visit__patient", "visit__order__drug", "recipient", "sent_by"
    )
    if status == "open":
        return found.exclude(status=VisitReport.Status.SENT).order_by("due_at")
    if status == "sent":
        return found.filter(status=VisitReport.Status.SENT).order_by("-sent_at")
    return found.order_by("-due_at")


def late_reports(*, organization: Any, now: dt.datetime | None = None) -> QuerySet[VisitReport]:
    """Reports not sent within 24 hours of signing (the goal is none)."""
    moment = now or timezone.now()
    return reports(organization=organization, status="open").filter(due_at__lt=moment)


def patient_visits(patient: Any) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(patient=patient, organization_id=patient.organization_id)
        .select_related("order__drug", "location")
        .prefetch_related("reports")
    )


def visits(
    *,
    organization: Any,
    patient: Any = None,
    status: str = "",
    location: Any = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Visit]:
    """The organization's treatment visits (patient and site by public id) with their
    administrations and vitals; newest treatment day first, then id (stable for paging)."""
    found = (
        Visit.objects.filter(organization=organization)
        .select_related("patient", "order__drug", "location", "chair", "nurse")
        .prefetch_related("administrations", "vitals")
    )
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if status:
        found = found.filter(status=status)
    if location is not None:
        found = found.filter(location__public_id=location)
    if start is not None:
        found = found.filter(date__gte=start)
    if end is not None:
        found = found.filter(date__lte=end)
    return found.order_by("-date", "-id")
