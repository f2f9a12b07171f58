"""Greedy booking: the first-fit baseline, and the leveling heuristic the optimizer uses.

**First-fit** is how a scheduler books a day by hand, one call at a time. Appointments
are taken in list order (the order the calls came in). Each gets the feasible start
closest to its preferred start; on a tie the later start wins, so with a preferred start
on the grid the order tried is preferred, +slot, -slot, +2 slots, -2 slots, ... At a
start, the appointment takes the first free chair of its kind in the instance's list, and
the least-loaded free nurse. A nurse is *free* when she is eligible (``eligible_nurses``,
when the appointment lists them), the appointment fits her shift, she
stays within ``max_patients`` for its whole length, and its setup and takedown windows
miss all her other windows. Her *load* is the number of her patients in chairs at the
appointment's start minute; ties go to the nurse listed first. An appointment with no
feasible start stays unscheduled; nothing booked earlier is ever moved.

**Leveling** books with the same :class:`Booking`, but least flexible appointments first
and each where it raises the most-patients-at-once least, repeated as a "squeaky wheel";
:func:`pull_towards_preferred` then moves appointments closer to their preferred start
without raising the peak. They seed the optimizer (``optimizer.py``).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from chairside.rules.scheduling.schedule_model import (
    Answer,
    Appointment,
    Assignment,
    Chair,
    Instance,
    Nurse,
    Timed,
    assign_chairs,
    covered_moments,
    grid_moments,
    make_answer,
    moment_loads,
    nurse_windows,
)


def starts_by_preference(instance: Instance, appt: Appointment) -> list[int]:
    """Grid starts in the appointment's window, closest to preferred first, later on ties."""
    return sorted(
        instance.candidate_starts(appt),
        key=lambda t: (abs(t - appt.preferred_start), -t),
    )


_DAY = 24 * 60


