"""The clinical side of home infusion: orders, plans of care, teaching, pharmacist monitoring.

Every function is keyword-only, runs in one transaction, raises a ValidationError a nurse
or pharmacist can read (and then writes nothing), and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
from chairside.accounts.services import cosigner_authenticate
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, audited_update, diff, snapshot
from chairside.core.actors import acting_user
from chairside.core.dates import OUT_OF_RANGE, in_range
from chairside.formulary.models import Drug
from chairside.homecare.events import home_service_documented
from chairside.homecare.models import (
    NURSE_CREDENTIALS,
    FollowUpTask,
    HomeInfusionOrder,
    MonitoringNote,
    OutsideHitHistory,
    PlanOfCare,
    TeachingRecord,
)
from chairside.patients.models import Patient
from chairside.rules.billing.home_infusion_billing import HIT_INITIAL_GAP_DAYS
from chairside.rules.clinical.plan_of_care import TEACHING_TOPICS
from chairside.tenancy.models import Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PHARMACIST = "PharmD"
OPEN_ORDER_STATUSES = (
    HomeInfusionOrder.Status.PENDING,
    HomeInfusionOrder.Status.ACTIVE,
    HomeInfusionOrder.Status.ON_HOLD,
)


def _same_org(organization: Organization, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValidationError("That record belongs to another organization.")


def _same_patient(patient: Patient, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.patient_id != patient.pk:
            raise ValidationError(f"That record is not {patient}'s.")


# --- orders ----------------------------------------------------------------------------------


@dataclass
class HomeOrderValues:
    """What the order form carries (the service decides what is allowed)."""

    therapy_type: str
    dose_amount: Decimal | None
    start_date: dt.date
    access_device: str
    administration_device: str
    ordering_provider: ReferringProvider | None
    drug: Drug | None = None
    drug_name: str = ""
    therapy_other: str = ""
    dose_unit: str = HomeInfusionOrder.DoseUnit.MG
    doses_per_day: int = 1
    every_days: int = 1
    continuous: bool = False
    infusion_minutes: int | None = None
    duration_days: int | None = None
    stop_date: dt.date | None = None
    access_inserted_on: dt.date | None = None
    supplies: list[str] = field(default_factory=list)
    nursing_visit_frequency: str = HomeInfusionOrder.NursingFrequency.WEEKLY
    signed_on: dt.date | None = None
    diagnosis_code: str = ""
    status: str = HomeInfusionOrder.Status.PENDING
    notes: str = ""
    treatment_order: TreatmentOrder | None = None


def _from_treatment_order(values: HomeOrderValues) -> None:
    """Take drug, dose, prescriber and signature from the signed chair-side order."""
    source = values.treatment_order
    if source is None:
        return
    if not source.is_signed:
        raise ValidationError(
            {
                "treatment_order": "That medication order is not signed: "
                + str(source.signature_problem())
            }
        )
    values.drug = source.drug
    values.drug_name = ""
    values.ordering_provider = source.ordering_provider
    values.signed_on = source.signed_on
    if source.dose_mg is not None:
        values.dose_amount, values.dose_unit = source.dose_mg, HomeInfusionOrder.DoseUnit.MG
    elif source.dose_mg_per_kg is not None:
        values.dose_amount = source.dose_mg_per_kg
        values.dose_unit = HomeInfusionOrder.DoseUnit.MG_PER_KG


def _check_order_values(values: HomeOrderValues) -> None:
    if values.ordering_provider is None:
        raise ValidationError({"ordering_provider": "Name the ordering provider."})
    if values.dose_amount is None:
        raise ValidationError({"dose_amount": "Give the dose."})
    if values.status == HomeInfusionOrder.Status.ACTIVE and values.signed_on is None:
        raise ValidationError(
            {"status": "An order becomes active once the prescriber has signed it: give the date."}
        )
    if values.signed_on is not None and values.signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The signature date is in the future."})
    if values.duration_days and values.stop_date:
        expected = values.start_date + dt.timedelta(days=values.duration_days - 1)
        if expected != values.stop_date:
            raise ValidationError(
                {
                    "stop_date": f"{values.duration_days} days from {values.start_date:%m/%d/%Y} "
                    f"ends {expected:%m/%d/%Y}, not {values.stop_date:%m/%d/%Y}: give one of them."
                }
            )


@transaction.atomic
def home_order_save(
    *,
    organization: Organization,
    user: User | None,
    patient: Patient,
    values: HomeOrderValues,
    order: HomeInfusionOrder | None = None,
) -> HomeInfusionOrder:
    """Create a home-infusion order for the patient, or correct one (``order``)."""
    _same_org(organization, patient, values.drug, values.ordering_provider, values.treatment_order)
    _same_patient(patient, values.treatment_order)
    if order is not None:
        _same_org(organization, order)
        _same_patient(patient, order)
    _from_treatment_order(values)
    _check_order_values(values)
    before = snapshot(order) if order is not None else {}
    target = order or HomeInfusionOrder(
        organization=organization, patient=patient, entered_by=acting_user(user)
    )
    referral = values.treatment_order.referral if values.treatment_order else None
    for name, value in {
        "treatment_order": values.treatment_order,
        "referral": referral or target.referral,
        "therapy_type": values.therapy_type,
        "therapy_other": values.therapy_other.strip(),
        "drug": values.drug,
        "drug_name": values.drug_name.strip(),
        "dose_amount": values.dose_amount,
        "dose_unit": values.dose_unit,
        "doses_per_day": values.doses_per_day,
        "every_days": values.every_days,
        "continuous": values.continuous,
        "infusion_minutes": values.infusion_minutes,
        "start_date": values.start_date,
        "duration_days": values.duration_days,
        "stop_date": values.stop_date,
        "access_device": values.access_device,
        "access_inserted_on": values.access_inserted_on,
        "administration_device": values.administration_device,
        "supplies": [s.strip() for s in values.supplies if s.strip()],
        "nursing_visit_frequency": values.nursing_visit_frequency,
        "ordering_provider": values.ordering_provider,
        "signed_on": values.signed_on,
        "diagnosis_code": values.diagnosis_code.strip().upper(),
        "status": values.status,
        "notes": values.notes.strip(),
    }.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    audit_record(
        action=AuditEvent.Action.UPDATE if order is not None else AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=target,
        patient=patient,
        changes=diff(before, snapshot(target)),
    )
    return target


# --- plans of care ---------------------------------------------------------------------------


@dataclass
class PlanValues:
    """What the plan-of-care form carries."""

    orders: list[HomeInfusionOrder] = field(default_factory=list)
    signed_on: dt.date | None = None
    signing_provider: ReferringProvider | None = None
    review_due_on: dt.date | None = None
    goals: str = ""
    allergies: str | None = None  # None: copy from the chart
    access_device: str = ""
    access_inserted_on: dt.date | None = None
    pump: str = ""
    monitoring_labs: list[tuple[str, str]] = field(default_factory=list)
    emergency_phone: str = ""
    anaphylaxis_kit: bool = False
    emergency_instructions: str = ""
    caregiver_name: str = ""
    caregiver_relationship: str = ""
    caregiver_phone: str = ""
    discharge_plan: str = ""


def chart_allergies(patient: Patient) -> str:
    """The chart's allergies as the plan prints them ("" when none are recorded)."""
    rows = [
        f"{a.substance} ({a.reaction})" if a.reaction else str(a.substance)
        for a in patient.allergies.all().order_by("substance")
    ]
    if rows:
        return "; ".join(rows)
    return "No known drug allergies" if patient.no_known_allergies else ""


