"""Reads for home care, always scoped to one organization (and, for nurses, to themselves)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chairside.homecare.models import (
    DeliveryTicket,
    FieldShift,
    FollowUpTask,
    HomeAdministration,
    HomeInfusionOrder,
    HomeReaction,
    HomeVisit,
    MonitoringNote,
    OutsideHitHistory,
    PlanOfCare,
    RoutePlan,
    TeachingRecord,
)
from chairside.patients.models import Patient
from chairside.rules.clinical import plan_of_care as plan_rule
from chairside.rules.clinical.infusion import INTERRUPT_GRADE
from chairside.tenancy.models import Location, Organization, StaffMember
from chairside.tenancy.roles import Perm, Role, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def home_locations(*, organization: Organization) -> QuerySet[Location]:
    return Location.objects.filter(
        organization=organization, site_type=Location.SiteType.HOME, is_active=True
    )


def access_location(*, organization: Organization, public_id: Any) -> Location:
    """The organization's home-infusion location by public id (the first when none given)."""
    places = home_locations(organization=organization)
    try:
        place = (
            places.filter(public_id=uuid.UUID(str(public_id))).first()
            if public_id
            else places.first()
        )
    except ValueError:
        place = None
    if place is None:
        raise Http404("No such home-infusion location.")
    return place


def staff_of(*, organization: Organization, user: User) -> StaffMember | None:
    """The staff record of the logged-in person in this organization, if any."""
    return StaffMember.objects.filter(organization=organization, user=user, is_active=True).first()


def sees_only_own(role: str | None) -> bool:
    """Nurses see and record their own route; coordinators and the rest see the whole day."""
    return role == Role.NURSE


def deliveries(
    *, organization: Organization, location: Location, date: dt.date
) -> QuerySet[DeliveryTicket]:
    return (
        DeliveryTicket.objects.filter(organization=organization, location=location, date=date)
        .select_related("patient", "patient__home_address", "assigned_to")
        .prefetch_related("items", "items__lot")
    )


def visits(*, organization: Organization, location: Location, date: dt.date) -> QuerySet[HomeVisit]:
    return HomeVisit.objects.filter(
        organization=organization, location=location, date=date
    ).select_related("patient", "patient__home_address", "nurse")


def shifts(
    *, organization: Organization, location: Location, date: dt.date
) -> QuerySet[FieldShift]:
    return FieldShift.objects.filter(
        organization=organization, location=location, date=date
    ).select_related("staff")


def plans(*, organization: Organization, location: Location, date: dt.date) -> QuerySet[RoutePlan]:
    return RoutePlan.objects.filter(organization=organization, location=location, date=date)


def access_plan(*, organization: Organization, public_id: Any) -> RoutePlan:
    try:
        return RoutePlan.objects.select_related("location").get(
            organization=organization, public_id=uuid.UUID(str(public_id))
        )
    except (RoutePlan.DoesNotExist, ValueError):
        raise Http404("No such route plan.") from None


def access_ticket(
    *, organization: Organization, public_id: Any, user: User, role: str | None
) -> DeliveryTicket:
    """A delivery ticket of the organization; a nurse reaches only the ones she carries."""
    found = DeliveryTicket.objects.select_related(
        "patient", "patient__home_address", "assigned_to", "location"
    ).filter(organization=organization)
    if sees_only_own(role):
        found = found.filter(assigned_to__user=user)
    try:
        return found.get(public_id=uuid.UUID(str(public_id)))
    except (DeliveryTicket.DoesNotExist, ValueError):
        raise Http404("No such delivery ticket.") from None


def access_home_visit(
    *, organization: Organization, public_id: Any, user: User, role: str | None
) -> HomeVisit:
    """A home visit of the organization; a nurse reaches only the visits assigned to her."""
    found = HomeVisit.objects.select_related(
        "patient", "patient__home_address", "nurse", "location"
    ).filter(organization=organization)
    if sees_only_own(role):
        found = found.filter(nurse__user=user)
    try:
        return found.get(public_id=uuid.UUID(str(public_id)))
    except (HomeVisit.DoesNotExist, ValueError):
        raise Http404("No such home visit.") from None


