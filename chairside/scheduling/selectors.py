"""Reads for the schedule, always scoped to one organization."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.core.models import BackgroundJob
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import Span, utilization
from chairside.rules.scheduling.schedule_model import max_overlap
from chairside.scheduling.checks import (
    closure_reason,
    day_bounds,
    live_appointments,
    nurse_label,
)
from chairside.scheduling.models import Appointment, Closure, NurseShift
from chairside.tenancy.models import Chair, Location, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SLOT_MINUTES = 15
NOT_COMING = (states.NO_SHOW, states.CANCELLED, states.RESCHEDULED)


def locations(*, organization: Any) -> QuerySet[Location]:
    return Location.objects.filter(organization=organization, is_active=True).prefetch_related(
        "hours"
    )


def access_location(
    *, organization: Any, public_id: Any = None, user: User | None = None
) -> Location:
    """The organization's location with this id (404 otherwise), or the user's usual one.

    Without an id: the home location of the user's staff profile, else the largest site.
    """
    found = locations(organization=organization)
    if public_id:
        return get_object_or_404(found, public_id=public_id)
    user_id = getattr(user, "pk", None) or 0
    home = (
        StaffMember.objects.filter(organization=organization, user_id=user_id)
        .exclude(home_location=None)
        .values_list("home_location_id", flat=True)
        .first()
    )
    chosen = found.filter(pk=home).first() if home else None
    chosen = chosen or found.annotate(n=Count("chairs")).order_by("-n", "name").first()
    if chosen is None:
        raise Location.DoesNotExist("Add a location first.")
    return chosen


def next_open_day(location: Location, day: dt.date, within: int = 7) -> dt.date:
    """``day`` if the location is open then, else the next open day (within a week)."""
    for offset in range(within + 1):
        candidate = day + dt.timedelta(days=offset)
        opens, _ = _opening(location, candidate)
        if opens is not None and not closure_reason(location, candidate):
            return candidate
    return day


def access_appointment(*, organization: Any, public_id: Any) -> Appointment:
    """The organization's appointment, or 404 — never another organization's."""
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient",
            "order__drug",
            "location",
            "chair",
            "nurse",
            "authorization",
            "authorization_override__overridden_by",
            "booked_by",
            "rescheduled_from",
        ),
        organization=organization,
        public_id=public_id,
    )


def appointment_or_none(*, organization: Any, public_id: Any) -> Appointment | None:
    """The organization's appointment with this public id (nothing joined), or ``None``."""
    return Appointment.objects.filter(organization=organization, public_id=public_id).first()


def chairs(*, organization: Any) -> QuerySet[Chair]:
    """Every chair of the organization's sites, active or not."""
    return Chair.objects.filter(location__organization=organization)


def chair_with_site(*, organization: Any, public_id: Any) -> Chair:
    """One of the organization's chairs with its site; ``Chair.DoesNotExist`` otherwise."""
    return Chair.objects.select_related("location").get(
        location__organization=organization, public_id=public_id
    )


def order_to_book(*, organization: Any, public_id: Any) -> TreatmentOrder | None:
    """The organization's order being booked, with its patient, drug and site, or ``None``."""
    orders = TreatmentOrder.objects.select_related("patient", "drug", "location")
    return orders.filter(organization=organization, public_id=public_id).first()


def active_orders_of(*, organization: Any, patients: list[Any]) -> QuerySet[TreatmentOrder]:
    """The active orders of these patients (the order picker's rows)."""
    return TreatmentOrder.objects.filter(
        organization=organization,
        patient__in=patients,
        status=TreatmentOrder.Status.ACTIVE,
    ).select_related("patient", "drug")


def access_shift(*, organization: Any, public_id: Any) -> NurseShift:
    return get_object_or_404(
        NurseShift.objects.select_related("staff", "location"),
        organization=organization,
        public_id=public_id,
    )


def access_closure(*, organization: Any, public_id: Any) -> Closure:
    return get_object_or_404(Closure, organization=organization, public_id=public_id)


def nurses(*, organization: Any) -> QuerySet[StaffMember]:
    """Active staff who take patients (RN, LPN, NP)."""
    return StaffMember.objects.filter(
        organization=organization, is_active=True, credential__in=["RN", "LPN", "NP"]
    ).order_by("last_name", "first_name")