def _fill_plan(plan: PlanOfCare, values: PlanValues, patient: Patient) -> None:
    if values.signed_on is not None and values.signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The signature date is in the future."})
    if values.signed_on is not None and values.signing_provider is None:
        raise ValidationError({"signing_provider": "Say which physician signed the plan."})
    if (
        values.review_due_on is not None
        and values.signed_on is not None
        and values.review_due_on <= values.signed_on
    ):
        raise ValidationError({"review_due_on": "The review is due after the plan is signed."})
    for found in values.orders:
        if found.patient_id != patient.pk:
            raise ValidationError({"orders": f"{found} is not {patient}'s order."})
    labs = [
        {"lab": lab.strip()[:80], "frequency": freq.strip()[:60]}
        for lab, freq in values.monitoring_labs
        if lab.strip()
    ]
    for name, value in {
        "signed_on": values.signed_on,
        "signing_provider": values.signing_provider,
        "review_due_on": values.review_due_on,
        "goals": values.goals.strip(),
        "allergies": chart_allergies(patient) if values.allergies is None else values.allergies,
        "access_device": values.access_device,
        "access_inserted_on": values.access_inserted_on,
        "pump": values.pump.strip(),
        "monitoring_labs": labs,
        "emergency_phone": values.emergency_phone.strip(),
        "anaphylaxis_kit": values.anaphylaxis_kit,
        "emergency_instructions": values.emergency_instructions.strip(),
        "caregiver_name": values.caregiver_name.strip(),
        "caregiver_relationship": values.caregiver_relationship.strip(),
        "caregiver_phone": values.caregiver_phone.strip(),
        "discharge_plan": values.discharge_plan.strip(),
    }.items():
        setattr(plan, name, value)


