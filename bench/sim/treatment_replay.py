"""A year of an infusion center's appointments, generated from patients on label regimens.

For the inventory replay (``inventory_sim``): each patient follows a regimen from the
formulary (loading doses, then a maintenance interval) at a dose from their weight, and the
appointments are booked the way a center books them:

- the next maintenance dose is booked at the visit before it;
- a new start is booked a week or two ahead (after benefits and prior authorization);
- some appointments are moved a few days, on short notice (the old slot is cancelled);
- some patients do not come (no-show) and are rebooked a week later;
- at a few visits of a weight-based dose, one vial more is needed than was booked (the
  weight taken on the day raised the dose): demand no forecast can see.

A fixed course (iron, an IV induction dose) repeats for the same chair slot at random
intervals: a stream of new patients rather than one. These are simulation assumptions, set
in ``BookingHabits``, not clinical facts. Everything is seeded: the same inputs give the same
appointments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from chairside.rules.clinical.regimens import DoseRule, Regimen, dose_mg


@dataclass(frozen=True)
class SimRegimen:
    drug: str
    regimen: Regimen
    dose: DoseRule
    maintenance_dose_mg: Decimal | None = None  # after the loading doses (ocrelizumab 600 mg)


@dataclass(frozen=True)
class SimPatient:
    patient_id: str
    weight_kg: Decimal
    plan: SimRegimen
    first_dose: dt.date
    repeat_after_days: tuple[int, int] | None = None  # fixed courses: next course in [lo, hi]


@dataclass(frozen=True)
class SimAppointment:
    """A booked dose. It is known from ``booked_on``; ``cancelled_on`` means it was moved away
    that day (a replacement appointment exists); ``no_show`` means nothing was given."""

    appointment_id: int
    patient_id: str
    drug: str
    dose_mg: Decimal
    day: dt.date
    booked_on: dt.date
    cancelled_on: dt.date | None = None
    no_show: bool = False
    weight_based: bool = False  # the dose is mg/kg: the day's weight may change it
    extra_vial: bool = False  # one more vial (of the smallest size) is needed on the day


@dataclass(frozen=True)
class BookingHabits:
    no_show_rate: float = 0.04
    extra_vial_rate: float = 0.03  # of weight-based doses
    reschedule_rate: float = 0.08
    new_start_notice_days: tuple[int, int] = (5, 14)
    # The next dose is booked at the visit when it is at most this far away; a dose months
    # away (every 6 or 12 months) is booked a few weeks ahead instead.
    book_at_visit_within_days: int = 63
    long_interval_notice_days: tuple[int, int] = (14, 42)
    min_notice_days: int = 2
    reschedule_by_days: tuple[int, int] = (1, 7)
    open_weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(6)))
    booking_weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))


def _on_or_after(day: dt.date, weekdays: frozenset[int]) -> dt.date:
    if not weekdays:
        raise ValueError("at least one weekday is needed")
    while day.weekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


def dose_days(patient: SimPatient, until: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The patient's (day, dose mg) up to ``until``, courses repeated when they repeat."""
    rng = random.Random(f"course-{patient.patient_id}")  # noqa: S311 (seeded simulation)
    doses: list[tuple[dt.date, Decimal]] = []
    course_start = patient.first_dose
    while course_start <= until:
        doses.extend(_course(patient, course_start, until))
        interval = patient.plan.regimen.maintenance_interval_days
        if interval is not None or patient.repeat_after_days is None:
            break
        last = doses[-1][0] if doses else course_start
        course_start = last + dt.timedelta(days=rng.randint(*patient.repeat_after_days))
    return doses


