"""A day's chair-and-nurse scheduling instance, an answer to it, and the rules an answer obeys.

The formats are described in ``bench/SCHEDULE_FORMAT.md`` (beside the architecture notes).
Inside this module every time is an integer number of minutes from midnight of the
instance's date; ``"HH:MM"`` strings appear only when JSON is read or written.

The rules, which :func:`check_answer` enforces one by one:

* an appointment starts on the slot grid (a multiple of ``slot_minutes`` from midnight),
  not before ``earliest`` or ``open``, and ends no later than ``latest_end`` or ``close``;
* it occupies one chair of its ``chair_kind``; a chair holds one appointment at a time;
* it has one nurse for its whole length, inside that nurse's shift; a nurse has at most
  ``max_patients`` patients at once;
* a nurse is fully taken by a patient during the first ``nurse_setup`` and the last
  ``nurse_takedown`` minutes of the appointment: those windows of one nurse never overlap.

All intervals are half-open, ``[start, end)``: a chair freed at 10:00 can be used at 10:00.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(text: str) -> int:
    """``"HH:MM"`` → minutes from midnight; anything else is a ValueError."""
    match = _HHMM.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"time must be 'HH:MM' (00:00 to 23:59), got {text!r}")
    return int(match.group(1)) * 60 + int(match.group(2))


def format_hhmm(minutes: int) -> str:
    """Minutes from midnight → ``"HH:MM"``."""
    if not 0 <= minutes < 24 * 60:
        raise ValueError(f"minutes from midnight must lie within one day, got {minutes}")
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Chair:
    """A treatment place; ``kind`` is ``"chair"`` or ``"bed"`` (any label is accepted)."""

    id: str
    kind: str


@dataclass(frozen=True)
class Nurse:
    """A nurse's shift ``[start, end)`` and her patient ratio."""

    id: str
    start: int
    end: int
    max_patients: int


@dataclass(frozen=True)
class Appointment:
    """One patient's treatment for the day, with the window the patient can come in."""

    id: str
    duration: int
    chair_kind: str
    earliest: int
    latest_end: int
    preferred_start: int
    nurse_setup: int
    nurse_takedown: int
    drug: str = ""
    # The nurses allowed to look after this patient (their competencies); None: every nurse.
    eligible_nurses: tuple[str, ...] | None = None

    def allows(self, nurse_id: str) -> bool:
        """Whether the nurse may look after this patient (the eligibility list, if any)."""
        return self.eligible_nurses is None or nurse_id in self.eligible_nurses

    @property
    def takedown_start(self) -> int:
        """Offset from the start at which the nurse's takedown window opens."""
        return self.duration - self.nurse_takedown