def _plan_snapshot(plan: PlanOfCare) -> dict[str, Any]:
    return {**snapshot(plan), "orders": sorted(str(o.public_id) for o in plan.orders.all())}


@transaction.atomic
def plan_of_care_create(
    *, organization: Organization, user: User | None, patient: Patient, values: PlanValues
) -> PlanOfCare:
    """Version 1 of the patient's plan of care (a patient has one current plan)."""
    _same_org(organization, patient, values.signing_provider, *values.orders)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if PlanOfCare.objects.filter(patient=patient, is_current=True).exists():
        raise ValidationError(
            f"{patient} has a current plan of care already: edit it, or review it to write "
            "the next version."
        )
    latest = PlanOfCare.objects.filter(patient=patient).order_by("-version").first()
    plan = PlanOfCare(
        organization=organization,
        patient=patient,
        version=(latest.version + 1) if latest else 1,
        prepared_by=acting_user(user),
    )
    _fill_plan(plan, values, patient)
    plan.full_clean()
    plan.save()
    plan.orders.set(values.orders)
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=plan,
        patient=patient,
        changes=diff({}, _plan_snapshot(plan)),
    )
    return plan


@transaction.atomic
def plan_of_care_update(
    *, organization: Organization, user: User, plan: PlanOfCare, values: PlanValues
) -> PlanOfCare:
    """Correct the current, unsigned version (a signed plan changes only by a review)."""
    _same_org(organization, plan, values.signing_provider, *values.orders)
    current = PlanOfCare.objects.select_for_update().get(pk=plan.pk)
    if not current.is_current:
        raise ValidationError(f"Version {current.version} was replaced by a later version.")
    if current.is_signed:
        raise ValidationError(
            "The physician signed this version: review the plan to write the next version."
        )
    before = _plan_snapshot(current)
    _fill_plan(current, values, current.patient)
    current.full_clean()
    current.save()
    current.orders.set(values.orders)
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=organization,
        obj=current,
        patient=current.patient,
        changes=diff(before, _plan_snapshot(current)),
    )
    return current