class Booking:
    """What has been booked so far, per chair and per nurse, and who is free when.

    Nurses are tracked minute by minute (patients in chairs, and whether one of her
    exclusive windows is open), so checking a nurse costs a slice, not a scan of her day.
    Shared with the optimizer's leveling heuristic, which books in another order.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.chair_busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.patients: dict[str, list[int]] = {n.id: [0] * _DAY for n in instance.nurses}
        self.windows: dict[str, bytearray] = {n.id: bytearray(_DAY) for n in instance.nurses}

    def add(self, assignment: Assignment, appt: Appointment) -> None:
        """Record an assignment (its chair may be ``""`` when chairs are given later)."""
        start, end = assignment.start, assignment.start + appt.duration
        self.chair_busy[assignment.chair].append((start, end))
        patients = self.patients[assignment.nurse]
        for minute in range(start, end):
            patients[minute] += 1
        for s, e, _ in nurse_windows(start, appt):
            self.windows[assignment.nurse][s:e] = b"\x01" * (e - s)

    def first_free_chair(self, appt: Appointment, start: int) -> Chair | None:
        """The first chair of the right kind, in list order, free for the whole appointment."""
        end = start + appt.duration
        for chair in self.instance.chairs:
            if chair.kind == appt.chair_kind and not _overlaps(
                self.chair_busy[chair.id], start, end
            ):
                return chair
        return None

    def nurse_is_free(self, nurse: Nurse, appt: Appointment, start: int) -> bool:
        """Shift, ratio and exclusive windows all allow her to take the appointment."""
        end = start + appt.duration
        if start < nurse.start or end > nurse.end or not appt.allows(nurse.id):
            return False
        # Every start lies on the grid, so the most patients she has during the appointment
        # is reached at a grid minute: sampling those is exact, and many times cheaper.
        if max(self.patients[nurse.id][start : end : self.instance.slot_minutes]) >= (
            nurse.max_patients
        ):
            return False
        windows = self.windows[nurse.id]
        return not any(1 in windows[s:e] for s, e, _ in nurse_windows(start, appt))

    def least_loaded_nurse(self, appt: Appointment, start: int) -> Nurse | None:
        """The free nurse with the fewest patients in chairs at ``start``; list order on ties."""
        free = [n for n in self.instance.nurses if self.nurse_is_free(n, appt, start)]
        # min keeps the first of equals: list order breaks ties.
        return min(free, key=lambda n: self.patients[n.id][start], default=None)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _place(instance: Instance, book: Booking, appt: Appointment) -> Assignment | None:
    for start in starts_by_preference(instance, appt):
        chair = book.first_free_chair(appt, start)
        if chair is None:
            continue
        nurse = book.least_loaded_nurse(appt, start)
        if nurse is not None:
            return Assignment(id=appt.id, start=start, chair=chair.id, nurse=nurse.id)
    return None


def first_fit(instance: Instance) -> Answer:
    """The baseline schedule described in the module docstring."""
    started = time.perf_counter()
    book = Booking(instance)
    placed = []
    for appt in instance.appointments:
        assignment = _place(instance, book, appt)
        if assignment is not None:
            book.add(assignment, appt)
            placed.append(assignment)
    return make_answer(instance, placed, time.perf_counter() - started)


# --- leveling heuristic --------------------------------------------------------------------


def _level_start(
    book: Booking, loads: tuple[list[int], list[int]], appt: Appointment
) -> Assignment | None:
    """Where the appointment raises the peak least: lowest maximum load over its length,
    then lowest mean, then closest to preferred; ``None`` when no chair or nurse is free."""
    instance, (load, kind_load) = book.instance, loads
    capacity = sum(1 for c in instance.chairs if c.kind == appt.chair_kind)
    best: tuple[tuple[int, float, int], Assignment] | None = None
    for start in instance.candidate_starts(appt):
        span = covered_moments(instance, start, start + appt.duration)
        if max(kind_load[i] for i in span) >= capacity:
            continue
        key = (
            max(load[i] for i in span) + 1,
            sum(load[i] for i in span) / len(span),
            abs(start - appt.preferred_start),
        )
        if best is not None and key >= best[0]:
            continue  # only now the costly nurse check, for a start that would win
        nurse = book.least_loaded_nurse(appt, start)
        if nurse is not None:
            best = (key, Assignment(id=appt.id, start=start, chair="", nurse=nurse.id))
    return None if best is None else best[1]


def level_in_order(instance: Instance, order: Iterable[Appointment]) -> list[Timed]:
    """Book the appointments in this order, each where :func:`_level_start` says."""
    index = {a.id: i for i, a in enumerate(instance.appointments)}
    booked = _Booked(Booking(instance), [0] * len(grid_moments(instance)), {})
    timed = []
    for appt in order:
        kind_load = booked.kind_loads.setdefault(appt.chair_kind, [0] * len(booked.load))
        chosen = _level_start(booked.book, (booked.load, kind_load), appt)
        if chosen is not None:
            booked.add(chosen, appt)
            timed.append((index[appt.id], chosen.start, chosen.nurse))
    return timed


def leveling(
    instance: Instance, seconds: float, seed: int = 0, only: Collection[str] | None = None
) -> Answer:
    """Squeaky-wheel leveling: repeat :func:`level_in_order`, moving the appointments that
    were left out or sat at the peak up the order each time; the best pass wins.

    ``only`` limits the passes to those appointments (a set known to fit together).
    """
    rng = random.Random(seed)  # noqa: S311 -- a seeded search, not a secret
    appts = [a for a in instance.appointments if only is None or a.id in only]
    # Least flexible first: few possible starts, long infusions.
    priority = {a.id: a.duration / 60 - len(instance.candidate_starts(a)) for a in appts}
    deadline = time.perf_counter() + seconds
    best: Answer | None = None
    while best is None or time.perf_counter() < deadline:
        # The noise varies the order among near-equals from one pass to the next.
        order = sorted(appts, key=lambda a: -priority[a.id] - rng.random() / 2)
        answer = make_answer(instance, assign_chairs(instance, level_in_order(instance, order)), 0)
        if best is None or answer.objective.key() < best.objective.key():
            best = answer
        _blame(instance, answer, priority)
    return best


def _blame(instance: Instance, answer: Answer, priority: dict[str, float]) -> None:
    """Raise the priority of the appointments that made this pass worse."""
    for missing in answer.unscheduled:
        if missing in priority:
            priority[missing] += 5
    duration = {a.id: a.duration for a in instance.appointments}
    load = moment_loads(instance, answer)
    peak = max(load, default=0)
    for a in answer.assignments:
        span = covered_moments(instance, a.start, a.start + duration[a.id])
        if any(load[i] == peak for i in span):
            priority[a.id] += 1


def _booked_without(instance: Instance, answer: Answer, left_out: str) -> _Booked:
    """The booking and loads of an answer without one of its appointments."""
    appts = {a.id: a for a in instance.appointments}
    booked = _Booked(Booking(instance), [0] * len(grid_moments(instance)), {})
    for a in answer.assignments:
        if a.id != left_out:
            booked.add(a, appts[a.id])
    return booked


@dataclass
class _Booked:
    """A booking with its per-moment loads, overall and per chair kind."""

    book: Booking
    load: list[int]
    kind_loads: dict[str, list[int]]

    def add(self, assignment: Assignment, appt: Appointment) -> None:
        """Record an assignment."""
        self.book.add(assignment, appt)
        kind_load = self.kind_loads.setdefault(appt.chair_kind, [0] * len(self.load))
        end = assignment.start + appt.duration
        for i in covered_moments(self.book.instance, assignment.start, end):
            self.load[i] += 1
            kind_load[i] += 1


def pull_towards_preferred(instance: Instance, answer: Answer, deadline: float) -> Answer:
    """Move appointments one at a time, furthest from preferred first, to the closest start
    where a chair and a nurse are free and no moment goes above the answer's peak; sweep
    until nothing moves. Cheap, and it never makes the answer worse."""
    cap = answer.objective.peak_patients
    appts = {a.id: a for a in instance.appointments}
    moved = True
    while moved and time.perf_counter() < deadline:
        moved = False
        far_first = sorted(
            answer.assignments, key=lambda a: -abs(a.start - appts[a.id].preferred_start)
        )
        for current in far_first:
            appt = appts[current.id]
            booked = _booked_without(instance, answer, current.id)
            better = _closer_start(booked, appt, abs(current.start - appt.preferred_start), cap)
            if better is not None:
                kept = [a for a in answer.assignments if a.id != current.id]
                answer = make_answer(instance, [*kept, better], 0.0)
                moved = True
    index = {a.id: i for i, a in enumerate(instance.appointments)}
    timed = [(index[a.id], a.start, a.nurse) for a in answer.assignments]
    return make_answer(instance, assign_chairs(instance, timed), 0.0)


def _closer_start(
    booked: _Booked, appt: Appointment, deviation: int, cap: int
) -> Assignment | None:
    """The start closest to preferred, nearer than ``deviation``, that fits within ``cap``."""
    instance = booked.book.instance
    capacity = sum(1 for c in instance.chairs if c.kind == appt.chair_kind)
    kind_load = booked.kind_loads.get(appt.chair_kind, [0] * len(booked.load))
    for start in starts_by_preference(instance, appt):
        if abs(start - appt.preferred_start) >= deviation:
            return None
        span = covered_moments(instance, start, start + appt.duration)
        if any(booked.load[i] >= cap or kind_load[i] >= capacity for i in span):
            continue
        nurse = booked.book.least_loaded_nurse(appt, start)
        if nurse is not None:
            return Assignment(id=appt.id, start=start, chair="", nurse=nurse.id)
    return None
