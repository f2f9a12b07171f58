"""Finding times: the next starts that satisfy every rule, and a whole series of doses.

Reads only; booking goes through ``services``. Both searches ask exactly the checks the
booking service will ask, so what is offered can be booked (unless someone else books it
first, which the service then says).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from chairside.access.authorizations.services import authorization_check
from chairside.access.referrals.models import TreatmentOrder
from chairside.rules.scheduling.booking import (
    DEFAULT_GRACE_DAYS,
    chair_problem,
    clashes,
    free_starts,
    grace_for_gap,
    hours_problem,
    nearest_weekday,
    patient_problem,
    pick_nurse,
    span_text,
    us_date,
)
from chairside.scheduling.checks import (
    SLOT,
    DayData,
    DoseContext,
    date_problems,
    default_minutes,
    dose_context,
    held_doses,
    load_day,
    needs_for,
    patient_spans,
    units_for,
)
from chairside.scheduling.models import Appointment
from chairside.tenancy.models import Chair, Location, StaffMember

SPREAD = dt.timedelta(hours=1)  # options offered on one day are at least this far apart


@dataclass(frozen=True)
class SlotOption:
    start: dt.datetime
    end: dt.datetime
    chair: Chair
    nurse: StaffMember | None
    dose_number: int


@dataclass
class SlotSearch:
    options: list[SlotOption] = field(default_factory=list)
    skipped: list[tuple[dt.date, dt.date, str]] = field(default_factory=list)
    minutes: int = 0


def _local_now(location: Location) -> dt.datetime:
    return timezone.localtime(timezone.now(), location.tz)


def _note_skip(search: SlotSearch, day: dt.date, reason: str) -> None:
    """Group consecutive days refused for the same reason ("12/01–12/04: …")."""
    if search.skipped and search.skipped[-1][2] == reason:
        first, last, _ = search.skipped[-1]
        if (day - last).days <= 1:
            search.skipped[-1] = (first, day, reason)
            return
    search.skipped.append((day, day, reason))


def _date_refusal(order: TreatmentOrder, day: dt.date, ctx: DoseContext) -> str:
    problems = date_problems(order, day, ctx)
    if problems:
        return problems[0]
    decision = authorization_check(order=order, on_date=day, units=units_for(order, ctx.number))
    return "" if decision.ok else decision.message


def find_slots(
    *,
    order: TreatmentOrder,
    location: Location,
    from_date: dt.date,
    days: int = 21,
    limit: int = 12,
    per_day: int = 3,
    after: dt.time | None = None,
    before: dt.time | None = None,
    minutes: int | None = None,
) -> SlotSearch:
    """The next starts for a dose of ``order`` at ``location`` that pass every rule.

    Day by day from ``from_date``: a day refused for the order, the regimen, labs or the
    authorization is noted with the reason; on the others, starts on the 15-minute grid
    where a chair, a nurse (when the rota is in) and the patient are free, optionally
    between ``after`` and ``before``, a few per day, an hour or more apart.
    """
    search = SlotSearch()
    now = _local_now(location)
    for offset in range(days):
        day = from_date + dt.timedelta(days=offset)
        if day < now.date():
            continue
        ctx = dose_context(order, day)
        refusal = _date_refusal(order, day, ctx)
        if refusal:
            _note_skip(search, day, refusal)
            continue
        search.minutes = minutes or default_minutes(order, ctx.number)
        window = (now, after, before)
        options = _day_options(
            order, location, day=day, ctx=ctx, minutes=search.minutes, window=window
        )
        search.options += options[:per_day]
        if len(search.options) >= limit:
            break
    search.options = search.options[:limit]
    return search


def _day_options(
    order: TreatmentOrder,
    location: Location,
    *,
    day: dt.date,
    ctx: DoseContext,
    minutes: int,
    window: tuple[dt.datetime, dt.time | None, dt.time | None],
) -> list[SlotOption]:
    now, after, before = window
    data = load_day(location, day)
    busy = patient_spans(order.patient, location, day)
    picked: list[SlotOption] = []
    duration = dt.timedelta(minutes=minutes)
    needs = needs_for(order)
    for slot in free_starts(
        data.rules, duration, SLOT, patient_busy=busy, not_before=now, needs=needs
    ):
        if after and slot.start.time() < after:
            continue
        if before and slot.end.time() > before:
            break
        if picked and slot.start - picked[-1].start < SPREAD:
            continue
        nurse = data.staff.get(slot.nurse) if slot.nurse else None
        picked.append(SlotOption(slot.start, slot.end, data.chairs[slot.chair], nurse, ctx.number))
    return picked


# --- a series ------------------------------------------------------------------------------


@dataclass
class SeriesDose:
    """One proposed dose of a series, with what stands in its way."""

    number: int
    due: dt.date
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    chair: Chair | None = None
    nurse: StaffMember | None = None
    problems: list[str] = field(default_factory=list)
    authorization_problem: str = ""
    booked: Appointment | None = None

    @property
    def bookable(self) -> bool:
        return self.booked is None and not self.problems

    @property
    def key(self) -> str:
        return f"{self.number}"


def planned_dates(order: TreatmentOrder, first_on: dt.date | None) -> list[dt.date]:
    """The order's dose dates (``TreatmentOrder.planned_dates``), from ``first_on`` if unset."""
    if order.first_dose_on is not None or first_on is None:
        return order.planned_dates()
    planned = copy.copy(order)
    planned.first_dose_on = first_on
    return planned.planned_dates()