@dataclass(frozen=True)
class Instance:
    """A day to schedule: opening hours, the slot grid, chairs, nurse shifts, appointments."""

    date: str
    open: int
    close: int
    slot_minutes: int
    chairs: tuple[Chair, ...]
    nurses: tuple[Nurse, ...]
    appointments: tuple[Appointment, ...]
    # How much a minute of spread in the nurses' hands-on minutes counts against a minute of
    # preference deviation; 0 turns nurse levelling off (see docs/SCHEDULE_FORMAT.md).
    nurse_levelling_weight: int = 1

    def start_range(self, appt: Appointment) -> tuple[int, int]:
        """The first and last start minute the opening hours and the patient allow."""
        return max(appt.earliest, self.open), min(appt.latest_end, self.close) - appt.duration

    def candidate_starts(self, appt: Appointment) -> list[int]:
        """Every start on the slot grid inside the appointment's window, in time order."""
        lo, hi = self.start_range(appt)
        first = -(-lo // self.slot_minutes) * self.slot_minutes  # round up onto the grid
        return list(range(first, hi + 1, self.slot_minutes))

    def opening_minutes(self) -> int:
        """Length of the opening hours."""
        return self.close - self.open


@dataclass(frozen=True)
class Assignment:
    """Where and when one appointment takes place, and who looks after it."""

    id: str
    start: int
    chair: str
    nurse: str


@dataclass(frozen=True)
class Objective:
    """The figures an answer is judged by, compared in the order of :meth:`key`.

    ``nurse_peak`` and ``hands_on_spread_minutes`` are Chairside's extension
    (``docs/SCHEDULE_FORMAT.md``); ``None`` when read from an answer that lacks them.
    ``levelling_weight`` is the instance's ``nurse_levelling_weight``.
    """

    scheduled: int
    peak_patients: int
    preference_deviation_minutes: int
    nurse_peak: int | None = None
    hands_on_spread_minutes: int | None = None
    levelling_weight: int = 1

    def key(self) -> tuple[int, int, int, int]:
        """Sort key, smaller is better: more scheduled, a lower peak of patients in chairs,
        then (with levelling on) a lower nurse peak, then weighted hands-on spread plus
        preference deviation."""
        if self.levelling_weight <= 0:
            return (-self.scheduled, self.peak_patients, 0, self.preference_deviation_minutes)
        return (
            -self.scheduled,
            self.peak_patients,
            self.nurse_peak or 0,
            self.levelling_weight * (self.hands_on_spread_minutes or 0)
            + self.preference_deviation_minutes,
        )


@dataclass(frozen=True)
class Bounds:
    """Proven bounds: no answer places more than ``scheduled``; none placing as many as
    the answer has a peak below ``peak_patients``."""

    scheduled: int
    peak_patients: int


@dataclass(frozen=True)
class Answer:
    """A schedule for a day: the placed appointments, the rest, and its objective."""

    assignments: tuple[Assignment, ...]
    unscheduled: tuple[str, ...]
    objective: Objective
    solve_seconds: float
    bounds: Bounds | None = None


# --- JSON: instance ------------------------------------------------------------------------


def _require(data: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in data:
        raise ValueError(f"{what} lacks {key!r}")
    return data[key]


def _int(data: Mapping[str, Any], key: str, what: str, minimum: int = 0) -> int:
    value = _require(data, key, what)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what}: {key!r} must be an integer >= {minimum}, got {value!r}")
    return value


def _appointment_from_dict(data: Mapping[str, Any]) -> Appointment:
    what = f"appointment {data.get('id', '?')!r}"
    appt = Appointment(
        id=str(_require(data, "id", "an appointment")),
        duration=_int(data, "duration", what, minimum=1),
        chair_kind=str(_require(data, "chair_kind", what)),
        earliest=parse_hhmm(_require(data, "earliest", what)),
        latest_end=parse_hhmm(_require(data, "latest_end", what)),
        preferred_start=parse_hhmm(_require(data, "preferred_start", what)),
        nurse_setup=_int(data, "nurse_setup", what),
        nurse_takedown=_int(data, "nurse_takedown", what),
        drug=str(data.get("drug", "")),
        eligible_nurses=_eligible(data, what),
    )
    # A setup overlapping its own takedown would make the nurse rule unsatisfiable.
    if appt.nurse_setup + appt.nurse_takedown > appt.duration:
        raise ValueError(f"{what}: nurse_setup + nurse_takedown exceeds duration")
    return appt


def _eligible(data: Mapping[str, Any], what: str) -> tuple[str, ...] | None:
    """The optional ``eligible_nurses`` list: absent or null means every nurse."""
    value = data.get("eligible_nurses")
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list):
        raise ValueError(f"{what}: 'eligible_nurses' must be a list of nurse ids")
    return tuple(str(v) for v in value)


def _nurse_from_dict(data: Mapping[str, Any]) -> Nurse:
    what = f"nurse {data.get('id', '?')!r}"
    nurse = Nurse(
        id=str(_require(data, "id", "a nurse")),
        start=parse_hhmm(_require(data, "start", what)),
        end=parse_hhmm(_require(data, "end", what)),
        max_patients=_int(data, "max_patients", what, minimum=1),
    )
    if nurse.end <= nurse.start:
        raise ValueError(f"{what}: shift ends before it starts")
    return nurse


def _unique_ids(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item!r}")
        seen.add(item)


