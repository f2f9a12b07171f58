"""Home-care API: a day's stops, route plans (propose, accept), delivery tickets and visits
with proof of delivery; the home visits' documentation (read-only); read endpoints for
home-infusion orders, plans of care (with what they are missing), teaching, pharmacist
monitoring notes and the follow-up queue. The same selectors and services as the pages, so
the API refuses what the pages refuse, with the same words (400). Mounted at
``/api/v1/homecare``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from chairside.api.auth import ApiRequest, require
from chairside.api.auth import active_organization as _org
from chairside.api.params import (
    DateFrom,
    DateTo,
    Limit,
    Offset,
    check_day,
    check_range,
    page,
    text_or_none,
)
from chairside.homecare import selectors, services
from chairside.homecare.models import (
    DeliveryTicket,
    FollowUpTask,
    HomeAdministration,
    HomeInfusionOrder,
    HomeReaction,
    HomeVisit,
    HomeVitals,
    PlanOfCare,
    RoutePlan,
)
from chairside.inventory.selectors import lot_or_none
from chairside.patients.models import Patient
from chairside.patients.selectors import patient_or_none
from chairside.tenancy.roles import Perm
from chairside.tenancy.selectors import staff_member

if TYPE_CHECKING:
    from django.contrib.auth.models import User

router = Router(tags=["homecare"])


class StopOut(Schema):
    public_id: UUID
    kind: str
    patient: UUID
    patient_name: str
    window_start: dt.time
    window_end: dt.time
    minutes: int
    status: str
    assigned_to: str | None
    planned_at: dt.datetime | None


class PlanIn(Schema):
    date: dt.date
    location: UUID | None = None


class PlanOut(Schema):
    public_id: UUID
    date: dt.date
    status: str
    stops: int
    unplaced: int
    travel_minutes: int
    booking_order_travel_minutes: int
    solve_seconds: Decimal
    result: dict[str, Any]


class ItemInSchema(Schema):
    quantity: Decimal = Field(gt=0, le=100000, decimal_places=2)
    description: str = Field("", max_length=200)
    lot: UUID | None = None
    unit: str = Field("each", max_length=16)


class DeliveryIn(Schema):
    patient: UUID
    date: dt.date
    window_start: dt.time
    window_end: dt.time
    items: list[ItemInSchema]
    location: UUID | None = None
    handoff: str = DeliveryTicket.Handoff.COURIER
    service_minutes: int = Field(10, ge=1, le=120)
    cold_chain: bool = False
    packed_out_at: dt.datetime | None = None
    validity_hours: int | None = Field(None, ge=1, le=120)
    note: str = Field("", max_length=255)


class VisitIn(Schema):
    patient: UUID
    date: dt.date
    window_start: dt.time
    window_end: dt.time
    location: UUID | None = None
    duration_minutes: int = Field(60, ge=5, le=480)
    purpose: str = Field("", max_length=120)
    nurse: UUID | None = None
    # "home", or "suite": at the pharmacy's own infusion suite (not routed; needs its nurse)
    setting: str = "home"


class ProofIn(Schema):
    received_by: str = Field(max_length=120)
    signature_kind: str
    signature_text: str = Field("", max_length=120)
    signature_drawing: str = Field("", max_length=250_000)
    delivered_at: dt.datetime | None = None
    delivery_note: str = Field("", max_length=255)


def _stop(rec: DeliveryTicket | HomeVisit) -> dict[str, Any]:
    who = rec.assigned_to if isinstance(rec, DeliveryTicket) else rec.nurse
    return {
        "public_id": rec.public_id,
        "kind": "delivery" if isinstance(rec, DeliveryTicket) else "visit",
        "patient": rec.patient.public_id,
        "patient_name": rec.patient.full_name,
        "window_start": rec.window_start,
        "window_end": rec.window_end,
        "minutes": rec.stop_minutes,
        "status": rec.status,
        "assigned_to": str(who) if who else None,
        "planned_at": rec.planned_at,
    }


def _refused(exc: ValidationError) -> HttpError:
    return HttpError(400, "; ".join(exc.messages))


def _patient(request: ApiRequest, public_id: UUID) -> Patient:
    found = patient_or_none(organization=_org(request), public_id=public_id)
    if found is None:
        raise HttpError(404, "No such patient.")
    return found


@router.get("/day", response=list[StopOut])
def day(request: ApiRequest, date: dt.date, location: UUID | None = None) -> Any:
    """The day's deliveries and home visits at a home-infusion location (a nurse: her own)."""
    require(request, Perm.SCHEDULE_VIEW)
    check_day(date)
    org = _org(request)
    if selectors.sees_only_own(request.membership.role):
        staff = selectors.staff_of(organization=org, user=request.user)
        stops = selectors.own_route(organization=org, staff=staff, date=date) if staff else []
        return [_stop(s) for s in stops]
    place = selectors.access_location(organization=org, public_id=location)
    found: list[DeliveryTicket | HomeVisit] = [
        *selectors.deliveries(organization=org, location=place, date=date),
        *selectors.visits(organization=org, location=place, date=date),
    ]
    return [_stop(s) for s in found]