def _course(patient: SimPatient, start: dt.date, until: dt.date) -> list[tuple[dt.date, Decimal]]:
    plan = patient.plan
    offsets = plan.regimen.loading_days or (0,)
    first = dose_mg(plan.dose, patient.weight_kg)
    later = plan.maintenance_dose_mg or first
    interval = plan.regimen.maintenance_interval_days
    # A last loading offset a whole interval or more after day 0 is the first maintenance
    # dose, anchored to the first infusion: Ocrevus label 2.3, 600 mg from month 6, stored
    # as loading days (0, 14, 182) with "every dose from day 182 on is 600 mg".
    maintenance_from = offsets[-1] if interval and offsets[-1] >= interval else offsets[-1] + 1
    doses: list[tuple[dt.date, Decimal]] = []
    k = 0
    while True:
        if k < len(offsets):
            offset = offsets[k]
        elif plan.regimen.maintenance_interval_days is None:
            break
        else:
            offset = offsets[-1] + (k - len(offsets) + 1) * plan.regimen.maintenance_interval_days
        day = start + dt.timedelta(days=offset)
        if day > until:
            break
        doses.append((day, later if offset >= maintenance_from else first))
        k += 1
    return doses


class _Booker:
    """Turns dose days into appointments, with the booking habits' noise."""

    def __init__(self, habits: BookingHabits, seed: int) -> None:
        self.habits = habits
        self.rng = random.Random(seed)  # noqa: S311 (a seeded simulation)
        self.appointments: list[SimAppointment] = []

    def book(self, earliest: dt.date, wanted: dt.date) -> tuple[dt.date, dt.date]:
        """(booked on, day): booked on a booking weekday, with at least the minimum notice."""
        booked = _on_or_after(earliest, self.habits.booking_weekdays)
        soonest = booked + dt.timedelta(days=self.habits.min_notice_days)
        return booked, _on_or_after(max(wanted, soonest), self.habits.open_weekdays)

    def add(self, patient: SimPatient, dose: Decimal, booked: dt.date, day: dt.date) -> None:
        h, rng = self.habits, self.rng
        roll = rng.random()
        change_day = day - dt.timedelta(days=rng.randint(h.min_notice_days, 6))
        if roll < h.reschedule_rate and change_day > booked:
            moved_on, new_day = self.book(
                change_day, day + dt.timedelta(days=rng.randint(*h.reschedule_by_days))
            )
            if moved_on < day:
                self._append(patient, dose, day, booked, cancelled_on=moved_on)
                self._append(patient, dose, new_day, moved_on)
                return
        if roll > 1 - h.no_show_rate:
            self._append(patient, dose, day, booked, no_show=True)
            rebooked, again = self.book(day, day + dt.timedelta(days=7))
            self._append(patient, dose, again, rebooked)
            return
        self._append(patient, dose, day, booked)

    def earliest_booking(self, day: dt.date, previous: dt.date | None) -> dt.date:
        h, rng = self.habits, self.rng
        if previous is None:
            return day - dt.timedelta(days=rng.randint(*h.new_start_notice_days))
        if (day - previous).days <= h.book_at_visit_within_days:
            return previous
        return day - dt.timedelta(days=rng.randint(*h.long_interval_notice_days))

    def _append(
        self,
        patient: SimPatient,
        dose: Decimal,
        day: dt.date,
        booked_on: dt.date,
        *,
        cancelled_on: dt.date | None = None,
        no_show: bool = False,
    ) -> None:
        weight_based = patient.plan.dose.mg_per_kg is not None
        self.appointments.append(
            SimAppointment(
                appointment_id=len(self.appointments) + 1,
                patient_id=patient.patient_id,
                drug=patient.plan.drug,
                dose_mg=dose,
                day=day,
                booked_on=booked_on,
                cancelled_on=cancelled_on,
                no_show=no_show,
                weight_based=weight_based,
                extra_vial=weight_based and self.rng.random() < self.habits.extra_vial_rate,
            )
        )


def generate_appointments(
    patients: Sequence[SimPatient],
    start: dt.date,
    end: dt.date,
    habits: BookingHabits | None = None,
    seed: int = 1,
) -> list[SimAppointment]:
    """Appointments for doses falling in [start, end], in booking order.

    Doses before ``start`` are history: only the day of the latest one matters, because the
    next dose was booked at that visit.
    """
    if end < start:
        raise ValueError(f"the period ends {end} before it starts {start}")
    booker = _Booker(habits or BookingHabits(), seed)
    for patient in patients:
        previous: dt.date | None = None
        for day, dose in dose_days(patient, end):
            if day >= start:
                earliest = booker.earliest_booking(day, previous)
                booked, when = booker.book(earliest, day)
                if when <= end:
                    booker.add(patient, dose, booked, when)
            previous = day
    return sorted(booker.appointments, key=lambda a: (a.booked_on, a.appointment_id))