def instance_from_dict(data: Mapping[str, Any]) -> Instance:
    """Build an :class:`Instance` from its JSON form, raising ValueError on bad input."""
    instance = Instance(
        date=str(data.get("date", "")),
        open=parse_hhmm(_require(data, "open", "the instance")),
        close=parse_hhmm(_require(data, "close", "the instance")),
        slot_minutes=_int(data, "slot_minutes", "the instance", minimum=1),
        chairs=tuple(
            Chair(id=str(_require(c, "id", "a chair")), kind=str(_require(c, "kind", "a chair")))
            for c in _require(data, "chairs", "the instance")
        ),
        nurses=tuple(_nurse_from_dict(n) for n in _require(data, "nurses", "the instance")),
        appointments=tuple(
            _appointment_from_dict(a) for a in _require(data, "appointments", "the instance")
        ),
        nurse_levelling_weight=(
            _int(data, "nurse_levelling_weight", "the instance")
            if "nurse_levelling_weight" in data
            else 1
        ),
    )
    if instance.close <= instance.open:
        raise ValueError("the instance closes before it opens")
    _unique_ids("chair", (c.id for c in instance.chairs))
    _unique_ids("nurse", (n.id for n in instance.nurses))
    _unique_ids("appointment", (a.id for a in instance.appointments))
    nurse_ids = {n.id for n in instance.nurses}
    for appt in instance.appointments:
        unknown = sorted(set(appt.eligible_nurses or ()) - nurse_ids)
        if unknown:
            raise ValueError(f"appointment {appt.id!r}: unknown eligible nurses {unknown}")
    return instance


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """The JSON form of an instance (the inverse of :func:`instance_from_dict`)."""
    data: dict[str, Any] = {
        "date": instance.date,
        "open": format_hhmm(instance.open),
        "close": format_hhmm(instance.close),
        "slot_minutes": instance.slot_minutes,
        "chairs": [{"id": c.id, "kind": c.kind} for c in instance.chairs],
        "nurses": [
            {
                "id": n.id,
                "start": format_hhmm(n.start),
                "end": format_hhmm(n.end),
                "max_patients": n.max_patients,
            }
            for n in instance.nurses
        ],
        "appointments": [_appointment_to_dict(a) for a in instance.appointments],
    }
    if instance.nurse_levelling_weight != 1:
        data["nurse_levelling_weight"] = instance.nurse_levelling_weight
    return data


def _appointment_to_dict(appt: Appointment) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": appt.id,
        "drug": appt.drug,
        "duration": appt.duration,
        "chair_kind": appt.chair_kind,
        "earliest": format_hhmm(appt.earliest),
        "latest_end": format_hhmm(appt.latest_end),
        "preferred_start": format_hhmm(appt.preferred_start),
        "nurse_setup": appt.nurse_setup,
        "nurse_takedown": appt.nurse_takedown,
    }
    if appt.eligible_nurses is not None:  # written only when given: old instances stay as they were
        data["eligible_nurses"] = list(appt.eligible_nurses)
    return data


def load_instance(path: str) -> Instance:
    """Read an instance from a JSON file."""
    with open(path, encoding="utf-8") as handle:
        return instance_from_dict(json.load(handle))


