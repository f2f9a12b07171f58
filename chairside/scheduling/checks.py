"""Load what a booking must respect from the database and ask ``rules.scheduling.booking``.

Two kinds of rules: those of the *time and place* (opening hours and closures, the chair,
the nurse's shift and ratio, the patient's other bookings), checked whenever an appointment
is booked or moved, and those of the *date* (the order in force, the regimen's spacing,
required labs, the authorization), checked when a dose is booked on a date or moved to
another one. Moving an appointment within its day re-checks only the first kind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.access.referrals.selectors import labs_due
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import (
    DEFAULT_GRACE_DAYS,
    Competence,
    DayRules,
    NurseDay,
    Span,
    chair_problem,
    competency_problem,
    dose_problem,
    hours_problem,
    is_intravenous,
    nurse_problem,
    patient_problem,
    required_competencies,
    us_date,
)
from chairside.rules.scheduling.chair_time import chair_time
from chairside.scheduling.models import Appointment, Closure, NurseShift
from chairside.tenancy.models import Chair, Location, StaffMember

# Shortest chair time for any visit: check-in, vitals and an injection still take a slot.
MIN_MINUTES = 15
SLOT = dt.timedelta(minutes=15)
log = logging.getLogger(__name__)


def grace_days() -> int:
    """Days before its regimen date a dose may be booked (``SCHEDULING_DOSE_GRACE_DAYS``)."""
    return int(getattr(settings, "SCHEDULING_DOSE_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def nurse_label(staff: StaffMember) -> str:
    """``J. Blake`` — how the board names a nurse."""
    return f"{staff.first_name[:1]}. {staff.last_name}"


def competences_of(staff: StaffMember) -> tuple[Competence, ...]:
    """The staff member's competencies as the rules read them (prefetch when looping)."""
    return tuple(Competence(c.skill, c.expires_on) for c in staff.competencies.all())


def needs_for(order: TreatmentOrder) -> tuple[str, ...]:
    """The competencies a nurse needs for a dose of the order's drug
    (``rules.scheduling.booking``)."""
    drug = order.drug
    category = drug.admin_category
    return required_competencies(category, intravenous=is_intravenous(category, drug.route_list))


def default_minutes(order: TreatmentOrder, dose_number: int) -> int:
    """Chair time (``rules.scheduling.chair_time``): access and premedication wait, the label's
    infusion time for this dose (every infusion of the initial dose is a first infusion:
    ocrelizumab's
    two 300 mg infusions), and the longer of the label's and the order's observation."""
    drug = order.drug
    initial = 1
    if order.maintenance_dose_mg is not None and order.maintenance_dose_from:
        initial = max(1, order.maintenance_dose_from - 1)
    time = chair_time(
        dose_number=max(1, dose_number),
        first_infusion_minutes=drug.first_infusion_minutes,
        later_infusion_minutes=drug.subsequent_infusion_minutes,
        initial_infusions=initial,
        label_observation_minutes=drug.observation_minutes,
        order_observation_minutes=order.observation_minutes,
        premedicated=bool(order.premedications.strip()),
        access_minutes=settings.CHAIR_ACCESS_MINUTES,
    )
    return max(MIN_MINUTES, time.total)