@router.post("/plans", response={201: PlanOut})
def propose(request: ApiRequest, data: PlanIn) -> Any:
    """Propose the day's routes (nothing changes until the plan is accepted)."""
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    try:
        plan = services.route_propose(
            organization=org, user=request.user, location=place, date=data.date
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, plan)


@router.get("/plans/{public_id}", response=PlanOut)
def plan_detail(request: ApiRequest, public_id: UUID) -> RoutePlan:
    require(request, Perm.SCHEDULE_EDIT)
    return selectors.access_plan(organization=_org(request), public_id=public_id)


@router.post("/plans/{public_id}/accept", response=PlanOut)
def accept(request: ApiRequest, public_id: UUID) -> Any:
    """Apply a proposed plan: each stop gets its nurse or driver and planned time."""
    require(request, Perm.SCHEDULE_EDIT)
    org = _org(request)
    plan = selectors.access_plan(organization=org, public_id=public_id)
    try:
        return services.route_accept(organization=org, user=request.user, plan=plan)
    except ValidationError as exc:
        raise _refused(exc) from None


@router.post("/deliveries", response={201: StopOut})
def delivery_create(request: ApiRequest, data: DeliveryIn) -> Any:
    """A delivery ticket; drug items name a lot of the stock ledger."""
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    items = []
    for item in data.items:
        lot = None
        if item.lot is not None:
            lot = lot_or_none(organization=org, public_id=item.lot)
            if lot is None:
                raise HttpError(400, "No such lot in this organization's stock.")
        items.append(services.ItemIn(item.quantity, item.description, lot, item.unit))
    try:
        ticket = services.delivery_create(
            organization=org,
            user=request.user,
            patient=_patient(request, data.patient),
            location=place,
            date=data.date,
            window_start=data.window_start,
            window_end=data.window_end,
            items=items,
            handoff=data.handoff,
            service_minutes=data.service_minutes,
            cold_chain=data.cold_chain,
            packed_out_at=data.packed_out_at,
            validity_hours=data.validity_hours,
            note=data.note,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, _stop(ticket))