@transaction.atomic
def plan_of_care_review(
    *, organization: Organization, user: User, plan: PlanOfCare, reason: str
) -> PlanOfCare:
    """Start the next version from the current one: unsigned, its allergies and medication
    profile refreshed from the chart and the open orders; the old version stays as signed."""
    _same_org(organization, plan)
    current = PlanOfCare.objects.select_for_update().get(pk=plan.pk)
    if not current.is_current:
        raise ValidationError(f"Version {current.version} was replaced by a later version.")
    if not current.is_signed:
        raise ValidationError("This version is not signed yet: edit it instead of reviewing it.")
    if not reason.strip():
        raise ValidationError({"review_reason": "Say why the plan is reviewed."})
    current.is_current = False
    current.save(update_fields=["is_current", "updated_at"])
    patient = current.patient
    following = PlanOfCare(
        organization=organization,
        patient=patient,
        version=current.version + 1,
        previous=current,
        prepared_by=acting_user(user),
        review_reason=reason.strip()[:200],
    )
    copied = PlanValues(
        goals=current.goals,
        access_device=current.access_device,
        access_inserted_on=current.access_inserted_on,
        pump=current.pump,
        monitoring_labs=[
            (r.get("lab", ""), r.get("frequency", "")) for r in current.monitoring_labs
        ],
        emergency_phone=current.emergency_phone,
        anaphylaxis_kit=current.anaphylaxis_kit,
        emergency_instructions=current.emergency_instructions,
        caregiver_name=current.caregiver_name,
        caregiver_relationship=current.caregiver_relationship,
        caregiver_phone=current.caregiver_phone,
        discharge_plan=current.discharge_plan,
    )
    _fill_plan(following, copied, patient)
    following.full_clean()
    following.save()
    following.orders.set(
        HomeInfusionOrder.objects.filter(
            organization=organization, patient=patient, status__in=OPEN_ORDER_STATUSES
        )
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=following,
        patient=patient,
        changes=diff({}, _plan_snapshot(following)),
        reason=following.review_reason,
    )
    return following


# --- teaching --------------------------------------------------------------------------------


@dataclass
class TeachingValues:
    taught_on: dt.date
    topics: list[str]
    learner: str
    learner_name: str
    method: str
    outcome: str
    notes: str = ""
    plan: PlanOfCare | None = None
    order: HomeInfusionOrder | None = None


def teaching_sign(
    *,
    organization: Organization,
    user: User,
    patient: Patient,
    values: TeachingValues,
    username: str,
    password: str,
    ip_address: str | None,
) -> TeachingRecord:
    """Teaching with its competency outcome, signed by the nurse who taught it.

    The nurse confirms with her own user name and password, re-authenticated and throttled
    like the log-in (``accounts.services.cosigner_authenticate``, the double check's
    pattern): whoever types the record in, the signature is the nurse's. She must be an RN,
    LPN or NP on the staff list.
    """

    _check_teaching(organization, patient, values)
    # Outside the transaction: a wrong password stays recorded for the throttle.
    nurse_user = cosigner_authenticate(
        username=username, password=password, organization=organization, ip_address=ip_address
    )
    return _teaching_save(
        organization=organization, user=user, patient=patient, values=values, nurse_user=nurse_user
    )


def _check_teaching(organization: Organization, patient: Patient, values: TeachingValues) -> None:
    _same_org(organization, patient, values.plan, values.order)
    _same_patient(patient, values.plan, values.order)
    topics = [t for t in values.topics if t]
    if not topics:
        raise ValidationError({"topics": "Tick at least one topic that was taught."})
    unknown = [t for t in topics if t not in TEACHING_TOPICS]
    if unknown:
        raise ValidationError({"topics": f"Unknown teaching topic: {', '.join(unknown)}."})
    if values.learner not in TeachingRecord.Learner.values:
        raise ValidationError({"learner": "The learner is the patient or a caregiver."})
    if not values.learner_name.strip():
        raise ValidationError({"learner_name": "Name the person who was taught."})
    if values.method not in TeachingRecord.Method.values:
        raise ValidationError({"method": "Choose how it was taught."})
    if values.outcome not in TeachingRecord.Outcome.values:
        raise ValidationError(
            {"outcome": "Choose the outcome: demonstrated competency or needs reinforcement."}
        )
    if values.taught_on > timezone.localdate():
        raise ValidationError({"taught_on": "The teaching date is in the future."})
    if (
        values.outcome == TeachingRecord.Outcome.COMPETENT
        and values.method != TeachingRecord.Method.DEMONSTRATION
        and any(t in ("access_device_care", "pump_operation", "administration") for t in topics)
    ):
        raise ValidationError(
            {
                "method": "Competency in device care, the pump or administration is shown by a "
                "return demonstration: record the method as demonstration, or the outcome as "
                "needs reinforcement."
            }
        )