# --- JSON: answer --------------------------------------------------------------------------


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The JSON form of an answer as ``SCHEDULE_FORMAT.md`` shows it, with Chairside's
    extra figures and, when known, the bounds and gaps (``docs/SCHEDULE_FORMAT.md``)."""
    objective = answer.objective
    data: dict[str, Any] = {
        "assignments": [
            {"id": a.id, "start": format_hhmm(a.start), "chair": a.chair, "nurse": a.nurse}
            for a in answer.assignments
        ],
        "unscheduled": list(answer.unscheduled),
        "objective": {
            "scheduled": answer.objective.scheduled,
            "peak_patients": answer.objective.peak_patients,
            "preference_deviation_minutes": answer.objective.preference_deviation_minutes,
            "nurse_peak": objective.nurse_peak,
            "hands_on_spread_minutes": objective.hands_on_spread_minutes,
        },
        "solve_seconds": round(answer.solve_seconds, 3),
    }
    if answer.bounds is not None:
        data["bounds"] = {
            "scheduled": answer.bounds.scheduled,
            "peak_patients": answer.bounds.peak_patients,
        }
        data["gap"] = {
            "scheduled": answer.bounds.scheduled - objective.scheduled,
            "peak_patients": objective.peak_patients - answer.bounds.peak_patients,
        }
    return data


def answer_from_dict(data: Mapping[str, Any]) -> Answer:
    """Read an answer from its JSON form, raising ValueError on bad input."""
    objective = _require(data, "objective", "the answer")
    return Answer(
        assignments=tuple(
            Assignment(
                id=str(_require(a, "id", "an assignment")),
                start=parse_hhmm(_require(a, "start", "an assignment")),
                chair=str(_require(a, "chair", "an assignment")),
                nurse=str(_require(a, "nurse", "an assignment")),
            )
            for a in _require(data, "assignments", "the answer")
        ),
        unscheduled=tuple(str(i) for i in _require(data, "unscheduled", "the answer")),
        objective=Objective(
            scheduled=_int(objective, "scheduled", "the objective"),
            peak_patients=_int(objective, "peak_patients", "the objective"),
            preference_deviation_minutes=_int(
                objective, "preference_deviation_minutes", "the objective"
            ),
            nurse_peak=_optional_int(objective, "nurse_peak"),
            hands_on_spread_minutes=_optional_int(objective, "hands_on_spread_minutes"),
        ),
        solve_seconds=float(data.get("solve_seconds", 0.0)),
    )


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    return _int(data, key, "the objective") if data.get(key) is not None else None


# --- objective -----------------------------------------------------------------------------


def max_overlap(intervals: Iterable[tuple[int, int]]) -> int:
    """Most half-open intervals ``[start, end)`` covering one moment."""
    # At equal times the end (-1) sorts before the start (+1): touching is not overlapping.
    events = sorted(e for s, t in intervals for e in ((s, 1), (t, -1)))
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


def compute_objective(instance: Instance, assignments: Sequence[Assignment]) -> Objective:
    """The objective of a set of assignments (ids not in the instance are ignored)."""
    by_id = {a.id: a for a in instance.appointments}
    placed = [(a, by_id[a.id]) for a in assignments if a.id in by_id]
    return Objective(
        scheduled=len(placed),
        peak_patients=max_overlap((a.start, a.start + ap.duration) for a, ap in placed),
        preference_deviation_minutes=sum(abs(a.start - ap.preferred_start) for a, ap in placed),
        nurse_peak=max(
            (
                max_overlap((a.start, a.start + ap.duration) for a, ap in placed if a.nurse == n)
                for n in {a.nurse for a, _ in placed}
            ),
            default=0,
        ),
        hands_on_spread_minutes=hands_on_spread(instance, placed),
        levelling_weight=instance.nurse_levelling_weight,
    )


def hands_on(appt: Appointment) -> int:
    """Minutes a nurse is fully taken by the patient: setup plus takedown."""
    return appt.nurse_setup + appt.nurse_takedown


def hands_on_spread(instance: Instance, placed: Iterable[tuple[Assignment, Appointment]]) -> int:
    """The most hands-on minutes any nurse of the instance has, minus the least."""
    minutes = {n.id: 0 for n in instance.nurses}
    for a, ap in placed:
        minutes[a.nurse] = minutes.get(a.nurse, 0) + hands_on(ap)
    return max(minutes.values(), default=0) - min(minutes.values(), default=0)


def lower_bound_peak(instance: Instance) -> int:
    """Total appointment minutes over the opening minutes, rounded up: no day can do better."""
    total = sum(a.duration for a in instance.appointments)
    return math.ceil(total / instance.opening_minutes())


def placeable_alone(instance: Instance) -> int:
    """Appointments that could be placed on an empty day: a chair of their kind exists and
    some nurse's shift holds one of their starts. No answer schedules more, so an answer
    that schedules this many has placed every appointment that can be placed."""
    kinds = {c.kind for c in instance.chairs}
    return sum(
        1
        for appt in instance.appointments
        if appt.chair_kind in kinds
        and any(
            nurse.start <= s and s + appt.duration <= nurse.end
            for s in instance.candidate_starts(appt)
            for nurse in instance.nurses
            if appt.allows(nurse.id)
        )
    )


def make_answer(
    instance: Instance, assignments: Iterable[Assignment], solve_seconds: float
) -> Answer:
    """An answer from assignments: sorted like the instance, the rest unscheduled."""
    order = {a.id: i for i, a in enumerate(instance.appointments)}
    placed = tuple(sorted(assignments, key=lambda a: order.get(a.id, len(order))))
    done = {a.id for a in placed}
    return Answer(
        assignments=placed,
        unscheduled=tuple(a.id for a in instance.appointments if a.id not in done),
        objective=compute_objective(instance, placed),
        solve_seconds=solve_seconds,
    )


# --- feasibility ---------------------------------------------------------------------------


def check_answer(instance: Instance, answer: Answer) -> list[str]:
    """Every rule the answer breaks, one readable line each; an empty list means valid."""
    problems = _check_ids(instance, answer)
    appts = {a.id: a for a in instance.appointments}
    chairs = {c.id: c for c in instance.chairs}
    nurses = {n.id: n for n in instance.nurses}
    placed = [(a, appts[a.id]) for a in answer.assignments if a.id in appts]
    for assignment, appt in placed:
        problems += _check_placement(instance, assignment, appt, chairs, nurses)
    problems += _check_chairs(placed)
    for nurse in instance.nurses:
        mine = [(a, ap) for a, ap in placed if a.nurse == nurse.id]
        problems += _check_nurse_load(nurse, mine)
        problems += _check_nurse_windows(nurse, mine)
    expected = compute_objective(instance, answer.assignments)
    given = answer.objective
    # Figures the answer does not give (an answer in the base format) are not checked.
    if given.nurse_peak is None:
        expected = replace(expected, nurse_peak=None)
    if given.hands_on_spread_minutes is None:
        expected = replace(expected, hands_on_spread_minutes=None)
    expected = replace(expected, levelling_weight=given.levelling_weight)
    if given != expected:
        problems.append(f"objective {answer.objective} does not match the schedule ({expected})")
    return problems


def _check_ids(instance: Instance, answer: Answer) -> list[str]:
    """Each appointment id exactly once, in assignments or unscheduled; no stranger ids."""
    known = {a.id for a in instance.appointments}
    listed = [a.id for a in answer.assignments] + list(answer.unscheduled)
    problems = [f"{i}: not an appointment of the instance" for i in listed if i not in known]
    seen: set[str] = set()
    for item in listed:
        if item in seen and item in known:
            problems.append(f"{item}: listed more than once")
        seen.add(item)
    problems += [
        f"{a.id}: missing from the answer" for a in instance.appointments if a.id not in seen
    ]
    return problems


def _check_placement(
    instance: Instance,
    assignment: Assignment,
    appt: Appointment,
    chairs: Mapping[str, Chair],
    nurses: Mapping[str, Nurse],
) -> list[str]:
    """The rules one appointment obeys on its own: grid, window, chair kind, nurse shift."""
    start, end, name = assignment.start, assignment.start + appt.duration, appt.id
    problems = []
    if start % instance.slot_minutes:
        problems.append(f"{name}: start {format_hhmm(start)} is off the slot grid")
    if start < max(appt.earliest, instance.open):
        problems.append(f"{name}: starts before its earliest time or before opening")
    if end > min(appt.latest_end, instance.close):
        problems.append(f"{name}: ends after its latest end or after closing")
    chair = chairs.get(assignment.chair)
    if chair is None:
        problems.append(f"{name}: unknown chair {assignment.chair!r}")
    elif chair.kind != appt.chair_kind:
        problems.append(f"{name}: needs a {appt.chair_kind}, got {chair.kind} {chair.id}")
    nurse = nurses.get(assignment.nurse)
    if nurse is None:
        problems.append(f"{name}: unknown nurse {assignment.nurse!r}")
    elif start < nurse.start or end > nurse.end:
        problems.append(f"{name}: outside the shift of nurse {nurse.id}")
    if nurse is not None and not appt.allows(nurse.id):
        problems.append(f"{name}: nurse {nurse.id} is not eligible (not in eligible_nurses)")
    return problems


def _check_chairs(placed: Sequence[tuple[Assignment, Appointment]]) -> list[str]:
    """A chair holds one appointment at a time."""
    problems = []
    for i, (a, ap) in enumerate(placed):
        for b, bp in placed[i + 1 :]:
            overlap = a.start < b.start + bp.duration and b.start < a.start + ap.duration
            if a.chair == b.chair and overlap:
                problems.append(f"{a.id} and {b.id}: overlap in chair {a.chair}")
    return problems


def _check_nurse_load(nurse: Nurse, mine: Sequence[tuple[Assignment, Appointment]]) -> list[str]:
    """A nurse has at most ``max_patients`` patients at once."""
    most = max_overlap((a.start, a.start + ap.duration) for a, ap in mine)
    if most > nurse.max_patients:
        return [f"nurse {nurse.id}: {most} patients at once, more than {nurse.max_patients}"]
    return []


def nurse_windows(start: int, appt: Appointment) -> list[tuple[int, int, str]]:
    """The nurse's exclusive windows for one appointment: setup and takedown, non-empty."""
    windows = [
        (start, start + appt.nurse_setup, "setup"),
        (start + appt.takedown_start, start + appt.duration, "takedown"),
    ]
    return [w for w in windows if w[1] > w[0]]