def series_propose(
    *,
    order: TreatmentOrder,
    location: Location,
    at: dt.time,
    weekday: int | None = None,
    first_on: dt.date | None = None,
    minutes: int | None = None,
    chair: Chair | None = None,
) -> list[SeriesDose]:
    """Every dose of the order's regimen still to come, at the preferred weekday and time.

    Each regimen date moves to the preferred weekday no earlier than the regimen allows
    (``rules.scheduling.booking.nearest_weekday``). Every dose is checked as the booking service
    would, counting the doses proposed before it (spacing, authorization visits and units).
    """
    dates = planned_dates(order, first_on)
    if not dates:
        raise ValidationError(
            {"first_on": "The order has no first-dose date: give the date of the first dose."}
        )
    held = {a.dose_number: a for a in held_doses(order)}
    now = _local_now(location)
    proposals: list[SeriesDose] = []
    previous: dt.date | None = None
    anchor = held[1].local_start().date() if 1 in held else dates[0]
    usage: dict[int, tuple[int, int]] = {}
    for number, due in enumerate(dates, start=1):
        gap = (due - dates[number - 2]).days if number > 1 else 4 * DEFAULT_GRACE_DAYS
        day = nearest_weekday(due, weekday, grace_for_gap(gap)) if weekday is not None else due
        if number in held:
            proposals.append(_already_booked(number, due, held[number]))
            previous = held[number].local_start().date()
            continue
        start = dt.datetime.combine(day, at, tzinfo=location.tz)
        if start < now:
            continue
        dose = _propose_one(
            order, location, number=number, due=due, start=start, minutes=minutes, chair=chair
        )
        dose.problems += date_problems(order, day, DoseContext(number, anchor, previous))
        dose.authorization_problem = _series_authorization(order, dose, usage)
        proposals.append(dose)
        previous = day
    return proposals


def _already_booked(number: int, due: dt.date, appointment: Appointment) -> SeriesDose:
    start = appointment.local_start()
    return SeriesDose(
        number,
        due,
        start.date(),
        start,
        appointment.local_end(),
        appointment.chair,
        appointment.nurse,
        booked=appointment,
    )


def _propose_one(
    order: TreatmentOrder,
    location: Location,
    *,
    number: int,
    due: dt.date,
    start: dt.datetime,
    minutes: int | None,
    chair: Chair | None,
) -> SeriesDose:
    end = start + dt.timedelta(minutes=minutes or default_minutes(order, number))
    dose = SeriesDose(number, due, start.date(), start, end)
    data = load_day(location, start.date())
    hours = hours_problem(data.rules, start, end)
    if hours:
        dose.problems.append(hours)
        return dose
    dose.chair = _free_chair(data, chair, start, end, dose.problems)
    busy = patient_spans(order.patient, location, start.date())
    patient = patient_problem(order.patient.full_name, start, end, busy)
    if patient:
        dose.problems.append(patient)
    if data.rules.nurses:
        nurse = pick_nurse(data.rules.nurses, start, end, needs_for(order))
        if nurse is None:
            dose.problems.append(
                f"No nurse on shift with the competencies this visit needs can take "
                f"another patient {span_text(start, end)}"
            )
        else:
            dose.nurse = data.staff[nurse.key]
    return dose


def _free_chair(
    data: DayData, wanted: Chair | None, start: dt.datetime, end: dt.datetime, problems: list[str]
) -> Chair | None:
    spans: dict[str, Any] = dict(data.rules.chairs)
    if wanted is not None and wanted.name in data.chairs:
        problem = chair_problem(wanted.name, start, end, spans.get(wanted.name, ()))
        if problem is None:
            return wanted
    for name, taken in spans.items():
        if not clashes(start, end, taken):
            return data.chairs[name]
    problems.append(f"All {len(spans)} chairs are taken at some point {span_text(start, end)}")
    return None


def _series_authorization(
    order: TreatmentOrder, dose: SeriesDose, usage: dict[int, tuple[int, int]]
) -> str:
    """The authorization check, counting visits and units of the doses proposed before."""
    units = units_for(order, dose.number)
    decision = authorization_check(order=order, on_date=dose.day, units=units)
    if not decision.ok:
        return decision.message
    auth = decision.authorization
    if auth is None or dose.problems:
        return ""
    visits, used_units = usage.get(auth.pk, (0, 0))
    if decision.visits_left is not None and visits >= decision.visits_left:
        return f"No visits left on authorization {auth.authorization_number} for this dose."
    if decision.units_left is not None and used_units + units > decision.units_left:
        return f"{units} units needed, {decision.units_left - used_units} left on authorization."
    usage[auth.pk] = (visits + 1, used_units + units)
    return ""


def describe_skip(first: dt.date, last: dt.date, reason: str) -> str:
    when = us_date(first) if first == last else f"{us_date(first)}–{us_date(last)}"
    return f"{when}: {reason}"