@transaction.atomic
def _teaching_save(
    *,
    organization: Organization,
    user: User,
    patient: Patient,
    values: TeachingValues,
    nurse_user: User,
) -> TeachingRecord:
    staff = StaffMember.objects.filter(
        organization=organization, user=nurse_user, is_active=True
    ).first()
    if staff is None or staff.credential not in NURSE_CREDENTIALS:
        raise ValidationError(
            {
                "cosigner": f"{staff or nurse_user.get_username()} is not an RN, LPN or NP on the "
                "staff list: the nurse who taught signs the teaching."
            }
        )
    record = TeachingRecord(
        organization=organization,
        patient=patient,
        plan=values.plan,
        order=values.order,
        taught_on=values.taught_on,
        topics=[t for t in TEACHING_TOPICS if t in values.topics],
        learner=values.learner,
        learner_name=values.learner_name.strip(),
        method=values.method,
        outcome=values.outcome,
        notes=values.notes.strip(),
        nurse=staff,
        signed_by=nurse_user,
        signed_at=timezone.now(),
    )
    record.full_clean()
    record.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=nurse_user,
        organization=organization,
        obj=record,
        patient=patient,
        changes=diff({}, snapshot(record)),
        reason=f"entered by {user.get_username()}" if user != nurse_user else "",
    )
    return record


# --- pharmacist monitoring -------------------------------------------------------------------


@dataclass
class FollowUpValues:
    description: str
    due_on: dt.date
    assignee: StaffMember | None = None


@dataclass
class MonitoringValues:
    noted_on: dt.date
    assessment: str
    plan: str
    labs: list[tuple[str, str, str]] = field(default_factory=list)  # (lab, value, unit)
    dose_change_recommended: bool = False
    recommended_change: str = ""
    order: HomeInfusionOrder | None = None
    follow_ups: list[FollowUpValues] = field(default_factory=list)


def _check_pharmacist(organization: Organization, user: User) -> None:
    staff = StaffMember.objects.filter(organization=organization, user=user, is_active=True).first()
    if staff is None or staff.credential != PHARMACIST:
        raise ValidationError(
            "Clinical monitoring notes are written by a pharmacist (PharmD on the staff list)."
        )


@transaction.atomic
def monitoring_note_create(
    *, organization: Organization, user: User, patient: Patient, values: MonitoringValues
) -> MonitoringNote:
    """A pharmacist's monitoring note with its follow-up tasks."""
    _same_org(organization, patient, values.order, *(f.assignee for f in values.follow_ups))
    _same_patient(patient, values.order)
    _check_pharmacist(organization, user)
    if values.noted_on > timezone.localdate():
        raise ValidationError({"noted_on": "The note's date is in the future."})
    if not values.assessment.strip():
        raise ValidationError({"assessment": "Write the assessment."})
    if not values.plan.strip():
        raise ValidationError({"plan": "Write the plan."})
    if values.dose_change_recommended and not values.recommended_change.strip():
        raise ValidationError(
            {"recommended_change": "Say which dose change you recommend (e.g. 1250 mg q12h)."}
        )
    labs = []
    for lab, value, unit in values.labs:
        if not lab.strip():
            continue
        if not value.strip():
            raise ValidationError({"labs": f"Give the value of {lab.strip()}."})
        labs.append(
            {"lab": lab.strip()[:80], "value": value.strip()[:20], "unit": unit.strip()[:20]}
        )
    for task in values.follow_ups:
        if not task.description.strip():
            raise ValidationError({"follow_ups": "Describe each follow-up task."})
        if task.due_on < values.noted_on:
            raise ValidationError(
                {"follow_ups": f"“{task.description.strip()}” is due before the note's date."}
            )
    note = MonitoringNote(
        organization=organization,
        patient=patient,
        order=values.order,
        noted_on=values.noted_on,
        labs=labs,
        assessment=values.assessment.strip(),
        plan=values.plan.strip(),
        dose_change_recommended=values.dose_change_recommended,
        recommended_change=values.recommended_change.strip()
        if values.dose_change_recommended
        else "",
        pharmacist=acting_user(user),
    )
    note.full_clean()
    note.save()
    for task in values.follow_ups:
        row = FollowUpTask(
            organization=organization,
            note=note,
            patient=patient,
            description=task.description.strip(),
            due_on=task.due_on,
            assignee=task.assignee,
        )
        row.full_clean()
        row.save()
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=organization,
        obj=note,
        patient=patient,
        changes={
            **diff({}, snapshot(note)),
            "follow_ups": [None, [f"{t.description} by {t.due_on}" for t in values.follow_ups]],
        },
    )
    return note