def documented_visits(
    *,
    organization: Organization,
    user: User,
    role: str | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    nurse: Any = None,
    patient: Any = None,
    signed: bool | None = None,
) -> QuerySet[HomeVisit]:
    """Home visits with their documentation (vitals, doses, reactions, addenda), newest day
    first, for the API's read: the organization's, and for a nurse only her own, as the
    documentation page reaches them (``access_home_visit``). ``nurse`` and ``patient`` are
    public ids; ``signed`` True/False keeps the signed or the unsigned visits."""
    found = HomeVisit.objects.filter(organization=organization)
    if sees_only_own(role):
        found = found.filter(nurse__user=user)
    if start is not None:
        found = found.filter(date__gte=start)
    if end is not None:
        found = found.filter(date__lte=end)
    if nurse is not None:
        found = found.filter(nurse__public_id=nurse)
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if signed is not None:
        found = found.filter(signed_at__isnull=not signed)
    return (
        found.select_related("patient", "nurse", "location", "signed_by")
        .prefetch_related(
            "vitals",
            "administrations__drug",
            "administrations__lot",
            "reactions__provider_notified",
            "addenda",
        )
        .order_by("-date", "-window_start", "-id")
    )


def own_route(
    *, organization: Organization, staff: StaffMember, date: dt.date
) -> list[DeliveryTicket | HomeVisit]:
    """The person's stops on the day as the accepted plan ordered them."""
    stops: list[DeliveryTicket | HomeVisit] = [
        *DeliveryTicket.objects.filter(organization=organization, assigned_to=staff, date=date)
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .select_related("patient", "patient__home_address")
        .prefetch_related("items"),
        *HomeVisit.objects.filter(organization=organization, nurse=staff, date=date)
        .exclude(status=HomeVisit.Status.CANCELLED)
        .select_related("patient", "patient__home_address"),
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(stops, key=lambda s: (s.planned_at or far, s.window_start))


def may_record_proof(role: str | None) -> bool:
    """Coordinators (from the courier's paperwork) and nurses (their own) record delivery."""
    return has_perm(role, Perm.SCHEDULE_EDIT) or has_perm(role, Perm.CLINICAL_EDIT)


# --- the clinical side: orders, plans of care, teaching, monitoring --------------------------


def home_patients(*, organization: Organization) -> QuerySet[Patient]:
    """Patients with a home address or a home-infusion order in this organization."""
    return (
        Patient.objects.filter(organization=organization)
        .filter(Q(home_address__isnull=False) | Q(home_infusion_orders__isnull=False))
        .distinct()
        .select_related("home_address")
        .order_by("last_name", "first_name", "id")
    )


def access_patient(*, organization: Organization, public_id: Any) -> Patient:
    try:
        return Patient.objects.select_related("home_address").get(
            organization=organization, public_id=uuid.UUID(str(public_id))
        )
    except (Patient.DoesNotExist, ValueError):
        raise Http404("No such patient.") from None


def home_orders(
    *, organization: Organization, patient: Patient | None = None, status: str | None = None
) -> QuerySet[HomeInfusionOrder]:
    found = HomeInfusionOrder.objects.filter(organization=organization).select_related(
        "patient", "drug", "ordering_provider", "treatment_order"
    )
    if patient is not None:
        found = found.filter(patient=patient)
    if status:
        found = found.filter(status=status)
    return found


def open_home_orders(
    *, organization: Organization, patient: Patient
) -> QuerySet[HomeInfusionOrder]:
    """The orders a plan's medication profile offers: awaiting signature, active or on hold."""
    return home_orders(organization=organization, patient=patient).filter(
        status__in=[
            HomeInfusionOrder.Status.PENDING,
            HomeInfusionOrder.Status.ACTIVE,
            HomeInfusionOrder.Status.ON_HOLD,
        ]
    )


def access_home_order(*, organization: Organization, public_id: Any) -> HomeInfusionOrder:
    try:
        return home_orders(organization=organization).get(public_id=uuid.UUID(str(public_id)))
    except (HomeInfusionOrder.DoesNotExist, ValueError):
        raise Http404("No such home-infusion order.") from None


def plans_of_care(*, organization: Organization, current_only: bool = True) -> QuerySet[PlanOfCare]:
    found = PlanOfCare.objects.filter(organization=organization).select_related(
        "patient", "signing_provider"
    )
    return found.filter(is_current=True) if current_only else found


def current_plan(*, organization: Organization, patient: Patient) -> PlanOfCare | None:
    return (
        plans_of_care(organization=organization)
        .filter(patient=patient)
        .prefetch_related("orders", "orders__drug")
        .first()
    )


def superseded_plans(*, organization: Organization, patient: Patient) -> QuerySet[PlanOfCare]:
    """The patient's earlier plans of care, newest version first."""
    return PlanOfCare.objects.filter(
        organization=organization, patient=patient, is_current=False
    ).order_by("-version")


def visit_administration(visit: HomeVisit, admin_id: str) -> HomeAdministration | None:
    """One dose of this visit (reached through ``access_home_visit``), or ``None``."""
    try:
        return HomeAdministration.objects.get(home_visit=visit, public_id=uuid.UUID(admin_id))
    except (HomeAdministration.DoesNotExist, ValueError):
        return None


def access_plan_of_care(*, organization: Organization, public_id: Any) -> PlanOfCare:
    try:
        return (
            plans_of_care(organization=organization, current_only=False)
            .prefetch_related("orders", "orders__drug")
            .get(public_id=uuid.UUID(str(public_id)))
        )
    except (PlanOfCare.DoesNotExist, ValueError):
        raise Http404("No such plan of care.") from None


def competent_topics(*, organization: Organization, patient: Patient) -> frozenset[str]:
    """The topics the patient or a caregiver has shown competency in (signed records)."""
    topics: set[str] = set()
    for row in TeachingRecord.objects.filter(
        organization=organization, patient=patient, outcome=TeachingRecord.Outcome.COMPETENT
    ).values_list("topics", flat=True):
        topics.update(row or [])
    return frozenset(topics)


def plan_facts(plan: PlanOfCare) -> plan_rule.PlanFacts:
    """The plan as ``rules.clinical.plan_of_care`` reads it (orders, chart allergies, teaching)."""
    orders = [
        plan_rule.OrderFacts(
            label=o.drug_display,
            therapy_type=o.therapy_type,
            drug_name=o.drug_display,
            last_day=o.last_day,
            access_device=o.access_device,
            administration_device=o.administration_device,
        )
        for o in plan.orders.all()
        if o.status
        not in (HomeInfusionOrder.Status.COMPLETED, HomeInfusionOrder.Status.DISCONTINUED)
    ]
    patient = plan.patient
    return plan_rule.PlanFacts(
        signed_on=plan.signed_on,
        review_due_on=plan.review_due_on,
        goals=plan.goals,
        allergies=plan.allergies,
        no_known_allergies=bool(patient.no_known_allergies),
        access_device=plan.access_device,
        access_inserted_on=plan.access_inserted_on,
        pump=plan.pump,
        monitoring_labs=[
            (str(r.get("lab", "")), str(r.get("frequency", ""))) for r in plan.monitoring_labs
        ],
        emergency_phone=plan.emergency_phone,
        anaphylaxis_kit=plan.anaphylaxis_kit,
        caregiver_name=plan.caregiver_name,
        caregiver_relationship=plan.caregiver_relationship,
        caregiver_phone=plan.caregiver_phone,
        discharge_plan=plan.discharge_plan,
        orders=orders,
        competent_topics=competent_topics(organization=plan.organization, patient=patient),
    )


def plan_of_care_gaps(
    *,
    organization: Organization,
    patient: Patient | None = None,
    plan: PlanOfCare | None = None,
    today: dt.date | None = None,
) -> list[plan_rule.Gap]:
    """What the patient's current plan of care (or ``plan``) is missing, most cited first.

    The interface other apps call (the accreditation page, the claim check): a patient
    without a current plan gets the one gap ``no_plan``. Each gap has ``code``, ``message``
    (a sentence) and ``source`` (the regulation or standard).
    """
    when = today or timezone.localdate()
    if plan is None:
        if patient is None:
            raise ValueError("Give the patient or the plan.")
        if patient.organization_id != organization.pk:
            raise Http404("No such patient.")
        plan = current_plan(organization=organization, patient=patient)
        if plan is None:
            return [
                plan_rule.Gap(
                    code="no_plan",
                    message=f"{patient} has no plan of care.",
                    source=plan_rule.SOURCES["signature"],
                )
            ]
    elif plan.organization_id != organization.pk:
        raise Http404("No such plan of care.")
    return plan_rule.missing_items(plan_facts(plan), when)


def teaching_records(*, organization: Organization, patient: Patient) -> QuerySet[TeachingRecord]:
    return TeachingRecord.objects.filter(organization=organization, patient=patient).select_related(
        "nurse", "signed_by"
    )


def monitoring_notes(
    *, organization: Organization, patient: Patient | None = None
) -> QuerySet[MonitoringNote]:
    found = MonitoringNote.objects.filter(organization=organization).select_related(
        "patient", "order", "order__drug", "pharmacist"
    )
    return found.filter(patient=patient) if patient is not None else found


def follow_up_queue(
    *, organization: Organization, today: dt.date | None = None, within_days: int = 0
) -> QuerySet[FollowUpTask]:
    """Open follow-ups due by ``today`` (+ ``within_days``), overdue first."""
    when = (today or timezone.localdate()) + dt.timedelta(days=within_days)
    return (
        FollowUpTask.objects.filter(
            organization=organization, done_at__isnull=True, due_on__lte=when
        )
        .select_related("patient", "assignee", "note")
        .order_by("due_on", "id")
    )


def open_follow_ups(*, organization: Organization, patient: Patient) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.filter(
        organization=organization, patient=patient, done_at__isnull=True
    ).select_related("assignee")


def access_follow_up(*, organization: Organization, public_id: Any) -> FollowUpTask:
    try:
        return FollowUpTask.objects.select_related("patient").get(
            organization=organization, public_id=uuid.UUID(str(public_id))
        )
    except (FollowUpTask.DoesNotExist, ValueError):
        raise Http404("No such follow-up task.") from None


def patient_services(
    *, organization: Organization, patient: Patient, start: dt.date, end: dt.date
) -> tuple[list[DeliveryTicket], list[HomeVisit]]:
    """A patient's deliveries (not cancelled) and home visits from ``start`` to ``end``
    inclusive, oldest first: what billing derives a home infusion period's days from."""
    tickets = list(
        DeliveryTicket.objects.filter(
            organization=organization, patient=patient, date__range=(start, end)
        )
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .order_by("date", "id")
    )
    visits = list(
        HomeVisit.objects.filter(
            organization=organization, patient=patient, date__range=(start, end)
        )
        .exclude(status=HomeVisit.Status.CANCELLED)
        .order_by("date", "id")
    )
    return tickets, visits


def last_delivery_on_or_before(
    *, organization: Organization, patient: Patient, day: dt.date
) -> DeliveryTicket | None:
    """The delivery (not cancelled) whose supplies a day of therapy uses: the latest one
    on or before that day."""
    return (
        DeliveryTicket.objects.filter(organization=organization, patient=patient, date__lte=day)
        .exclude(status=DeliveryTicket.Status.CANCELLED)
        .order_by("-date", "-id")
        .first()
    )


def home_patients_with_services(
    *, organization: Organization, start: dt.date, end: dt.date
) -> QuerySet[Patient]:
    """The organization's patients with a delivery or a home visit in the period."""
    tickets = DeliveryTicket.objects.filter(
        organization=organization, date__range=(start, end)
    ).exclude(status=DeliveryTicket.Status.CANCELLED)
    visits = HomeVisit.objects.filter(organization=organization, date__range=(start, end)).exclude(
        status=HomeVisit.Status.CANCELLED
    )
    ids = set(tickets.values_list("patient_id", flat=True)) | set(
        visits.values_list("patient_id", flat=True)
    )
    return Patient.objects.filter(organization=organization, pk__in=ids).order_by(
        "last_name", "first_name"
    )


# CTCAE grade 2 ("interruption indicated") and above reach the pharmacy's Today page.
REVIEW_FROM_GRADE = INTERRUPT_GRADE


def reactions_to_review(*, organization: Organization) -> QuerySet[HomeReaction]:
    """Grade 2+ reactions in the organization's patients' homes nobody has reviewed yet,
    the most severe first, then the oldest."""
    return (
        HomeReaction.objects.filter(
            home_visit__organization=organization,
            grade__gte=REVIEW_FROM_GRADE,
            reviewed_at__isnull=True,
        )
        .select_related("home_visit__patient", "home_visit__nurse", "administration")
        .order_by("-grade", "onset_at", "id")
    )


def access_home_reaction(*, organization: Organization, public_id: Any) -> HomeReaction:
    try:
        return HomeReaction.objects.select_related("home_visit__patient").get(
            home_visit__organization=organization, public_id=uuid.UUID(str(public_id))
        )
    except (HomeReaction.DoesNotExist, ValueError):
        raise Http404("No such home reaction.") from None


def outside_hit_history(*, organization: Organization, patient: Any) -> OutsideHitHistory | None:
    """The patient's last home infusion therapy visit by another supplier, when recorded."""
    return OutsideHitHistory.objects.filter(organization=organization, patient=patient).first()