def _check_nurse_windows(nurse: Nurse, mine: Sequence[tuple[Assignment, Appointment]]) -> list[str]:
    """A nurse's setup and takedown windows never overlap each other."""
    windows = [
        (s, e, f"{ap.id} {label}") for a, ap in mine for s, e, label in nurse_windows(a.start, ap)
    ]
    windows.sort()
    problems = []
    for i, (_, e, label) in enumerate(windows):
        for s2, _, label2 in windows[i + 1 :]:
            if s2 >= e:
                break  # sorted by start: no later window can overlap this one
            problems.append(f"nurse {nurse.id}: {label} overlaps {label2}")
    return problems


Timed = tuple[int, int, str]
"""An appointment's index in the instance, its start, and its nurse's id."""


# --- grid moments and chairs ---------------------------------------------------------------


def grid_moments(instance: Instance) -> range:
    """Grid moments in opening hours; as starts lie on the grid, peaks are reached there."""
    slot = instance.slot_minutes
    return range(-(-instance.open // slot) * slot, instance.close, slot)


def covered_moments(instance: Instance, start: int, end: int) -> range:
    """Indices into :func:`grid_moments` of the moments t with start <= t < end."""
    first, slot = grid_moments(instance).start, instance.slot_minutes
    return range(max(0, -(-(start - first) // slot)), -(-(end - first) // slot))


def moment_loads(instance: Instance, answer: Answer) -> list[int]:
    """Patients in chairs at each grid moment."""
    duration = {a.id: a.duration for a in instance.appointments}
    load = [0] * len(grid_moments(instance))
    for a in answer.assignments:
        for i in covered_moments(instance, a.start, a.start + duration[a.id]):
            load[i] += 1
    return load


def assign_chairs(instance: Instance, timed: Iterable[Timed]) -> list[Assignment]:
    """Real chairs for ``(appointment index, start, nurse id)`` triples, by interval colouring.

    Taken in start order, each appointment gets the first chair of its kind (list order)
    that is free by then. A chair is missing only if more appointments of one kind overlap
    than there are chairs of it, which the model's cumulative rules out: ValueError then.
    """
    free_at = {c.id: instance.open for c in instance.chairs}
    result = []
    for index, start, nurse in sorted(timed, key=lambda t: (t[1], t[0])):
        appt = instance.appointments[index]
        chair = next(
            (c for c in instance.chairs if c.kind == appt.chair_kind and free_at[c.id] <= start),
            None,
        )
        if chair is None:
            raise ValueError(f"no free {appt.chair_kind} for {appt.id} at {start}")
        free_at[chair.id] = start + appt.duration
        result.append(Assignment(id=appt.id, start=start, chair=chair.id, nurse=nurse))
    return result