@router.post("/visits", response={201: StopOut})
def visit_create(request: ApiRequest, data: VisitIn) -> Any:
    require(request, Perm.SCHEDULE_EDIT)
    check_day(data.date)
    org = _org(request)
    place = selectors.access_location(organization=org, public_id=data.location)
    nurse = None
    if data.nurse is not None:
        nurse = staff_member(organization=org, public_id=data.nurse)
        if nurse is None:
            raise HttpError(400, "No such nurse in this organization.")
    try:
        visit = services.visit_create(
            organization=org,
            user=request.user,
            patient=_patient(request, data.patient),
            location=place,
            date=data.date,
            window_start=data.window_start,
            window_end=data.window_end,
            duration_minutes=data.duration_minutes,
            purpose=data.purpose,
            nurse=nurse,
            setting=data.setting,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return Status(201, _stop(visit))


@router.post("/deliveries/{public_id}/proof", response=StopOut)
def proof(request: ApiRequest, public_id: UUID, data: ProofIn) -> Any:
    """Proof of delivery (a nurse: only on a delivery she carries)."""
    membership = request.membership
    if not (selectors.may_record_proof(membership.role)):
        raise HttpError(403, "Your role does not allow this.")
    org = _org(request)
    ticket = selectors.access_ticket(
        organization=org, public_id=public_id, user=request.user, role=membership.role
    )
    if data.delivered_at is not None:
        check_day(data.delivered_at, "delivered_at")
    try:
        done = services.delivery_record_proof(
            organization=org,
            user=request.user,
            ticket=ticket,
            received_by=data.received_by,
            signature_kind=data.signature_kind,
            signature_text=data.signature_text,
            signature_drawing=data.signature_drawing,
            delivered_at=data.delivered_at,
            delivery_note=data.delivery_note,
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    return _stop(done)


# --- the clinical side (read-only): orders, plans of care and their gaps, teaching,
# pharmacist monitoring and the follow-up queue. Reads of patient data are audited by the
# read collector like the pages'.


class HomeOrderOut(Schema):
    public_id: UUID
    patient: UUID
    therapy_type: str
    therapy: str
    drug: str
    dose_amount: Decimal
    dose_unit: str
    doses_per_day: int
    every_days: int
    continuous: bool
    start_date: dt.date
    duration_days: int | None
    stop_date: dt.date | None
    last_day: dt.date | None
    access_device: str
    access_inserted_on: dt.date | None
    administration_device: str
    supplies: list[str]
    nursing_visit_frequency: str
    ordering_provider: str
    signed_on: dt.date | None
    treatment_order: UUID | None
    status: str


class GapOut(Schema):
    code: str
    message: str
    source: str


class PlanOfCareOut(Schema):
    public_id: UUID
    patient: UUID
    version: int
    is_current: bool
    signed_on: dt.date | None
    signing_provider: str | None
    review_due_on: dt.date | None
    goals: str
    allergies: str
    orders: list[UUID]
    access_device: str
    access_inserted_on: dt.date | None
    pump: str
    monitoring_labs: list[dict[str, str]]
    emergency_phone: str
    anaphylaxis_kit: bool
    caregiver_name: str
    caregiver_relationship: str
    caregiver_phone: str
    discharge_plan: str
    missing: list[GapOut]


class TeachingOut(Schema):
    public_id: UUID
    patient: UUID
    taught_on: dt.date
    topics: list[str]
    learner: str
    learner_name: str
    method: str
    outcome: str
    nurse: str
    signed_at: dt.datetime


class FollowUpOut(Schema):
    public_id: UUID
    patient: UUID
    description: str
    due_on: dt.date
    assignee: str | None
    done_at: dt.datetime | None


class MonitoringNoteOut(Schema):
    public_id: UUID
    patient: UUID
    order: UUID | None
    noted_on: dt.date
    labs: list[dict[str, str]]
    assessment: str
    plan: str
    dose_change_recommended: bool
    recommended_change: str
    follow_ups: list[FollowUpOut]


def _home_order(o: HomeInfusionOrder) -> dict[str, Any]:
    return {
        "public_id": o.public_id,
        "patient": o.patient.public_id,
        "therapy_type": o.therapy_type,
        "therapy": o.therapy_display,
        "drug": o.drug_display,
        "dose_amount": o.dose_amount,
        "dose_unit": o.dose_unit,
        "doses_per_day": o.doses_per_day,
        "every_days": o.every_days,
        "continuous": o.continuous,
        "start_date": o.start_date,
        "duration_days": o.duration_days,
        "stop_date": o.stop_date,
        "last_day": o.last_day,
        "access_device": o.access_device,
        "access_inserted_on": o.access_inserted_on,
        "administration_device": o.administration_device,
        "supplies": list(o.supplies or []),
        "nursing_visit_frequency": o.nursing_visit_frequency,
        "ordering_provider": str(o.ordering_provider),
        "signed_on": o.signed_on,
        "treatment_order": o.treatment_order.public_id if o.treatment_order else None,
        "status": o.status,
    }


def _plan(p: PlanOfCare, gaps: list[Any]) -> dict[str, Any]:
    return {
        "public_id": p.public_id,
        "patient": p.patient.public_id,
        "version": p.version,
        "is_current": p.is_current,
        "signed_on": p.signed_on,
        "signing_provider": str(p.signing_provider) if p.signing_provider_id else None,
        "review_due_on": p.review_due_on,
        "goals": p.goals,
        "allergies": p.allergies,
        "orders": [o.public_id for o in p.orders.all()],
        "access_device": p.access_device,
        "access_inserted_on": p.access_inserted_on,
        "pump": p.pump,
        "monitoring_labs": [
            {"lab": str(r.get("lab", "")), "frequency": str(r.get("frequency", ""))}
            for r in p.monitoring_labs
        ],
        "emergency_phone": p.emergency_phone,
        "anaphylaxis_kit": p.anaphylaxis_kit,
        "caregiver_name": p.caregiver_name,
        "caregiver_relationship": p.caregiver_relationship,
        "caregiver_phone": p.caregiver_phone,
        "discharge_plan": p.discharge_plan,
        "missing": [{"code": g.code, "message": g.message, "source": g.source} for g in gaps],
    }


def _follow_up(t: FollowUpTask) -> dict[str, Any]:
    return {
        "public_id": t.public_id,
        "patient": t.patient.public_id,
        "description": t.description,
        "due_on": t.due_on,
        "assignee": str(t.assignee) if t.assignee_id else None,
        "done_at": t.done_at,
    }


def _maybe_patient(request: ApiRequest, public_id: UUID | None) -> Patient | None:
    return _patient(request, public_id) if public_id is not None else None


@router.get("/orders", response=list[HomeOrderOut])
def home_orders(request: ApiRequest, patient: UUID | None = None, status: str | None = None) -> Any:
    """Home-infusion orders (of one patient, of one status)."""
    require(request, Perm.HOMECARE_VIEW)
    if status and status not in HomeInfusionOrder.Status.values:
        raise HttpError(400, f"Unknown status {status!r}.")
    found = selectors.home_orders(
        organization=_org(request), patient=_maybe_patient(request, patient), status=status
    )
    return [_home_order(o) for o in found[:500]]


@router.get("/orders/{public_id}", response=HomeOrderOut)
def home_order(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.HOMECARE_VIEW)
    return _home_order(selectors.access_home_order(organization=_org(request), public_id=public_id))


@router.get("/care-plans", response=list[PlanOfCareOut])
def care_plans(request: ApiRequest, patient: UUID | None = None) -> Any:
    """Current plans of care with what each is missing (``missing``: code, sentence, source)."""
    require(request, Perm.HOMECARE_VIEW)
    org = _org(request)
    found = selectors.plans_of_care(organization=org).prefetch_related("orders")
    who = _maybe_patient(request, patient)
    if who is not None:
        found = found.filter(patient=who)
    return [_plan(p, selectors.plan_of_care_gaps(organization=org, plan=p)) for p in found[:500]]


@router.get("/care-plans/{public_id}", response=PlanOfCareOut)
def care_plan(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.HOMECARE_VIEW)
    org = _org(request)
    plan = selectors.access_plan_of_care(organization=org, public_id=public_id)
    return _plan(plan, selectors.plan_of_care_gaps(organization=org, plan=plan))


@router.get("/patients/{public_id}/care-plan-gaps", response=list[GapOut])
def care_plan_gaps(request: ApiRequest, public_id: UUID) -> Any:
    """What the patient's current plan of care is missing (``no_plan`` when there is none)."""
    require(request, Perm.HOMECARE_VIEW)
    gaps = selectors.plan_of_care_gaps(
        organization=_org(request), patient=_patient(request, public_id)
    )
    return [{"code": g.code, "message": g.message, "source": g.source} for g in gaps]


@router.get("/patients/{public_id}/teaching", response=list[TeachingOut])
def teaching(request: ApiRequest, public_id: UUID) -> Any:
    require(request, Perm.HOMECARE_VIEW)
    found = selectors.teaching_records(
        organization=_org(request), patient=_patient(request, public_id)
    )
    return [
        {
            "public_id": t.public_id,
            "patient": t.patient.public_id,
            "taught_on": t.taught_on,
            "topics": list(t.topics),
            "learner": t.learner,
            "learner_name": t.learner_name,
            "method": t.method,
            "outcome": t.outcome,
            "nurse": str(t.nurse),
            "signed_at": t.signed_at,
        }
        for t in found.select_related("patient")
    ]


@router.get("/monitoring-notes", response=list[MonitoringNoteOut])
def monitoring(request: ApiRequest, patient: UUID | None = None) -> Any:
    require(request, Perm.HOMECARE_VIEW)
    found = selectors.monitoring_notes(
        organization=_org(request), patient=_maybe_patient(request, patient)
    ).prefetch_related("follow_ups", "follow_ups__assignee", "follow_ups__patient")
    return [
        {
            "public_id": n.public_id,
            "patient": n.patient.public_id,
            "order": n.order.public_id if n.order else None,
            "noted_on": n.noted_on,
            "labs": [{k: str(v) for k, v in row.items()} for row in n.labs],
            "assessment": n.assessment,
            "plan": n.plan,
            "dose_change_recommended": n.dose_change_recommended,
            "recommended_change": n.recommended_change,
            "follow_ups": [_follow_up(t) for t in n.follow_ups.all()],
        }
        for n in found[:500]
    ]


@router.get("/follow-ups", response=list[FollowUpOut])
def follow_ups(request: ApiRequest, within_days: int = 0) -> Any:
    """The pharmacy's open follow-ups due by today (+ ``within_days``), overdue first."""
    require(request, Perm.HOMECARE_VIEW)
    if not 0 <= within_days <= 90:
        raise HttpError(400, "within_days is 0 to 90.")
    queue = selectors.follow_up_queue(organization=_org(request), within_days=within_days)
    return [_follow_up(t) for t in queue[:500]]


# --- home visit documentation (read-only): what the nurse documented in the home. The
# documentation page's permission (``clinical.edit``; a nurse reaches only her own visits),
# the organization's visits only (another's answers 404); each patient returned lands in the
# access report (the read collector). Doses and temperatures are decimal strings.


class VisitSignedFilter(StrEnum):
    SIGNED = "signed"
    UNSIGNED = "unsigned"


class HomeVitalsOut(Schema):
    public_id: UUID
    phase: str
    taken_at: dt.datetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    temperature_c: str | None
    spo2: int | None
    respiratory_rate: int | None
    flag: str = Field(description="critical, abnormal or empty (rules.clinical.vitals).")
    received_at: dt.datetime = Field(description="When the server recorded the entry.")
    client_entered_at: dt.datetime | None = Field(
        description="When the nurse saved the entry, by the tablet's clock (an entry kept on "
        "the tablet while offline); null when sent at once."
    )


class HomeDoseOut(Schema):
    public_id: UUID
    drug: str
    home_order: UUID | None
    lot: UUID | None
    lot_number: str
    dose_amount: str
    dose_unit: str
    method: str
    route: str = Field(description="IV, SC or IM.")
    site: str
    started_at: dt.datetime
    stopped_at: dt.datetime | None
    notes: str
    given_by: str | None
    received_at: dt.datetime
    client_entered_at: dt.datetime | None


class HomeReactionOut(Schema):
    public_id: UUID
    dose: UUID | None
    onset_at: dt.datetime
    grade: int = Field(description="CTCAE v5 infusion-related reaction grade.")
    signs: list[str]
    signs_other: str
    actions: list[str]
    actions_other: str
    provider_notified: str | None
    notified_at: dt.datetime | None
    outcome: str
    outcome_at: dt.datetime | None
    notes: str
    reviewed_at: dt.datetime | None
    reviewed_by: str
    received_at: dt.datetime
    client_entered_at: dt.datetime | None


class AddendumOut(Schema):
    public_id: UUID
    text: str
    author: str
    written_at: dt.datetime


class HomeVisitDocOut(Schema):
    public_id: UUID
    patient_id: UUID
    patient: str
    location: str
    date: dt.date
    window_start: dt.time
    window_end: dt.time
    setting: str = Field(description="home, or suite (the pharmacy's infusion suite).")
    purpose: str
    status: str
    nurse_id: UUID | None
    nurse: str | None
    arrived_at: dt.datetime | None
    departed_at: dt.datetime | None
    documented_minutes: int | None
    notes: str
    signed: bool
    signed_at: dt.datetime | None
    signed_by: str | None
    vitals: list[HomeVitalsOut]
    doses: list[HomeDoseOut]
    reactions: list[HomeReactionOut]
    addenda: list[AddendumOut]


class HomeVisitPageOut(Schema):
    count: int
    results: list[HomeVisitDocOut]


def _home_vitals(v: HomeVitals) -> dict[str, Any]:
    return {
        "public_id": v.public_id,
        "phase": v.phase,
        "taken_at": v.taken_at,
        **{k: getattr(v, k) for k in ("systolic", "diastolic", "pulse", "spo2")},
        "respiratory_rate": v.respiratory_rate,
        "temperature_c": text_or_none(v.temperature_c),
        "flag": v.worst_flag,
        "received_at": v.created_at,
        "client_entered_at": v.client_entered_at,
    }


def _home_dose(a: HomeAdministration) -> dict[str, Any]:
    return {
        "public_id": a.public_id,
        "drug": a.drug_display,
        "home_order": a.home_order.public_id if a.home_order_id and a.home_order else None,
        "lot": a.lot.public_id if a.lot_id and a.lot else None,
        "lot_number": a.lot.lot_number if a.lot_id and a.lot else a.lot_number,
        "dose_amount": f"{a.dose_amount.normalize():f}",
        "dose_unit": a.dose_unit,
        "method": a.method,
        "route": a.route,
        "site": a.site,
        "started_at": a.started_at,
        "stopped_at": a.stopped_at,
        "notes": a.notes,
        "given_by": _person(a.given_by),
        "received_at": a.created_at,
        "client_entered_at": a.client_entered_at,
    }


def _home_reaction(r: HomeReaction) -> dict[str, Any]:
    return {
        "public_id": r.public_id,
        "dose": r.administration.public_id if r.administration_id and r.administration else None,
        "onset_at": r.onset_at,
        "grade": r.grade,
        "signs": r.sign_labels,
        "signs_other": r.signs_other,
        "actions": r.action_labels,
        "actions_other": r.actions_other,
        "provider_notified": str(r.provider_notified) if r.provider_notified_id else None,
        "notified_at": r.notified_at,
        "outcome": r.outcome,
        "outcome_at": r.outcome_at,
        "notes": r.notes,
        "reviewed_at": r.reviewed_at,
        "reviewed_by": r.reviewed_by_name,
        "received_at": r.created_at,
        "client_entered_at": r.client_entered_at,
    }


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())


def _home_visit_doc(v: HomeVisit) -> dict[str, Any]:
    return {
        "public_id": v.public_id,
        "patient_id": v.patient.public_id,
        "patient": v.patient.full_name,
        "location": v.location.name,
        "date": v.date,
        "window_start": v.window_start,
        "window_end": v.window_end,
        "setting": v.setting,
        "purpose": v.purpose,
        "status": v.status,
        "nurse_id": v.nurse.public_id if v.nurse_id and v.nurse else None,
        "nurse": str(v.nurse) if v.nurse_id else None,
        "arrived_at": v.arrived_at,
        "departed_at": v.departed_at,
        "documented_minutes": v.documented_minutes,
        "notes": v.notes,
        "signed": v.is_signed,
        "signed_at": v.signed_at,
        "signed_by": (v.signed_by_name or _person(v.signed_by)) if v.is_signed else None,
        "vitals": [_home_vitals(x) for x in v.vitals.all()],
        "doses": [_home_dose(x) for x in v.administrations.all()],
        "reactions": [_home_reaction(x) for x in v.reactions.all()],
        "addenda": [
            {
                "public_id": x.public_id,
                "text": x.text,
                "author": x.author_name,
                "written_at": x.created_at,
            }
            for x in v.addenda.all()
        ],
    }


@router.get("/visits", response=HomeVisitPageOut)
def home_visits(
    request: ApiRequest,
    *,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    nurse: UUID | None = None,
    patient: UUID | None = None,
    status: VisitSignedFilter | None = None,
    offset: Offset = 0,
    limit: Limit = 25,
) -> Any:
    """Home nursing visits with their documentation (vitals, doses given with drug, lot,
    dose, route and times, reactions, arrival and departure, notes, the signature and
    addenda), newest day first. ``nurse`` is a staff member's id; ``status`` signed or
    unsigned. The documentation page's permission: a nurse reads only her own visits."""
    require(request, Perm.CLINICAL_EDIT)
    check_range(date_from, date_to)
    membership = request.membership
    found = selectors.documented_visits(
        organization=_org(request),
        user=request.user,
        role=membership.role,
        start=date_from,
        end=date_to,
        nurse=nurse,
        patient=patient,
        signed=None if status is None else status == VisitSignedFilter.SIGNED,
    )
    total, rows = page(found, offset, limit)
    return {"count": total, "results": [_home_visit_doc(v) for v in rows]}


@router.get("/visits/{public_id}", response=HomeVisitDocOut)
def home_visit(request: ApiRequest, public_id: UUID) -> Any:
    """One home visit with its documentation (404 for another organization's, or for a
    nurse another nurse's visit)."""
    require(request, Perm.CLINICAL_EDIT)
    membership = request.membership
    found = (
        selectors.documented_visits(
            organization=_org(request), user=request.user, role=membership.role
        )
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise HttpError(404, "No such home visit.")
    return _home_visit_doc(found)
