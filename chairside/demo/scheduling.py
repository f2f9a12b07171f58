"""Demo step: the nurse rota, federal holiday closures, thirteen weeks of appointment history
and four weeks of appointments ahead.

Every active demo order gets its regimen's doses from thirteen weeks ago (the Reports
dashboard's default 90 days) to four weeks ahead, at the order's location, on the nearest
open day the regimen allows, at a mid-morning time most patients ask for (clustered around
09:45, as in a real center).

* Today and later: booked through ``appointment_book`` with every rule. A dose the rules
  refuse (labs out of date, no authorization left) is not booked, as a coordinator could
  not book it either; it shows up in the access work queues instead.
* Before today: written directly as history (completed, or a no-show for a dose the order
  shows as missed). The booking service refuses the past on purpose, and these doses are
  already counted against the authorization by the access demo step ("demo.treatment"
  usage), so reserving them again would double-count visits. The chair, nurse and time
  are still chosen with ``rules.scheduling.booking`` so the history obeys the same rules (the rota
  and the closures are written for those past days too). Only the access step's last past dose of an
  order can be missed, so a longer history adds completed doses, not no-shows.

Rows are looked up by natural keys (staff + date + start for shifts; order + dose number
for appointments), so running the step twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chairside.access.referrals.models import TreatmentOrder
from chairside.demo import DemoContext
from chairside.rules.scheduling import appointment_states as states
from chairside.rules.scheduling.booking import free_starts, grace_for_gap
from chairside.scheduling import services
from chairside.scheduling.checks import (
    SLOT,
    closure_reason,
    default_minutes,
    load_day,
    needs_for,
    patient_spans,
)
from chairside.scheduling.models import Appointment, NurseShift
from chairside.tenancy.models import Location, StaffMember

# A rota is published about six weeks ahead; coordinators book a month or more ahead. The
# history covers the dashboard's default range (90 days).
PAST_DAYS, AHEAD_DAYS, ROTA_AHEAD_DAYS = 91, 28, 42
# (location key, nurse, weekdays, starts, ends): staggered shifts cover opening to closing,
# at least two nurses on every weekday at each site (one alone cannot cover a reaction or
# a break); the Eastgate NP takes chairs on the days the LPN is off. Closed days, and days
# after a nurse's license lapses, are skipped.
ROTA = [
    ("main", "Jordan Blake", (0, 1, 2, 3, 4), "07:00", "15:30"),
    ("main", "Maria Santos", (0, 1, 2, 3, 4), "09:30", "18:00"),
    ("main", "Kevin Liu", (0, 2, 4), "08:00", "16:30"),
    ("main", "Kevin Liu", (5,), "08:00", "13:00"),
    ("eastgate", "Aisha Thompson", (0, 1, 2, 3, 4), "08:00", "16:30"),
    ("eastgate", "Tom Becker", (1, 3), "08:30", "17:00"),
    ("eastgate", "Priya Raman", (0, 2, 4), "08:30", "17:00"),
    # The full panel's nurses (issue 16): three or four nurses at each site's busy hours.
    ("main", "Ben Carter", (0, 1, 2, 3, 4), "07:00", "15:30"),
    ("main", "Lena Novak", (0, 1, 2, 3, 4), "09:30", "18:00"),
    ("main", "Rosa Delgado", (1, 3), "08:00", "16:30"),
    ("eastgate", "Omar Haddad", (0, 1, 2, 3, 4), "08:30", "17:00"),
]
PEAK, SPREAD = 9 * 60 + 45, 80  # preferred starts: minutes from midnight, standard deviation


def seed_rota(ctx: DemoContext, today: dt.date) -> int:
    org = ctx.organizations["riverside"]
    made = 0
    for key, name, weekdays, starts, ends in ROTA:
        first, last = name.split(" ", 1)
        staff = StaffMember.objects.filter(organization=org, first_name=first, last_name=last)
        nurse = staff.first()
        if nurse is None:
            continue
        for offset in range(-PAST_DAYS, ROTA_AHEAD_DAYS + 1):
            day = today + dt.timedelta(days=offset)
            if day.weekday() not in weekdays or closure_reason(ctx.locations[key], day):
                continue
            if nurse.license_expires and day > nurse.license_expires:
                continue  # as nurse_shift_add refuses: no shifts on a lapsed license
            _, created = NurseShift.objects.get_or_create(
                staff=nurse,
                date=day,
                starts=dt.time.fromisoformat(starts),
                defaults={
                    "organization": org,
                    "location": ctx.locations[key],
                    "ends": dt.time.fromisoformat(ends),
                    "note": "Demo rota",
                },
            )
            made += created
    return made


def _candidate_days(due: dt.date, grace: int) -> list[dt.date]:
    """The regimen date, then a day either side, as far as the regimen allows early."""
    days = [due]
    for step in range(1, 4):
        if step <= grace:
            days.append(due - dt.timedelta(days=step))
        days.append(due + dt.timedelta(days=step))
    return days


def _preferred(rng: random.Random, day: dt.date, minutes: int, data: Any) -> dt.datetime | None:
    rules = data.rules
    if rules.closure or rules.opens is None or rules.closes is None:
        return None
    wanted = int(rng.gauss(PEAK, SPREAD)) // 15 * 15
    start = dt.datetime.combine(day, dt.time(0), tzinfo=data.location.tz) + dt.timedelta(
        minutes=wanted
    )
    latest = rules.closes - dt.timedelta(minutes=minutes)
    chosen: dt.datetime = max(rules.opens, min(start, latest))
    return chosen


def _closest_slot(order: TreatmentOrder, data: Any, wanted: dt.datetime, minutes: int) -> Any:
    busy = patient_spans(order.patient, data.location, data.day)
    slots = free_starts(
        data.rules,
        dt.timedelta(minutes=minutes),
        SLOT,
        patient_busy=busy,
        needs=needs_for(order),  # only a nurse with the competencies the drug needs
    )
    return min(
        slots, key=lambda s: (abs((s.start - wanted).total_seconds()), s.start), default=None
    )


def _location(order: TreatmentOrder) -> Location:
    assert order.location is not None  # seed_schedule leaves out orders without a location
    return order.location


def _gap(order: TreatmentOrder, dates: list[dt.date], number: int) -> int:
    return (dates[number - 1] - dates[number - 2]).days if number > 1 else 12


class _Seeder:
    def __init__(self, ctx: DemoContext, today: dt.date, now: dt.datetime) -> None:
        self.ctx, self.today, self.now = ctx, today, now
        self.user = ctx.users["coordinator"]
        self.org = ctx.organizations["riverside"]
        self.counts: Counter[str] = Counter()

    def order(self, order: TreatmentOrder) -> None:
        rng = random.Random(f"riverside-schedule-{order.public_id}")
        dates = order.planned_dates()
        given = order.authorization_usage.filter(kind="consumed", released_at__isnull=True).count()
        existing = set(order.appointments.values_list("dose_number", flat=True))
        window = (self.today - dt.timedelta(days=PAST_DAYS), self.today + dt.timedelta(AHEAD_DAYS))
        for number, due in enumerate(dates, start=1):
            if not window[0] <= due <= window[1] or number in existing:
                continue
            grace = grace_for_gap(_gap(order, dates, number))
            if due < self.today:
                self.history(order, rng, number, due, grace, missed=number > given)
            else:
                self.book(order, rng, number, due, grace)

    def history(
        self,
        order: TreatmentOrder,
        rng: random.Random,
        number: int,
        due: dt.date,
        grace: int,
        *,
        missed: bool,
    ) -> None:
        minutes = default_minutes(order, number)
        for day in _candidate_days(due, grace):
            if day >= self.today:
                continue
            data = load_day(_location(order), day)
            wanted = _preferred(rng, day, minutes, data)
            slot = wanted and _closest_slot(order, data, wanted, minutes)
            if not slot:
                continue
            auth = order.authorizations.filter(
                status__in=["approved", "expired"], start_on__lte=day, end_on__gte=day
            ).first()
            Appointment.objects.create(
                organization=self.org,
                patient=order.patient,
                order=order,
                location=_location(order),
                chair=data.chairs[slot.chair],
                nurse=data.staff.get(slot.nurse) if slot.nurse else None,
                start=slot.start,
                end=slot.end,
                dose_number=number,
                authorization=auth,
                status=states.NO_SHOW if missed else states.COMPLETED,
                reason_code="no_contact" if missed else "",
                reason="Two calls, no answer (demo)" if missed else "",
                checked_in_at=None if missed else slot.start - dt.timedelta(minutes=10),
                booked_by=self.user,
                notes="Demo history.",
            )
            self.counts["no-show" if missed else "completed"] += 1
            return
        self.counts["history without a free day"] += 1

    def book(
        self, order: TreatmentOrder, rng: random.Random, number: int, due: dt.date, grace: int
    ) -> None:
        minutes = default_minutes(order, number)
        problem = ""
        for day in _candidate_days(due, grace):
            if day < self.today:
                continue
            data = load_day(_location(order), day)
            wanted = _preferred(rng, day, minutes, data)
            slot = wanted and _closest_slot(order, data, wanted, minutes)
            if not slot:
                continue
            try:
                booked = services.appointment_book(
                    organization=self.org,
                    user=self.user,
                    order=order,
                    chair=data.chairs[slot.chair],
                    start=slot.start,
                    nurse=data.staff.get(slot.nurse) if slot.nurse else None,
                    dose_number=number,
                    earliest_start=max(
                        data.rules.opens, slot.start - dt.timedelta(minutes=15 * rng.randint(0, 8))
                    ),
                    latest_end=min(
                        data.rules.closes, slot.end + dt.timedelta(minutes=15 * rng.randint(0, 12))
                    ),
                    record_past=slot.start < self.now,
                    notes="Demo booking.",
                    warn_stock=False,  # a warning only; the forecast per booking is slow
                )
            except ValidationError as exc:
                problem = exc.messages[0]
                continue
            self.progress(booked.appointment, rng)
            self.counts["booked"] += 1
            return
        self.counts[_why(problem)] += 1

    def progress(self, appointment: Appointment, rng: random.Random) -> None:
        """Today's visits move along with the clock; the next days are mostly confirmed."""
        user, day = self.user, appointment.local_start().date()
        if day == self.today and appointment.start <= self.now:
            services.appointment_check_in(appointment=appointment, user=user)
            services.appointment_seat(appointment=appointment, user=user)
            if appointment.end <= self.now:
                services.appointment_complete(appointment=appointment, user=user)
            return
        confirm = 0.8 if day <= self.today + dt.timedelta(days=1) else 0.3
        if rng.random() < 0.03:
            services.appointment_cancel(
                appointment=appointment, user=user, reason_code="illness", reason="Demo: flu"
            )
        elif rng.random() < confirm:
            services.appointment_confirm(appointment=appointment, user=user)