@transaction.atomic
def follow_up_done(*, organization: Organization, user: User, task: FollowUpTask) -> FollowUpTask:
    """Mark a follow-up task done (once)."""
    _same_org(organization, task)
    current = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if current.is_done:
        raise ValidationError(f"“{current.description}” is done already.")
    before = snapshot(current)
    current.done_at = timezone.now()
    current.done_by = acting_user(user)
    current.save(update_fields=["done_at", "done_by", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=organization,
        obj=current,
        patient=current.patient,
        changes=diff(before, snapshot(current)),
    )
    return current


@transaction.atomic
def outside_hit_history_set(
    *,
    organization: Organization,
    user: User,
    patient: Patient,
    last_visit_on: dt.date | None,
    supplier: str = "",
    source: str = "",
) -> OutsideHitHistory:
    """Record (or correct, or clear with no date) the patient's last home infusion therapy
    visit by another supplier, as the referral or intake reports it. Medicare's 60-day rule
    for the initial-visit G-codes reads it with the pharmacy's own history (Benefit Policy
    Manual ch. 15 §320.8.3). Audited with the old and new values."""
    _same_org(organization, patient)
    supplier, source = supplier.strip(), source.strip()
    if last_visit_on is not None:
        if not in_range(last_visit_on):
            raise ValidationError({"last_visit_on": OUT_OF_RANGE})
        if last_visit_on > timezone.localdate():
            raise ValidationError(
                {"last_visit_on": "The other supplier's last visit cannot be in the future."}
            )
        if not supplier:
            raise ValidationError(
                {"supplier": "Name the supplier that made the visit (as the referral says)."}
            )
    elif supplier or source:
        raise ValidationError(
            {"last_visit_on": "Give the date of the other supplier's last visit, or clear "
             "the supplier too."}
        )  # fmt: skip
    found = OutsideHitHistory.objects.select_for_update().filter(patient=patient).first()
    before = found.last_visit_on if found is not None else None
    history = found or OutsideHitHistory(organization=organization, patient=patient)
    audited_update(
        instance=history,
        user=user,
        data={
            "last_visit_on": last_visit_on,
            "supplier": supplier,
            "source": source,
            "recorded_by": acting_user(user),
        },
        fields=["last_visit_on", "supplier", "source", "recorded_by"],
        organization=organization,
        patient=patient,
    )
    # The months whose first visit the date (old or new) can make subsequent: billing
    # derives those already billed again (events.home_service_documented is idempotent).
    months: set[dt.date] = set()
    if before != last_visit_on:
        for day in {before, last_visit_on} - {None}:
            assert day is not None
            months |= {
                (day + dt.timedelta(days=n)).replace(day=1)
                for n in (0, 28, 56, HIT_INITIAL_GAP_DAYS)
            }
    for month in sorted(months):
        home_service_documented(organization, patient, month, user)
    return history