def day_bounds(location: Location, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight to midnight of ``day`` at the location."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=location.tz)
    return start, start + dt.timedelta(days=1)


@dataclass(frozen=True)
class Placement:
    """Where an appointment is, or would be: for checking a whole day's rearrangement."""

    start: dt.datetime
    end: dt.datetime
    chair_id: int
    nurse_id: int | None


@dataclass
class DayData:
    """A location's day as the rules see it, with the rows behind the names."""

    location: Location
    day: dt.date
    rules: DayRules
    chairs: dict[str, Chair]
    staff: dict[str, StaffMember]
    appointments: list[Appointment] = field(default_factory=list)

    def nurse(self, staff: StaffMember | None) -> NurseDay | None:
        if staff is None:
            return None
        key = str(staff.pk)
        found = next((n for n in self.rules.nurses if n.key == key), None)
        if found is not None:
            return found
        ratio = self.location.nurse_patient_ratio
        return NurseDay(key, nurse_label(staff), (), (), ratio, competences_of(staff))


def _opening(location: Location, day: dt.date) -> tuple[dt.datetime | None, dt.datetime | None]:
    hours = next((h for h in location.hours.all() if h.weekday == day.weekday()), None)
    if hours is None:
        return None, None
    tz = location.tz
    return (
        dt.datetime.combine(day, hours.opens, tzinfo=tz),
        dt.datetime.combine(day, hours.closes, tzinfo=tz),
    )


def closure_reason(location: Location, day: dt.date) -> str:
    closure = (
        Closure.objects.filter(organization_id=location.organization_id, date=day)
        .filter(Q(location=location) | Q(location__isnull=True))
        .order_by("location_id")
        .first()
    )
    return closure.reason if closure else ""


def live_appointments(location: Location, day: dt.date) -> list[Appointment]:
    start, end = day_bounds(location, day)
    return list(
        Appointment.objects.filter(
            location=location, start__lt=end, end__gt=start, status__in=states.OCCUPYING
        )
        .select_related("patient", "order__drug", "chair", "nurse", "location")
        .order_by("start", "chair__sort_order")
    )


def load_day(
    location: Location,
    day: dt.date,
    *,
    exclude: Collection[int] = (),
    overlay: Mapping[int, Placement] | None = None,
) -> DayData:
    """The day's hours, closure, chairs with their busy spans, and nurses with theirs.

    ``exclude`` leaves appointments out (the one being moved); ``overlay`` puts some where
    a proposal would put them (an optimizer's rearrangement, checked as a whole).
    """
    overlay = overlay or {}
    chairs = {c.name: c for c in Chair.objects.filter(location=location, is_active=True)}
    chair_names = {c.pk: c.name for c in chairs.values()}
    appointments = [a for a in live_appointments(location, day) if a.pk not in exclude]
    placed = [(a, overlay.get(a.pk) or placement_of(a, location.tz)) for a in appointments]
    chair_spans: dict[str, list[Span]] = {name: [] for name in chairs}
    nurse_spans: dict[int, list[Span]] = {}
    for _appointment, where in placed:
        span = Span(where.start, where.end, "another patient")
        if where.chair_id in chair_names:
            chair_spans[chair_names[where.chair_id]].append(span)
        if where.nurse_id is not None:
            nurse_spans.setdefault(where.nurse_id, []).append(span)
    nurses, staff = _nurse_days(location, day, nurse_spans)
    opens, closes = _opening(location, day)
    rules = DayRules(
        location=location.name,
        opens=opens,
        closes=closes,
        closure=closure_reason(location, day),
        chairs=chair_spans,
        nurses=nurses,
    )
    return DayData(location, day, rules, chairs, staff, appointments)


def with_placements(data: DayData, placements: list[Placement]) -> DayData:
    """The day as loaded, plus appointments at ``placements`` (their chairs and nurses busy).

    Checking a rearrangement loads the day once without the moved appointments, then adds
    all but the one being checked, instead of loading the day again for each.
    """
    names = {c.pk: name for name, c in data.chairs.items()}
    chairs = {name: list(spans) for name, spans in data.rules.chairs.items()}
    extra: dict[str, list[Span]] = {}
    for where in placements:
        span = Span(where.start, where.end, "another patient")
        if where.chair_id in names:
            chairs[names[where.chair_id]].append(span)
        if where.nurse_id is not None:
            extra.setdefault(str(where.nurse_id), []).append(span)
    nurses = [
        replace(n, patients=n.patients + tuple(extra.get(n.key, ()))) for n in data.rules.nurses
    ]
    rules = DayRules(
        location=data.rules.location,
        opens=data.rules.opens,
        closes=data.rules.closes,
        closure=data.rules.closure,
        chairs=chairs,
        nurses=nurses,
    )
    return DayData(data.location, data.day, rules, data.chairs, data.staff, data.appointments)


def placement_of(appointment: Appointment, tz: dt.tzinfo) -> Placement:
    return Placement(
        appointment.start.astimezone(tz),
        appointment.end.astimezone(tz),
        appointment.chair_id,
        appointment.nurse_id,
    )


def _nurse_days(
    location: Location, day: dt.date, spans: Mapping[int, list[Span]]
) -> tuple[list[NurseDay], dict[str, StaffMember]]:
    shifts = (
        NurseShift.objects.filter(location=location, date=day)
        .select_related("staff", "location")
        .prefetch_related("staff__competencies")
        .order_by("starts", "staff__last_name")
    )
    by_staff: dict[int, list[Span]] = {}
    staff: dict[str, StaffMember] = {}
    for shift in shifts:
        start, end = shift.bounds()
        by_staff.setdefault(shift.staff_id, []).append(Span(start, end))
        staff[str(shift.staff_id)] = shift.staff
    nurses = [
        NurseDay(
            key=str(staff_id),
            name=nurse_label(staff[str(staff_id)]),
            shifts=tuple(shift_spans),
            patients=tuple(spans.get(staff_id, ())),
            max_patients=location.nurse_patient_ratio,
            competencies=competences_of(staff[str(staff_id)]),
        )
        for staff_id, shift_spans in by_staff.items()
    ]
    return nurses, staff


def patient_spans(
    patient: Any, location: Location, day: dt.date, exclude: Collection[int] = ()
) -> list[Span]:
    """The patient's live bookings that day at any location, labelled for the message."""
    start, end = day_bounds(location, day)
    rows = (
        Appointment.objects.filter(
            patient=patient, start__lt=end, end__gt=start, status__in=states.OCCUPYING
        )
        .exclude(pk__in=list(exclude))
        .select_related("order__drug", "location")
    )
    return [
        Span(
            a.start.astimezone(location.tz),
            a.end.astimezone(location.tz),
            f"{a.order.drug.generic_name} at {a.location.name}",
        )
        for a in rows
    ]


def time_problems(
    data: DayData,
    *,
    chair: Chair,
    nurse: StaffMember | None,
    start: dt.datetime,
    end: dt.datetime,
    patient_name: str,
    patient_busy: list[Span],
    needs: Sequence[str] | None,
) -> list[str]:
    """Hours and closures, the chair, the patient's other bookings, the nurse.

    The nurse's shift and ratio, and (given ``needs``, see ``needs_for``) that she holds
    the competencies the visit needs, current on its date; that refusal names her in full.
    """
    rules = data.rules
    problems = [
        hours_problem(rules, start, end),
        chair_problem(chair.name, start, end, rules.chairs.get(chair.name, ())),
        patient_problem(patient_name, start, end, patient_busy),
    ]
    nurse_day = data.nurse(nurse)
    if nurse is not None and nurse_day is not None:
        problems.append(nurse_problem(nurse_day, start, end))
        if needs is not None:
            full_name = f"{nurse.first_name} {nurse.last_name}"
            problems.append(
                competency_problem(full_name, nurse_day.competencies, needs, start.date())
            )
    return [p for p in problems if p]


# --- the date's rules -----------------------------------------------------------------------


def order_problem(order: TreatmentOrder, on_date: dt.date, dose_number: int) -> str | None:
    """The order must be active, signed and in force that day, and cover this many doses."""
    if order.status != TreatmentOrder.Status.ACTIVE:
        why = f": {order.status_reason}" if order.status_reason else ""
        return f"The order is {order.get_status_display().lower()}{why}"
    return order.signature_problem() or _order_dates_problem(order, on_date, dose_number)


def _order_dates_problem(order: TreatmentOrder, on_date: dt.date, dose_number: int) -> str | None:
    if on_date > order.expires_on:
        return f"Order expired {us_date(order.expires_on)}"
    if order.end_on and on_date > order.end_on:
        return f"Order ended {us_date(order.end_on)}"
    if on_date < order.signed_on:
        return f"The order was signed {us_date(order.signed_on)}, after this date"
    if order.number_of_doses and dose_number > order.number_of_doses:
        return f"The order is for {order.number_of_doses} doses; this would be dose {dose_number}"
    return None


def held_doses(order: TreatmentOrder, exclude: Collection[int] = ()) -> list[Appointment]:
    """The order's appointments that hold a dose (live or completed), in date order."""
    return list(
        order.appointments.filter(status__in=states.OCCUPYING)
        .exclude(pk__in=list(exclude))
        .select_related("location")
        .order_by("start")
    )


@dataclass(frozen=True)
class DoseContext:
    number: int
    anchor: dt.date | None  # the date of dose 1 (actual, or the order's planned first dose)
    previous_on: dt.date | None


def dose_context(
    order: TreatmentOrder,
    on_date: dt.date,
    *,
    number: int | None = None,
    exclude: Collection[int] = (),
    held: list[Appointment] | None = None,
) -> DoseContext:
    """Which dose a booking on ``on_date`` is, from what the order already holds.

    After a booked or given dose, the next number; with no bookings yet, the regimen dose
    whose date is nearest (an order started before Chairside), else dose 1; never a dose
    already booked on another date (then the one after the last booked). The coordinator
    may say otherwise (``number``).
    """
    held = held_doses(order, exclude) if held is None else held
    dates = [(a.dose_number, a.local_start().date()) for a in held]
    first = next((d for n, d in dates if n == 1), None) or order.first_dose_on
    before = [(n, d) for n, d in dates if d < on_date]
    if number is None:
        number = before[-1][0] + 1 if before else _nearest_dose(order, on_date)
        booked = {n for n, _ in dates}
        if number in booked:  # that dose is booked on a later date: this is the next one
            number = max(booked) + 1
    previous = next((d for n, d in reversed(dates) if n == number - 1), None)
    return DoseContext(number, first, previous)


def _nearest_dose(order: TreatmentOrder, on_date: dt.date) -> int:
    """With nothing booked: dose 1, unless the order's first dose is already in the past (an
    order started before Chairside), when the regimen dose nearest ``on_date`` is meant.

    A first dose planned for today or later cannot have been given: every date is dose 1,
    however far it slips (issue 13.8: find-a-slot called it dose 2 a week later).
    """
    first = order.first_dose_on
    if first is None or on_date <= first or first >= timezone.localdate():
        return 1
    dates = order.planned_dates()
    if not dates:
        return 1
    nearest = min(range(len(dates)), key=lambda k: (abs((dates[k] - on_date).days), k))
    return nearest + 1


def dose_spacing_problem(order: TreatmentOrder, on_date: dt.date, ctx: DoseContext) -> str | None:
    if ctx.anchor is None or ctx.number == 1:
        return None
    return dose_problem(
        order.regimen(),
        ctx.anchor,
        ctx.number,
        on_date,
        previous_dose_on=ctx.previous_on,
        grace_days=grace_days(),
    )


def lab_problem(order: TreatmentOrder, on_date: dt.date) -> str | None:
    """Refuse a dose while a required lab is missing or already overdue.

    Overdue is judged on the booking day (or the dose day, if earlier): a coordinator books
    weeks ahead and the patient has the repeat lab drawn before the visit, so a lab that is
    current today but lapses before the dose is a warning (``lab_warning``), not a refusal.
    On the day of the visit the nurse's check-in asks for the labs to be current.
    """

    due = labs_due(order=order, on_date=min(on_date, timezone.localdate()))
    if not due:
        return None
    return "Required labs are out of date: " + "; ".join(d.message for d in due)


def lab_warning(order: TreatmentOrder, on_date: dt.date) -> str | None:
    """The required labs that are current today but fall due before a dose on ``on_date``."""

    today = timezone.localdate()
    if on_date <= today:
        return None
    overdue = {d.name for d in labs_due(order=order, on_date=today)}
    lapsing = [d for d in labs_due(order=order, on_date=on_date) if d.name not in overdue]
    if not lapsing:
        return None
    return "Draw before the visit: " + "; ".join(
        f"{d.name} due {us_date(d.due_on)}" if d.due_on else d.name for d in lapsing
    )


def date_problems(order: TreatmentOrder, on_date: dt.date, ctx: DoseContext) -> list[str]:
    """Order in force, dose spacing, labs — everything about the date but authorization."""
    problems = [
        order_problem(order, on_date, ctx.number),
        dose_spacing_problem(order, on_date, ctx),
        lab_problem(order, on_date),
    ]
    return [p for p in problems if p]


def units_for(order: TreatmentOrder, dose_number: int) -> int:
    """HCPCS billing units of the dose (at the order's weight), rounded up; 0 if unknown."""
    try:
        dose = order.dose_for_weight(None, dose_number)
    except ValueError:
        return 0
    units = dose / Decimal(order.drug.billing_unit_mg)
    return int(units.to_integral_value(rounding=ROUND_CEILING))