def _why(problem: str) -> str:
    lowered = problem.lower()
    for key in ("labs", "authorization", "visits left", "units", "not due", "expired"):
        if key in lowered:
            return f"not booked ({key})"
    return "not booked (no free time)" if not problem else "not booked (other rule)"


@transaction.atomic
def seed_schedule(ctx: DemoContext) -> None:
    org = ctx.organizations["riverside"]
    today = timezone.localdate()
    holidays = sum(  # first, so that the rota skips them
        services.holidays_load(organization=org, year=year)
        for year in {(today + dt.timedelta(days=d)).year for d in (-PAST_DAYS, 0, 60)}
    )
    shifts = seed_rota(ctx, today)
    seeder = _Seeder(ctx, today, timezone.now())
    orders = (
        TreatmentOrder.objects.filter(organization=org, status="active")
        .exclude(location=None)
        .exclude(notes="Demo panel order.")  # the panel step places those (demo/panel.py)
        .select_related("patient", "drug", "location")
        .order_by("patient__mrn", "pk")
    )
    for order in orders:
        seeder.order(order)
    done = ", ".join(f"{n} {what}" for what, n in sorted(seeder.counts.items()))
    ctx.summary.append(
        f"schedule: {shifts} new nurse shifts, {holidays} new holiday closures, {done or 'no new'} "
        "appointments"
    )