# --- the day board ---------------------------------------------------------------------------


@dataclass
class Block:
    """An appointment drawn on the board: its grid column and span, and what it says."""

    appointment: Appointment
    column: int
    span: int

    @property
    def initials(self) -> str:
        nurse = self.appointment.nurse
        return nurse.initials if nurse else ""


@dataclass
class ChairRow:
    chair: Chair
    blocks: list[Block] = field(default_factory=list)


@dataclass
class NurseLoad:
    staff: StaffMember
    label: str
    shifts: list[NurseShift]
    appointments: list[Appointment]
    peak: int
    ratio: int


@dataclass
class Board:
    location: Location
    day: dt.date
    opens: dt.datetime | None
    closes: dt.datetime | None
    closure: str
    times: list[dt.datetime] = field(default_factory=list)
    rows: list[ChairRow] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    not_coming: list[Appointment] = field(default_factory=list)
    nurses: list[NurseLoad] = field(default_factory=list)
    without_nurse: list[Appointment] = field(default_factory=list)
    peak: int = 0
    utilization: float = 0.0

    @property
    def columns(self) -> int:
        return len(self.times)

    @property
    def hours(self) -> list[tuple[dt.datetime, int]]:
        """Hour labels for the header: (time, grid column)."""
        return [(t, i + 2) for i, t in enumerate(self.times) if t.minute == 0]

    @property
    def patients(self) -> int:
        return len({a.patient_id for a in self.appointments})

    def count(self, status: str) -> int:
        return sum(1 for a in self.appointments if a.status == status)

    @property
    def checked_in(self) -> int:
        return self.count(states.CHECKED_IN) + self.count(states.IN_CHAIR)


def peak(appointments: list[Appointment]) -> int:
    """Most patients in chairs at one moment."""
    return max_overlap((int(a.start.timestamp()), int(a.end.timestamp())) for a in appointments)


def _opening(location: Location, day: dt.date) -> tuple[dt.datetime | None, dt.datetime | None]:
    hours = next((h for h in location.hours.all() if h.weekday == day.weekday()), None)
    if hours is None:
        return None, None
    return (
        dt.datetime.combine(day, hours.opens, tzinfo=location.tz),
        dt.datetime.combine(day, hours.closes, tzinfo=location.tz),
    )


def _grid(board: Board) -> None:
    """15-minute columns from opening to closing (widened to fit any early or late booking)."""
    starts = [a.local_start() for a in board.appointments]
    ends = [a.local_end() for a in board.appointments]
    first = min([board.opens, *starts]) if board.opens else min(starts, default=None)
    last = max([board.closes, *ends]) if board.closes else max(ends, default=None)
    if first is None or last is None:
        return
    first = first.replace(minute=first.minute - first.minute % SLOT_MINUTES)
    moment = first
    while moment < last:
        board.times.append(moment)
        moment += dt.timedelta(minutes=SLOT_MINUTES)