# Which formulary regimen treats each diagnosis of the demo population, and in what share.
# (drug key, regimen-name prefix as in formulary.json, share). The regimens are the FDA
# label indications the formulary cites; the shares are a made-up demo case mix.
REGIMENS_BY_DIAGNOSIS: dict[str, list[tuple[str, str, int]]] = {
    "K50": [("infliximab", "Crohn's disease", 70), ("ustekinumab-iv", "Crohn's disease", 30)],
    "K51": [("infliximab", "Crohn's disease", 80), ("ustekinumab-iv", "Crohn's disease", 20)],
    "M05": [
        ("infliximab", "Rheumatoid arthritis", 30),
        ("tocilizumab-iv", "Rheumatoid arthritis — starting", 25),
        ("abatacept-iv", "Rheumatoid arthritis", 25),
        ("golimumab-iv", "Rheumatoid arthritis", 20),
    ],
    "L40.5": [("infliximab", "Psoriatic arthritis", 60), ("golimumab-iv", "Rheumatoid", 40)],
    "L40.0": [("infliximab", "Psoriatic arthritis", 100)],
    "G35": [("ocrelizumab", "Relapsing MS", 60), ("natalizumab", "Relapsing MS", 40)],
    "D50": [
        ("iron-sucrose", "Iron deficiency anemia", 50),
        ("ferric-carboxymaltose", "Iron deficiency anemia, ≥50 kg", 50),
    ],
    "M81": [("denosumab", "Osteoporosis", 70), ("zoledronic-acid", "Osteoporosis", 30)],
    "D83": [("ivig-privigen", "Primary humoral immunodeficiency", 100)],
    "M32": [("belimumab-iv", "Systemic lupus erythematosus", 100)],
    "M45": [("infliximab", "Ankylosing spondylitis", 100)],
}
REGIMENS_BY_DIAGNOSIS["M06"] = REGIMENS_BY_DIAGNOSIS["M05"]


def regimens_for(code: str) -> list[tuple[str, str, int]]:
    """The regimens for an ICD-10-CM code: the longest listed prefix wins; [] if none."""
    for length in range(len(code), 2, -1):
        found = REGIMENS_BY_DIAGNOSIS.get(code[:length])
        if found:
            return found
    return []


def demo_like_patients(
    diagnoses: Sequence[tuple[str, str, Decimal]],
    plans: dict[tuple[str, str], SimRegimen],
    start: dt.date,
    seed: int = 1,
) -> list[SimPatient]:
    """Patients on regimens, from (patient id, ICD-10 code, weight kg).

    ``plans`` maps (drug key, regimen name) to its regimen; a code with no regimen, or a
    regimen whose drug is not stocked (missing from ``plans``), is skipped. Maintenance
    patients started up to three years before ``start`` or during the year; fixed courses
    (iron, an IV induction dose) recur for the slot every 4 to 12 months.
    """
    rng = random.Random(seed)  # noqa: S311 (a seeded simulation)
    patients: list[SimPatient] = []
    for patient_id, code, weight in diagnoses:
        options = [
            (plan, share)
            for drug, prefix, share in regimens_for(code)
            for (key, name), plan in sorted(plans.items())
            if key == drug and name.startswith(prefix)
        ]
        if not options:
            continue
        plan = rng.choices([p for p, _ in options], weights=[s for _, s in options])[0]
        fixed = plan.regimen.maintenance_interval_days is None
        back = 365 if fixed else 3 * 365
        first = start + dt.timedelta(days=rng.randint(-back, 364))
        patients.append(SimPatient(patient_id, weight, plan, first, (120, 365) if fixed else None))
    return patients
