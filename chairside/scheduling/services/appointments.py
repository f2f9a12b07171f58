"""Booking and moving appointments: the one place every rule of the schedule is enforced.

Pages, the API, the series booking and the optimizer's "apply" all come through here. Each
write runs in one transaction that first locks the chair, the nurse and the patient rows
(``select_for_update``), so two coordinators booking the same chair at once are served one
after the other and the second sees the first's booking; on PostgreSQL an exclusion
constraint guarantees it even for a writer that skipped this service.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from chairside.access.authorizations.services import (
    authorization_check,
    authorization_override,
    authorization_release,
    authorization_reserve,
)
from chairside.access.referrals.models import TreatmentOrder
from chairside.audit.models import AuditEvent
from chairside.audit.services import audit_record, diff, snapshot
from chairside.core.actors import acting_user
from chairside.patients.models import Patient
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import (
    competency_problem,
    nurse_problem,
    pick_nurse,
    span_text,
    us_date,
)
from chairside.scheduling.checks import (
    DayData,
    DoseContext,
    competences_of,
    date_problems,
    default_minutes,
    dose_context,
    lab_warning,
    load_day,
    needs_for,
    nurse_label,
    patient_spans,
    time_problems,
    units_for,
)
from chairside.scheduling.events import (
    appointment_placed,
    appointment_status_changed,
    booking_warnings,
)
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import Chair, Membership, Organization, StaffMember
from chairside.tenancy.roles import Perm, has_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SOURCE = "scheduling.appointment"
AUTO = "auto"  # nurse=AUTO: the least-loaded competent nurse on shift who can take her
KEEP = "keep"  # nurse=KEEP when moving: the same nurse
AUDITED = (
    "start",
    "end",
    "chair",
    "nurse",
    "location",
    "status",
    "dose_number",
    "earliest_start",
    "latest_end",
    "reason_code",
    "reason",
    "notes",
)


@dataclass(frozen=True)
class Booked:
    """A booked (or moved) appointment and what the coordinator should know about it."""

    appointment: Appointment
    warnings: tuple[str, ...] = ()


def local(moment: dt.datetime, chair: Chair) -> dt.datetime:
    """The moment in the chair's location's time zone; naive datetimes are refused."""
    if timezone.is_naive(moment):
        raise ValidationError("The start time must carry its time zone.")
    return moment.astimezone(chair.location.tz)


def lock_rows(*, chairs: list[Chair], nurses: list[StaffMember], patients: list[Patient]) -> None:
    """Lock chairs, nurses and patients, always in that order and by id (no deadlocks)."""
    list(Chair.objects.select_for_update().filter(pk__in=sorted(c.pk for c in chairs)))
    ids = sorted({n.pk for n in nurses})
    list(StaffMember.objects.select_for_update().filter(pk__in=ids))
    list(Patient.objects.select_for_update().filter(pk__in=sorted(p.pk for p in patients)))


def check_same_organization(organization: Organization, **rows: Any) -> None:
    for name, row in rows.items():
        if row is None or not hasattr(row, "pk"):
            continue
        owner = row.location.organization_id if isinstance(row, Chair) else row.organization_id
        if owner != organization.pk:
            raise ValidationError({name: f"Choose one of your organization's {name}s."})


def choose_nurse(
    data: DayData, wanted: Any, start: dt.datetime, end: dt.datetime, needs: tuple[str, ...]
) -> StaffMember | None:
    """The nurse asked for, or for AUTO the least-loaded one on shift who is free and holds
    the competencies ``needs`` (an explicit choice is checked by ``time_problems``)."""
    if wanted != AUTO:
        return wanted  # type: ignore[no-any-return]
    chosen = pick_nurse(data.rules.nurses, start, end, needs)
    return None if chosen is None else data.staff[chosen.key]


def may_override(user: User, organization: Organization) -> bool:
    if getattr(user, "pk", None) is None:
        return False
    membership = Membership.objects.filter(
        user_id=user.pk, organization=organization, is_active=True
    ).first()
    return membership is not None and has_perm(membership.role, Perm.AUTH_OVERRIDE)


def authorize(
    *, order: TreatmentOrder, on_date: dt.date, units: int, user: User, override_reason: str
) -> tuple[Any, Any, list[str]]:
    """(authorization, override, notes) for a dose on the date, or ValidationError."""
    decision = authorization_check(order=order, on_date=on_date, units=units)
    if decision.ok:
        notes = []
        if decision.visits_left == 1:
            notes.append(f"This uses the last visit on {decision.authorization}.")
        return decision.authorization, None, notes
    if not override_reason.strip():
        raise ValidationError(f"{decision.message} (override with a reason)")
    if not may_override(user, order.organization):
        raise ValidationError(
            f"{decision.message} Only an administrator or coordinator may override."
        )
    override = authorization_override(
        order=order, on_date=on_date, user=user, reason=override_reason, units=units
    )
    return decision.authorization, override, [f"Authorization overridden: {override.missing}"]


def save_appointment(appointment: Appointment) -> None:
    """Save, turning a database refusal (another writer won the race) into a message."""
    appointment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError as exc:
        if "dose" in str(exc):
            raise ValidationError(
                f"Dose {appointment.dose_number} of this order is already booked."
            ) from None
        raise ValidationError(
            f"Chair {appointment.chair.name} was just booked by someone else at that time; "
            "choose another time or chair."
        ) from None


def _check_window(start: dt.datetime, end: dt.datetime, earliest: Any, latest: Any) -> None:
    if earliest is not None and earliest > start:
        raise ValidationError({"earliest_start": "The patient's earliest time is after the start."})
    if latest is not None and latest < end:
        raise ValidationError({"latest_end": "The patient's latest end is before the end."})


def _check_not_past(start: dt.datetime, record_past: bool) -> None:
    if not record_past and start < timezone.now():
        raise ValidationError(
            f"{us_date(start.date())} {start:%H:%M} has already passed; choose a later time."
        )


@transaction.atomic
def appointment_book(
    *,
    organization: Organization,
    user: User,
    order: TreatmentOrder,
    chair: Chair,
    start: dt.datetime,
    nurse: Any = AUTO,
    minutes: int | None = None,
    dose_number: int | None = None,
    earliest_start: dt.datetime | None = None,
    latest_end: dt.datetime | None = None,
    series_id: uuid.UUID | None = None,
    override_reason: str = "",
    notes: str = "",
    record_past: bool = False,
    rescheduled_from: Appointment | None = None,
    warn_stock: bool = True,
) -> Booked:
    """Book a dose of ``order`` in ``chair`` from ``start``; every rule or ValidationError.

    Duration defaults from the formulary (first or later infusion, plus observation). The
    nurse defaults to the least-loaded one on shift who can take the patient; with nobody
    free the appointment is booked without a nurse and a warning says so. An authorization
    that does not cover the date refuses the booking unless ``override_reason`` is given
    by someone allowed to override (audited, and shown on the appointment). A short stock
    forecast only warns (``warn_stock=False`` skips the forecast, for bulk seeding).
    ``record_past`` allows entering a visit that already happened.
    """
    check_same_organization(organization, order=order, chair=chair, nurse=nurse)
    if not chair.is_active:
        raise ValidationError({"chair": f"Chair {chair.name} is out of service."})
    start = local(start, chair)
    lock_rows(chairs=[chair], nurses=_staff(nurse), patients=[order.patient])
    _lock_order(order)
    _check_not_past(start, record_past)
    on_date = start.date()
    ctx = dose_context(order, on_date, number=dose_number)
    end = start + dt.timedelta(minutes=minutes or default_minutes(order, ctx.number))
    _check_window(start, end, earliest_start, latest_end)
    data, chosen = _checked_place(order, chair, nurse, (start, end), ctx)
    units = units_for(order, ctx.number)
    authorization, override, auth_notes = authorize(
        order=order, on_date=on_date, units=units, user=user, override_reason=override_reason
    )
    appointment = Appointment(
        organization=organization,
        patient=order.patient,
        order=order,
        location=chair.location,
        chair=chair,
        nurse=chosen,
        start=start,
        end=end,
        dose_number=ctx.number,
        authorization=authorization,
        authorization_override=override,
        series_id=series_id,
        earliest_start=earliest_start,
        latest_end=latest_end,
        notes=notes.strip(),
        rescheduled_from=rescheduled_from,
        booked_by=acting_user(user),
    )
    save_appointment(appointment)
    _reserve_and_audit(appointment, user, units, override_reason if override else "")
    appointment_placed(appointment, user, new=True)
    wanted = nurse if data.rules.nurses else None  # no rota yet that day: nothing to say
    return Booked(appointment, tuple(_warnings(appointment, wanted, auth_notes, warn_stock)))


def _lock_order(order: TreatmentOrder) -> None:
    """Read the order's status and signature under its row lock: a signature voided by a
    change committed a moment ago must refuse this booking (issue 11.2)."""
    list(TreatmentOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk"))
    order.refresh_from_db(
        fields=[
            "status",
            "status_reason",
            "signed_at",
            "signed_by",
            "signature_voided_at",
            "signature_void_reason",
        ]
    )


def _checked_place(
    order: TreatmentOrder,
    chair: Chair,
    nurse: Any,
    span: tuple[dt.datetime, dt.datetime],
    ctx: DoseContext,
) -> tuple[DayData, StaffMember | None]:
    """Every rule of the booking but the authorization; the nurse it gets (or None)."""
    start, end = span
    data = load_day(chair.location, start.date())
    needs = needs_for(order)
    chosen = choose_nurse(data, nurse, start, end, needs)
    problems = time_problems(
        data,
        chair=chair,
        nurse=chosen,
        start=start,
        end=end,
        patient_name=order.patient.full_name,
        patient_busy=patient_spans(order.patient, chair.location, start.date()),
        needs=needs,
    ) + date_problems(order, start.date(), ctx)
    if problems:
        raise ValidationError(problems)
    return data, chosen


def _reserve_and_audit(appointment: Appointment, user: User, units: int, reason: str) -> None:
    authorization_reserve(
        order=appointment.order,
        on_date=appointment.local_start().date(),
        units=units,
        source_type=SOURCE,
        source_id=str(appointment.public_id),
        user=user,
        override=appointment.authorization_override,
    )
    audit_record(
        action=AuditEvent.Action.CREATE,
        user=user,
        organization=appointment.organization,
        obj=appointment,
        patient=appointment.patient,
        changes=diff({}, snapshot(appointment, AUDITED)),
        reason=reason.strip(),
    )


def _staff(nurse: Any) -> list[StaffMember]:
    return [nurse] if isinstance(nurse, StaffMember) else []


def _warnings(
    appointment: Appointment, wanted: Any, notes: list[str], warn_stock: bool = True
) -> list[str]:
    warnings = list(notes)
    if wanted == AUTO and appointment.nurse is None:
        start = appointment.local_start()
        when = f"{us_date(start.date())} {span_text(start, appointment.local_end())}"
        warnings.append(
            f"No nurse on shift is free {when} with the competencies this visit needs: "
            "assign one before the day."
        )
    labs = lab_warning(appointment.order, appointment.local_start().date())
    if labs:
        warnings.append(labs)
    if not warn_stock:
        return warnings
    warnings += booking_warnings(
        appointment.order, appointment.location, appointment.local_start().date()
    )
    return warnings


def locked_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "order__drug", "chair__location", "location", "nurse")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    user: User,
    start: dt.datetime | None = None,
    chair: Chair | None = None,
    nurse: Any = KEEP,
    minutes: int | None = None,
    reason: str = "",
    override_reason: str = "",
) -> Booked:
    """Move an appointment to another time, chair or nurse; to another day, reschedule it.

    Within the day, the time-and-place rules are checked again (the date's rules do not
    change). To another date the old appointment becomes "rescheduled" and a new one is
    booked through :func:`appointment_book`, with every rule, keeping the dose number.
    """
    locked = locked_appointment(appointment)
    if locked.status not in states.MOVABLE:
        raise ValidationError(f"A {locked.status_label.lower()} appointment cannot be moved.")
    chair = chair or locked.chair
    check_same_organization(locked.organization, chair=chair, nurse=nurse)
    new_start = local(start or locked.start, chair)
    if new_start.date() != locked.local_start().date():
        return _reschedule(
            locked,
            user,
            chair=chair,
            start=new_start,
            nurse=nurse,
            minutes=minutes,
            reason=reason,
            override_reason=override_reason,
        )
    if new_start != locked.start:
        _check_not_past(new_start, record_past=False)
    end = new_start + dt.timedelta(minutes=minutes or locked.duration_minutes)
    nurse = locked.nurse if nurse == KEEP else nurse
    lock_rows(chairs=[chair], nurses=_staff(nurse), patients=[locked.patient])
    return _move_within_day(
        locked, user, chair=chair, span=(new_start, end), nurse=nurse, reason=reason
    )


def _move_within_day(
    locked: Appointment,
    user: User,
    *,
    chair: Chair,
    span: tuple[dt.datetime, dt.datetime],
    nurse: Any,
    reason: str,
) -> Booked:
    """The same day: only the time-and-place rules can change."""
    start, end = span
    data = load_day(chair.location, start.date(), exclude={locked.pk})
    needs = needs_for(locked.order)
    chosen = choose_nurse(data, nurse, start, end, needs)
    problems = time_problems(
        data,
        chair=chair,
        nurse=chosen,
        start=start,
        end=end,
        patient_name=locked.patient.full_name,
        patient_busy=patient_spans(locked.patient, chair.location, start.date(), {locked.pk}),
        needs=needs,
    )
    if problems:
        raise ValidationError(problems)
    before = snapshot(locked, AUDITED)
    locked.start, locked.end, locked.chair, locked.location = start, end, chair, chair.location
    locked.nurse = chosen
    save_appointment(locked)
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        changes=diff(before, snapshot(locked, AUDITED)),
        reason=reason.strip(),
    )
    appointment_placed(locked, user)  # another site's chair needs that site's vials
    wanted = nurse if data.rules.nurses else None
    return Booked(locked, tuple(_warnings(locked, wanted, [])))


def _reschedule(
    old: Appointment,
    user: User,
    *,
    chair: Chair,
    start: dt.datetime,
    nurse: Any,
    minutes: int | None,
    reason: str,
    override_reason: str,
) -> Booked:
    set_status(old, user, states.RESCHEDULED, reason_code="", reason=reason)
    authorization_release(source_type=SOURCE, source_id=str(old.public_id), user=user)
    shift = dt.timedelta(days=(start.date() - old.local_start().date()).days)
    return appointment_book(
        organization=old.organization,
        user=user,
        order=old.order,
        chair=chair,
        start=start,
        nurse=AUTO if nurse == KEEP else nurse,
        minutes=minutes or old.duration_minutes,
        dose_number=old.dose_number,
        earliest_start=old.earliest_start + shift if old.earliest_start else None,
        latest_end=old.latest_end + shift if old.latest_end else None,
        series_id=old.series_id,
        override_reason=override_reason,
        notes=old.notes,
        rescheduled_from=old,
    )


def set_status(
    appointment: Appointment, user: User | None, target: str, *, reason_code: str, reason: str
) -> Appointment:
    """Move a (locked) appointment to ``target`` if the state machine allows it; audited."""
    label = Appointment.Reason(reason_code).label if reason_code else ""
    why = reason.strip() or label
    try:
        states.APPOINTMENT.check(appointment.status, target, why)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    old = appointment.status
    appointment.status, appointment.reason_code = target, reason_code
    appointment.reason = reason.strip()[:255] if reason.strip() else appointment.reason
    appointment.save(update_fields=["status", "reason_code", "reason", "updated_at"])
    audit_record(
        action=AuditEvent.Action.STATE,
        user=user,
        organization=appointment.organization,
        obj=appointment,
        patient=appointment.patient,
        changes={"status": [old, target]},
        reason=why,
    )
    appointment_status_changed(appointment, user, target, why)
    return appointment


@transaction.atomic
def appointment_assign_nurse(
    *, appointment: Appointment, user: User, nurse: StaffMember | None
) -> Appointment:
    """Give the appointment a nurse (or none); her shift, ratio and competencies are checked."""
    locked = locked_appointment(appointment)
    if locked.status not in states.OCCUPYING or locked.status == states.COMPLETED:
        raise ValidationError(f"A {locked.status_label.lower()} appointment takes no nurse.")
    check_same_organization(locked.organization, nurse=nurse)
    if nurse is not None:
        lock_rows(chairs=[], nurses=[nurse], patients=[])
        data = load_day(locked.location, locked.local_start().date(), exclude={locked.pk})
        nurse_day = data.nurse(nurse)
        problem = nurse_day and nurse_problem(nurse_day, locked.local_start(), locked.local_end())
        if problem:
            raise ValidationError(problem)
        lacking = competency_problem(
            f"{nurse.first_name} {nurse.last_name}",
            competences_of(nurse),
            needs_for(locked.order),
            locked.local_start().date(),
        )
        if lacking:
            raise ValidationError(lacking)
    before = snapshot(locked, ["nurse"])
    locked.nurse = nurse
    locked.save(update_fields=["nurse", "updated_at"])
    audit_record(
        action=AuditEvent.Action.UPDATE,
        user=user,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        changes=diff(before, snapshot(locked, ["nurse"])),
    )
    return locked


def describe(appointment: Appointment) -> str:
    """``Grace Hopper, infliximab, 12/03/2026 10:00–12:00, chair C03 (J. Blake)``."""
    start, end = appointment.local_start(), appointment.local_end()
    who = f" ({nurse_label(appointment.nurse)})" if appointment.nurse else ""
    return (
        f"{appointment.patient.full_name}, {appointment.order.drug.generic_name}, "
        f"{us_date(start.date())} {span_text(start, end)}, chair {appointment.chair.name}{who}"
    )