def _place(board: Board, appointment: Appointment) -> Block:
    origin = board.times[0]
    start = appointment.local_start()
    offset = int((start - origin).total_seconds() // 60) // SLOT_MINUTES
    length = -(-appointment.duration_minutes // SLOT_MINUTES)
    return Block(appointment, offset + 2, max(1, min(length, board.columns - offset)))


def day_board(*, location: Location, day: dt.date) -> Board:
    """Chairs down the side, 15-minute columns across, the day's appointments as blocks."""
    opens, closes = _opening(location, day)
    board = Board(location, day, opens, closes, closure_reason(location, day))
    board.appointments = live_appointments(location, day)
    start, end = day_bounds(location, day)
    board.not_coming = list(
        Appointment.objects.filter(
            location=location, start__gte=start, start__lt=end, status__in=NOT_COMING
        ).select_related("patient", "order__drug", "chair", "location")
    )
    _grid(board)
    rows = {c.pk: ChairRow(c) for c in Chair.objects.filter(location=location, is_active=True)}
    for appointment in board.appointments:
        row = rows.get(appointment.chair_id) or rows.setdefault(
            appointment.chair_id, ChairRow(appointment.chair)
        )
        row.blocks.append(_place(board, appointment))
    board.rows = list(rows.values())
    spans = [Span(a.local_start(), a.local_end()) for a in board.appointments]
    board.peak = peak(board.appointments)
    if opens and closes:
        board.utilization = utilization(spans, len(board.rows), opens, closes)
    board.nurses = _nurse_loads(location, day, board.appointments)
    board.without_nurse = [a for a in board.appointments if a.nurse_id is None]
    return board


def _nurse_loads(
    location: Location, day: dt.date, appointments: list[Appointment]
) -> list[NurseLoad]:
    shifts = NurseShift.objects.filter(location=location, date=day).select_related("staff")
    by_staff: dict[int, NurseLoad] = {}
    for shift in shifts.order_by("starts", "staff__last_name"):
        load = by_staff.get(shift.staff_id)
        if load is None:
            load = NurseLoad(shift.staff, nurse_label(shift.staff), [], [], 0, 0)
            load.ratio = location.nurse_patient_ratio
            by_staff[shift.staff_id] = load
        load.shifts.append(shift)
    for appointment in appointments:
        if appointment.nurse_id in by_staff:
            by_staff[appointment.nurse_id].appointments.append(appointment)
    for load in by_staff.values():
        load.peak = peak(load.appointments)
    return list(by_staff.values())


# --- the week --------------------------------------------------------------------------------


@dataclass
class WeekDay:
    day: dt.date
    closure: str
    opens: dt.datetime | None
    closes: dt.datetime | None
    appointments: list[Appointment]
    utilization: float
    peak: int
    nurses: int
    without_nurse: int


def week(*, location: Location, monday: dt.date) -> list[WeekDay]:
    """Each day of the week starting ``monday``: its appointments and how full it is."""
    chairs = Chair.objects.filter(location=location, is_active=True).count()
    start, _ = day_bounds(location, monday)
    _, end = day_bounds(location, monday + dt.timedelta(days=6))
    rows = list(
        Appointment.objects.filter(
            location=location, start__gte=start, start__lt=end, status__in=states.OCCUPYING
        )
        .select_related("patient", "order__drug", "chair", "nurse", "location")
        .order_by("start")
    )
    shift_days = NurseShift.objects.filter(
        location=location, date__gte=monday, date__lte=monday + dt.timedelta(days=6)
    ).values_list("date", "staff_id")
    staffed: dict[dt.date, set[int]] = {}
    for day, staff_id in shift_days:
        staffed.setdefault(day, set()).add(staff_id)
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        mine = [a for a in rows if a.local_start().date() == day]
        opens, closes = _opening(location, day)
        spans = [Span(a.local_start(), a.local_end()) for a in mine]
        use = utilization(spans, chairs, opens, closes) if opens and closes else 0.0
        days.append(
            WeekDay(
                day,
                closure_reason(location, day),
                opens,
                closes,
                mine,
                use,
                peak(mine),
                len(staffed.get(day, ())),
                sum(1 for a in mine if a.nurse_id is None),
            )
        )
    return days


# --- a patient's appointments ----------------------------------------------------------------


def patient_appointments(patient: Any) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(patient=patient, organization_id=patient.organization_id)
        .select_related("order__drug", "location", "chair", "nurse", "authorization_override")
        .order_by("-start")
    )


def upcoming_for_patient(patient: Any) -> list[Appointment]:
    """Live appointments from now on, soonest first (what the calendar export holds)."""
    return list(
        patient_appointments(patient)
        .filter(end__gte=timezone.now(), status__in=states.OCCUPYING)
        .order_by("start")
    )


def order_ids_with_appointments(
    *, organization: Any, order_ids: list[int], start: dt.date, end: dt.date
) -> set[int]:
    """Orders with a live appointment still to happen (booked, confirmed, arrived, in chair)
    on days ``start`` to ``end``: the access work queue's "due with no appointment" asks.
    """
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    waiting = states.OCCUPYING - {states.COMPLETED}
    return set(
        Appointment.objects.filter(
            organization=organization,
            order_id__in=order_ids,
            start__gte=first,
            start__lt=last,
            status__in=waiting,
        ).values_list("order_id", flat=True)
    )


def shifts_week(*, location: Location, monday: dt.date) -> dict[int, dict[dt.date, list[Any]]]:
    """Shifts of the week at a location, by staff id then date."""
    rows = NurseShift.objects.filter(
        location=location, date__gte=monday, date__lte=monday + dt.timedelta(days=6)
    ).select_related("staff", "location")
    grid: dict[int, dict[dt.date, list[Any]]] = {}
    for shift in rows.order_by("date", "starts"):
        grid.setdefault(shift.staff_id, {}).setdefault(shift.date, []).append(shift)
    return grid


def closures(*, organization: Any, since: dt.date) -> QuerySet[Closure]:
    return Closure.objects.filter(organization=organization, date__gte=since).select_related(
        "location"
    )


# --- Today ------------------------------------------------------------------------------------


@dataclass
class TodayCounts:
    today: int = 0
    in_center: int = 0
    unconfirmed: int = 0
    no_nurse: int = 0
    no_nurse_day: dt.date | None = None


def today_counts(*, organization: Any, today: dt.date) -> TodayCounts:
    """Today's appointments, tomorrow's unconfirmed ones, and the week's without a nurse."""
    counts = TodayCounts()
    for location in locations(organization=organization):
        start, _ = day_bounds(location, today)
        tomorrow, tomorrow_end = day_bounds(location, today + dt.timedelta(days=1))
        _, week_end = day_bounds(location, today + dt.timedelta(days=6))
        live = Appointment.objects.filter(location=location, status__in=states.OCCUPYING)
        todays = live.filter(start__gte=start, start__lt=tomorrow)
        counts.today += todays.count()
        counts.in_center += todays.filter(status__in=[states.CHECKED_IN, states.IN_CHAIR]).count()
        counts.unconfirmed += live.filter(
            start__gte=tomorrow, start__lt=tomorrow_end, status=states.BOOKED
        ).count()
        missing = live.filter(start__gte=start, start__lt=week_end, nurse__isnull=True).exclude(
            status=states.COMPLETED
        )
        counts.no_nurse += missing.count()
        first = missing.order_by("start").first()
        if first is not None:
            day = first.local_start().date()
            counts.no_nurse_day = min(day, counts.no_nurse_day or day)
    return counts


def local_day_span(
    *,
    organization: Any,
    column: str,
    start: dt.date | None,
    end: dt.date | None,
    site: str = "location",
) -> Q:
    """``column`` (a datetime) falls within [start, end] as calendar days in each site's own
    time zone (``site``: the path to the row's location): one condition per site."""
    if start is None and end is None:
        return Q()
    span = Q(pk__in=[])
    for place in Location.objects.filter(organization=organization):
        within = Q(**{site: place})
        if start is not None:
            within &= Q(
                **{f"{column}__gte": dt.datetime.combine(start, dt.time(0), tzinfo=place.tz)}
            )
        if end is not None:
            after = end + dt.timedelta(days=1)
            within &= Q(
                **{f"{column}__lt": dt.datetime.combine(after, dt.time(0), tzinfo=place.tz)}
            )
        span |= within
    return span


def appointments(
    *,
    organization: Any,
    patient: Any = None,
    status: str = "",
    location: Any = None,
    order: Any = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Appointment]:
    """The organization's appointments (patient, site, order by public id), the days in
    each site's time zone; by start, then id (a stable order for paging)."""
    found = Appointment.objects.filter(organization=organization).select_related(
        "patient", "order__drug", "location", "chair", "nurse"
    )
    if patient is not None:
        found = found.filter(patient__public_id=patient)
    if status:
        found = found.filter(status=status)
    if location is not None:
        found = found.filter(location__public_id=location)
    if order is not None:
        found = found.filter(order__public_id=order)
    found = found.filter(
        local_day_span(organization=organization, column="start", start=start, end=end)
    )
    return found.order_by("start", "id")


def recent_optimize_job(
    *, organization: Any, location: Location, day: dt.date
) -> BackgroundJob | None:
    """The site's optimizer job for the day started in the last half hour, if any."""
    return BackgroundJob.objects.filter(
        organization=organization,
        kind=BackgroundJob.Kind.OPTIMIZE_DAY,
        params__location=str(location.public_id),
        params__day=day.isoformat(),
        created_at__gte=timezone.now() - dt.timedelta(minutes=30),
    ).first()


def access_optimize_job(*, organization: Any, public_id: Any) -> BackgroundJob:
    """One optimizer job of this organization, or 404 (another kind of job is unknown here)."""
    return get_object_or_404(
        BackgroundJob,
        organization=organization,
        kind=BackgroundJob.Kind.OPTIMIZE_DAY,
        public_id=public_id,
    )
