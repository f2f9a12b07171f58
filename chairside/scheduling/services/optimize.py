"""'Optimize this day': the board's day as an optimizer instance, its answer as moves.

The instance follows ``bench/SCHEDULE_FORMAT.md`` (``rules.scheduling.schedule_model``).
Appointments still only *booked* (not confirmed by the patient) and not yet started are flexible,
each within the window the patient can come: the one stored on the appointment, or an hour either
side of the booking. Every other live appointment is fixed, modelled by a window
that admits only its current place (rounded out to the 15-minute grid). Nurses are the
day's shifts at the location's ratio; each appointment lists the shifts whose nurse holds the
competencies its drug needs, current that day (``eligible_nurses``, the booking competency
rule ``rules.scheduling.booking.competency_problem``), so the solver never pairs a patient with a
nurse who may not take her. The optimizer (``rules.scheduling.optimizer.solve``) returns
starts, chairs and nurses; fixed appointments keep their own chair and nurse, so the
flexible ones get chairs and nurses again here, around them, preferring the optimizer's
choice. Every move is then checked with the booking rules against the day as it would be,
and a move that fails is dropped. Nothing is written until the coordinator accepts; then
``appointments_rearrange`` writes all moves in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import (
    NurseDay,
    Span,
    clashes,
    competency_problem,
    nurse_problem,
    pick_nurse,
)
from chairside.rules.scheduling.optimizer import solve
from chairside.rules.scheduling.schedule_model import Appointment as InstanceAppointment
from chairside.rules.scheduling.schedule_model import Chair as InstanceChair
from chairside.rules.scheduling.schedule_model import Instance, Nurse, max_overlap
from chairside.scheduling.checks import (
    closure_reason,
    competences_of,
    live_appointments,
    needs_for,
    nurse_label,
)
from chairside.scheduling.models import Appointment, NurseShift
from chairside.scheduling.services.rearrange import (
    Change,
    appointments_rearrange,
    rearrange_problems,
)
from chairside.tenancy.models import Chair, Location, Organization, StaffMember

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OPTIMIZE_SECONDS = 8.0  # the solver's share; building and checking the proposal adds ~1-2 s
GRID = 15
FLEX = dt.timedelta(hours=1)  # the window when the appointment has none of its own


def nurse_windows(duration: int) -> tuple[int, int]:
    """Minutes a nurse is fully taken at the start (line, premedication) and at the end.

    As in the example instances of SCHEDULE_FORMAT.md: 10/5 for an injection, 15/10 for a
    routine infusion, 20/10 for a long one; never more than the appointment itself.
    """
    setup, takedown = (10, 5) if duration <= 30 else (15, 10) if duration <= 150 else (20, 10)
    setup = min(setup, duration // 2)
    return setup, min(takedown, duration - setup)


@dataclass
class DayModel:
    location: Location
    day: dt.date
    midnight: dt.datetime
    instance: Instance
    appointments: dict[str, Appointment]
    flexible: set[str]
    nurses: dict[str, StaffMember]
    shifts: list[NurseShift]
    chairs: dict[str, Chair]

    def minutes(self, moment: dt.datetime) -> int:
        return int((moment.astimezone(self.location.tz) - self.midnight).total_seconds() // 60)

    def moment(self, minutes: int) -> dt.datetime:
        return self.midnight + dt.timedelta(minutes=minutes)


def _floor(minutes: int) -> int:
    return minutes // GRID * GRID


def _ceil(minutes: int) -> int:
    return -(-minutes // GRID) * GRID


def _hours(location: Location, day: dt.date) -> tuple[int, int]:
    hours = location.hours.filter(weekday=day.weekday()).first()
    if hours is None or closure_reason(location, day):
        raise ValidationError(f"{location.name} is closed that day: nothing to optimize.")
    return hours.opens.hour * 60 + hours.opens.minute, hours.closes.hour * 60 + hours.closes.minute


def _eligible(model: DayModel, appointment: Appointment, flexible: bool) -> tuple[str, ...] | None:
    """The shifts whose nurse holds the competencies the visit needs, current that day.

    A fixed appointment keeps its nurse: only her shift that covers it, so the solver plans
    the others around the day's real nurse loads. A fixed one no shift may take stays in the
    model with any nurse (``None``): its chair must still count as taken.
    """
    if not flexible and appointment.nurse_id is not None:
        own = tuple(
            f"N{shift.pk}"
            for shift in model.shifts
            if shift.staff_id == appointment.nurse_id
            and shift.bounds()[0] <= appointment.start
            and appointment.end <= shift.bounds()[1]
        )
        if own:
            return own
    needs = needs_for(appointment.order)
    eligible = tuple(
        f"N{shift.pk}"
        for shift in model.shifts
        if competency_problem("", competences_of(shift.staff), needs, model.day) is None
    )
    return eligible if eligible or flexible else None


def _instance_appointment(
    model: DayModel, appointment: Appointment, flexible: bool, bounds: tuple[int, int, int]
) -> InstanceAppointment:
    opens, closes, earliest_now = bounds
    start, end = model.minutes(appointment.start), model.minutes(appointment.end)
    if not flexible:
        start, end = _floor(start), _ceil(end)
        earliest, latest, duration = start, end, end - start
    else:
        duration = end - start
        own_earliest = appointment.earliest_start or appointment.start - FLEX
        own_latest = appointment.latest_end or appointment.end + FLEX
        earliest = max(model.minutes(own_earliest), opens, earliest_now)
        latest = min(model.minutes(own_latest), closes)
    setup, takedown = nurse_windows(duration)
    return InstanceAppointment(
        id=f"A{appointment.pk}",
        duration=duration,
        chair_kind=appointment.chair.kind,
        earliest=earliest,
        latest_end=latest,
        preferred_start=min(max(_floor(start), earliest), max(earliest, latest - duration)),
        nurse_setup=setup,
        nurse_takedown=takedown,
        drug=appointment.order.drug.generic_name,
        eligible_nurses=_eligible(model, appointment, flexible),
    )


def build_day_model(location: Location, day: dt.date) -> DayModel:
    """The day's instance: chairs, nurse shifts, and its live appointments (see the notes)."""
    opens, closes = _hours(location, day)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=location.tz)
    now = timezone.localtime(timezone.now(), location.tz)
    earliest_now = 0 if now.date() < day else _ceil(int((now - midnight).total_seconds() // 60))
    chairs = {c.name: c for c in Chair.objects.filter(location=location, is_active=True)}
    shifts = list(
        NurseShift.objects.filter(location=location, date=day)
        .select_related("staff", "location")
        .prefetch_related("staff__competencies")
    )
    if not shifts:
        raise ValidationError("No nurse shifts on this day: enter the rota before optimizing.")
    model = DayModel(location, day, midnight, _empty(day), {}, set(), {}, shifts, chairs)
    items = []
    for appointment in live_appointments(location, day):
        flexible = appointment.status in states.FLEXIBLE and appointment.start >= now
        key = f"A{appointment.pk}"
        model.appointments[key] = appointment
        if flexible:
            model.flexible.add(key)
        bounds = (opens, closes, earliest_now)
        items.append(_instance_appointment(model, appointment, flexible, bounds))
    model.nurses = {f"N{s.pk}": s.staff for s in shifts}
    model.instance = Instance(
        date=day.isoformat(),
        open=opens,
        close=closes,
        slot_minutes=GRID,
        chairs=tuple(InstanceChair(id=c.name, kind=c.kind) for c in chairs.values()),
        nurses=tuple(_nurse(s, location) for s in shifts),
        appointments=tuple(items),
    )
    return model


def _empty(day: dt.date) -> Instance:
    return Instance(day.isoformat(), 0, 1, GRID, (), (), ())


def _nurse(shift: NurseShift, location: Location) -> Nurse:
    return Nurse(
        id=f"N{shift.pk}",
        start=shift.starts.hour * 60 + shift.starts.minute,
        end=shift.ends.hour * 60 + shift.ends.minute,
        max_patients=location.nurse_patient_ratio,
    )


def fingerprint(location: Location, day: dt.date) -> str:
    """A digest of the day's appointments and shifts: a proposal is for this state only."""
    rows = [
        (a.pk, a.start.isoformat(), a.end.isoformat(), a.chair_id, a.nurse_id, a.status)
        for a in live_appointments(location, day)
    ]
    shifts = NurseShift.objects.filter(location=location, date=day).order_by("pk")
    rows += [(s.pk, str(s.starts), str(s.ends), s.staff_id, 0, "shift") for s in shifts]
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:32]


@dataclass
class Proposal:
    """What the optimizer would change, and the day before and after."""

    location: Location
    day: dt.date
    changes: list[Change] = field(default_factory=list)
    flexible: int = 0
    fixed: int = 0
    left: list[Appointment] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    before: list[int] = field(default_factory=list)
    after: list[int] = field(default_factory=list)
    peak_before: int = 0
    peak_after: int = 0
    deviation_minutes: int = 0
    solve_seconds: float = 0.0
    fingerprint: str = ""
    # The objectives after the peak, before and after: the most patients one nurse has at
    # once, and the spread of the nurses' hands-on minutes (docs/SCHEDULE_FORMAT.md).
    nurse_peak_before: int = 0
    nurse_peak_after: int = 0
    spread_before: int = 0
    spread_after: int = 0
    # What the solver placed of the day's appointments, and its proven bounds (None if the
    # solver did not run: nothing to move).
    scheduled: int = 0
    total: int = 0
    bound_scheduled: int | None = None
    bound_peak: int | None = None


def day_optimize_propose(
    *, location: Location, day: dt.date, time_limit: float | None = None
) -> Proposal:
    """Run the optimizer on the day and return the moves it suggests (nothing is written).

    ``time_limit`` defaults to ``OPTIMIZE_SECONDS`` (8 s: a coordinator waits for it).
    """
    time_limit = OPTIMIZE_SECONDS if time_limit is None else time_limit
    model = build_day_model(location, day)
    proposal = Proposal(location, day, fingerprint=fingerprint(location, day))
    proposal.flexible = len(model.flexible)
    proposal.fixed = len(model.appointments) - len(model.flexible)
    if model.flexible:
        answer = solve(model.instance, time_limit)
        proposal.solve_seconds = answer.solve_seconds
        proposal.scheduled, proposal.total = answer.objective.scheduled, len(model.appointments)
        if answer.bounds is not None:
            proposal.bound_scheduled = answer.bounds.scheduled
            proposal.bound_peak = answer.bounds.peak_patients
        placed = {a.id: a for a in answer.assignments if a.id in model.flexible}
        proposal.changes = _valid_changes(model, _assemble(model, placed))
        moved = {c.appointment.pk for c in proposal.changes}
        proposal.left = [
            model.appointments[k]
            for k in sorted(model.flexible)
            if k not in placed and model.appointments[k].pk not in moved
        ]
    _curves(model, proposal)
    return proposal


def _assemble(model: DayModel, placed: dict[str, Any]) -> list[Change]:
    """Chairs and nurses for the placed flexible appointments, around the fixed ones."""
    keep = [a for k, a in model.appointments.items() if k not in placed]
    chair_spans: dict[int, list[Span]] = {c.pk: [] for c in model.chairs.values()}
    nurse_spans: dict[int, list[Span]] = {}
    for appointment in keep:
        span = Span(appointment.start, appointment.end)
        chair_spans.setdefault(appointment.chair_id, []).append(span)
        if appointment.nurse_id:
            nurse_spans.setdefault(appointment.nurse_id, []).append(span)
    changes = []
    for key in sorted(placed, key=lambda k: (placed[k].start, k)):
        appointment, target = model.appointments[key], placed[key]
        start = model.moment(target.start)
        end = start + (appointment.end - appointment.start)
        chair = _pick_chair(
            model, appointment, suggested=target.chair, spans=chair_spans, start=start, end=end
        )
        if chair is None:
            continue
        # The optimizer's nurse first (it levels the nurses' loads), else the current one.
        wanted = (model.nurses.get(target.nurse), appointment.nurse)
        nurse = _pick_nurse(model, wanted, nurse_spans, start, end)
        chair_spans[chair.pk].append(Span(start, end))
        if nurse is not None:
            nurse_spans.setdefault(nurse.pk, []).append(Span(start, end))
        if (start, chair.pk, nurse.pk if nurse else None) != (
            appointment.start,
            appointment.chair_id,
            appointment.nurse_id,
        ):
            changes.append(Change(appointment, start, chair, nurse))
    return changes


def _pick_chair(
    model: DayModel,
    appointment: Appointment,
    *,
    suggested: str,
    spans: dict[int, list[Span]],
    start: dt.datetime,
    end: dt.datetime,
) -> Chair | None:
    kind = appointment.chair.kind
    # Its own chair first: a patient who keeps the chair is one less thing to tell the nurses.
    order = [appointment.chair, model.chairs.get(suggested), *model.chairs.values()]
    for chair in order:
        if chair is not None and chair.kind == kind and not clashes(start, end, spans[chair.pk]):
            return chair
    return None


def _nurse_days(model: DayModel, spans: dict[int, list[Span]]) -> list[NurseDay]:
    by_staff: dict[int, list[Span]] = {}
    for shift in model.shifts:
        by_staff.setdefault(shift.staff_id, []).append(Span(*shift.bounds()))
    ratio = model.location.nurse_patient_ratio
    names = {s.staff_id: nurse_label(s.staff) for s in model.shifts}
    return [
        NurseDay(str(pk), names[pk], tuple(shifts), tuple(spans.get(pk, ())), ratio)
        for pk, shifts in by_staff.items()
    ]


def _pick_nurse(
    model: DayModel,
    wanted: tuple[StaffMember | None, StaffMember | None],
    spans: dict[int, list[Span]],
    start: dt.datetime,
    end: dt.datetime,
) -> StaffMember | None:
    """The optimizer's nurse, else the current one, else the least loaded who can take it."""
    nurse_days = _nurse_days(model, spans)
    by_key = {n.key: n for n in nurse_days}
    staff = {str(s.staff_id): s.staff for s in model.shifts}
    for nurse in wanted:
        day = by_key.get(str(nurse.pk)) if nurse else None
        if day is not None and nurse_problem(day, start, end) is None:
            return staff[day.key]
    chosen = pick_nurse(nurse_days, start, end)
    return None if chosen is None else staff[chosen.key]


def _valid_changes(model: DayModel, changes: list[Change]) -> list[Change]:
    """Drop moves that break a booking rule on the day as it would be, until none do."""
    for _ in range(len(changes) + 1):
        problems = rearrange_problems(model.location, model.day, changes)
        if not problems:
            return changes
        changes = [c for c in changes if c.appointment.pk not in problems]
    return []


def _curves(model: DayModel, proposal: Proposal) -> None:
    before = {a.pk: (a.start, a.end) for a in model.appointments.values()}
    after = dict(before)
    for change in proposal.changes:
        length = change.appointment.end - change.appointment.start
        after[change.appointment.pk] = (change.start, change.start + length)
    opens, closes = model.instance.open, model.instance.close
    proposal.labels = [f"{m // 60:02d}:{m % 60:02d}" for m in range(opens, closes, GRID)]
    for spans, target in ((before, proposal.before), (after, proposal.after)):
        minutes = [(model.minutes(s), model.minutes(e)) for s, e in spans.values()]
        target.extend(sum(1 for s, e in minutes if s <= m < e) for m in range(opens, closes, GRID))
    proposal.peak_before = max_overlap(
        (model.minutes(s), model.minutes(e)) for s, e in before.values()
    )
    proposal.peak_after = max_overlap(
        (model.minutes(s), model.minutes(e)) for s, e in after.values()
    )
    _nurse_figures(model, proposal)
    proposal.deviation_minutes = sum(
        abs(int((c.start - c.appointment.start).total_seconds() // 60)) for c in proposal.changes
    )


def _nurse_figures(model: DayModel, proposal: Proposal) -> None:
    """Most patients one nurse has at once, and the hands-on spread, before and after."""
    moved = {c.appointment.pk: c for c in proposal.changes}
    staff = {s.staff_id for s in model.shifts}
    for after in (False, True):
        spans: dict[int, list[tuple[int, int]]] = {}
        hands_on = dict.fromkeys(staff, 0)
        for appointment in model.appointments.values():
            start, nurse_id = appointment.start, appointment.nurse_id
            change = moved.get(appointment.pk) if after else None
            if change is not None:
                start, nurse_id = change.start, change.nurse.pk if change.nurse else None
            if nurse_id is None:
                continue
            length = int((appointment.end - appointment.start).total_seconds() // 60)
            begin = model.minutes(start)
            spans.setdefault(nurse_id, []).append((begin, begin + length))
            hands_on[nurse_id] = hands_on.get(nurse_id, 0) + sum(nurse_windows(length))
        peak = max((max_overlap(s) for s in spans.values()), default=0)
        spread = max(hands_on.values(), default=0) - min(hands_on.values(), default=0)
        if after:
            proposal.nurse_peak_after, proposal.spread_after = peak, spread
        else:
            proposal.nurse_peak_before, proposal.spread_before = peak, spread


@transaction.atomic
def day_optimize_apply(
    *,
    location: Location,
    day: dt.date,
    user: User,
    proposal_fingerprint: str,
    changes: list[Change],
) -> list[Appointment]:
    """Apply accepted moves, if the day is still as it was when they were proposed."""
    if fingerprint(location, day) != proposal_fingerprint:
        raise ValidationError(
            "The day changed since the proposal (a booking, a move or a shift): "
            "run the optimizer again."
        )
    return appointments_rearrange(
        location=location,
        day=day,
        changes=changes,
        user=user,
        reason="Accepted the optimizer's proposal",
    )


# --- The proposal as a background job's result ------------------------------------------
# The optimizer runs in a Celery worker ("optimize_day" job); its result is stored as plain
# data (identifiers, no names) and read back into a Proposal for the board.


def move_value(change: Change) -> str:
    """One move as the accept form sends it back: ``appointment|start|chair|nurse``."""
    return "|".join(
        [
            str(change.appointment.public_id),
            change.start.isoformat(),
            str(change.chair.public_id),
            str(change.nurse.public_id) if change.nurse else "",
        ]
    )


def parse_moves(*, organization: Organization, values: list[str]) -> list[Change]:
    """The moves written by ``move_value``, each record found in the organization."""
    changes = []
    for value in values:
        try:
            appointment_id, start, chair_id, nurse_id = value.split("|")
            changes.append(
                Change(
                    Appointment.objects.select_related(
                        "patient", "order__drug", "chair", "nurse"
                    ).get(organization=organization, public_id=appointment_id),
                    dt.datetime.fromisoformat(start),
                    Chair.objects.get(location__organization=organization, public_id=chair_id),
                    StaffMember.objects.get(organization=organization, public_id=nurse_id)
                    if nurse_id
                    else None,
                )
            )
        except (
            ValueError,
            ValidationError,
            Appointment.DoesNotExist,
            Chair.DoesNotExist,
            StaffMember.DoesNotExist,
        ):
            raise ValidationError(
                "The proposal could not be read; run the optimizer again."
            ) from None
    return changes


# The objectives and bounds the Optimize page shows, carried through the job's stored result.
CARRIED = (
    "nurse_peak_before",
    "nurse_peak_after",
    "spread_before",
    "spread_after",
    "scheduled",
    "total",
    "bound_scheduled",
    "bound_peak",
)


def proposal_to_data(proposal: Proposal) -> dict[str, Any]:
    return {
        "location": str(proposal.location.public_id),
        "day": proposal.day.isoformat(),
        "moves": [move_value(c) for c in proposal.changes],
        "left": [str(a.public_id) for a in proposal.left],
        "flexible": proposal.flexible,
        "fixed": proposal.fixed,
        "labels": proposal.labels,
        "before": proposal.before,
        "after": proposal.after,
        "peak_before": proposal.peak_before,
        "peak_after": proposal.peak_after,
        "deviation_minutes": proposal.deviation_minutes,
        "solve_seconds": proposal.solve_seconds,
        "fingerprint": proposal.fingerprint,
        **{key: getattr(proposal, key) for key in CARRIED},
    }


def proposal_from_data(*, organization: Organization, data: dict[str, Any]) -> Proposal:
    location = Location.objects.get(organization=organization, public_id=data["location"])
    left = Appointment.objects.filter(organization=organization, public_id__in=data["left"])
    return Proposal(
        location=location,
        day=dt.date.fromisoformat(data["day"]),
        changes=parse_moves(organization=organization, values=data["moves"]),
        flexible=data["flexible"],
        fixed=data["fixed"],
        left=list(left.select_related("patient")),
        labels=data["labels"],
        before=data["before"],
        after=data["after"],
        peak_before=data["peak_before"],
        peak_after=data["peak_after"],
        deviation_minutes=data["deviation_minutes"],
        solve_seconds=data["solve_seconds"],
        fingerprint=data["fingerprint"],
        # A result stored before these were carried shows their defaults.
        **{key: data[key] for key in CARRIED if key in data},
    )
