"""The day-schedule optimizer: greedy leveling, then staged CP-SAT, lexicographic objectives.

What "better" means, in order: more appointments scheduled, a lower peak of patients in
chairs at once, then (nurse levelling, ``docs/SCHEDULE_FORMAT.md``) the fewest patients
any one nurse has at once, then the weighted spread of the nurses' hands-on minutes plus
the total distance from preferred starts. Appointments with ``eligible_nurses`` get no
variable for any other nurse. The answer carries proven bounds on placed and peak.

How the time limit is spent:

1. **First-fit** (the baseline) and any ``hint`` are the answers to beat; the best valid
   answer so far is what is returned, so the optimizer never does worse than first-fit.
2. **Leveling** (a fifth of the time, ``first_fit.leveling``): a greedy that books the
   least flexible appointments first, each where it raises the most-patients-at-once
   least, repeated as a "squeaky wheel". Then :func:`pull_towards_preferred` moves
   appointments closer to their preferred start without raising the peak.
3. **Most scheduled** (only when an appointment able to be placed is still out): the whole
   day as one CP-SAT model, maximising the number placed (its bound is the proven bound on
   placed); then leveling again among the appointments it placed. Then, on the whole day
   and each with a share of the time left, keeping what the earlier stage reached: the
   lowest peak (its bound is the proven bound on the peak), and, with levelling on, the
   lowest nurse peak, then weighted hands-on spread plus deviation.
4. **Large-neighbourhood search** (the rest): free a dozen or two appointments around a
   busy moment, in a stretch of the day, of two nurses, or at random; keep the others
   where they are, and let CP-SAT rearrange the free ones: nobody placed may drop out, no
   moment may exceed the peak nor any nurse the nurse peak, then fewest grid moments above
   "one below the peak", then least weighted hands-on spread plus deviation. Whole-day
   CP-SAT models stall on the peak (every moment at the peak
   must drop at once before anything counts, and two cores do not get far on a hundred and
   fifty appointments), while these small models each solve in a fraction of a second.

The CP-SAT model: per appointment a presence literal, a start over its grid starts and (in
neighbourhoods) one literal per start, which make a moment's load and the deviation linear;
per able nurse a literal "she has it" with three optional intervals, the appointment in her
cumulative (``max_patients``) and its setup and takedown windows in her no-overlap. Chairs
of a kind are identical, so they are one cumulative; real chairs come from
:func:`assign_chairs`, which colours the intervals in start order and so never needs more
chairs than the most appointments of the kind at one moment. Every answer goes through
:func:`check_answer` before it counts.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from chairside.rules.scheduling.first_fit import first_fit, leveling, pull_towards_preferred
from chairside.rules.scheduling.schedule_model import (
    Answer,
    Appointment,
    Assignment,
    Bounds,
    Instance,
    answer_to_dict,
    assign_chairs,
    check_answer,
    covered_moments,
    grid_moments,
    hands_on,
    load_instance,
    make_answer,
    moment_loads,
    nurse_windows,
    placeable_alone,
)

_log = logging.getLogger(__name__)

# Two cores, shared with whatever else the server runs; the time limit is wall time.
NUM_WORKERS = 2
SEED = 0
# Kept back from the time limit for the chair pass, the checks and printing.
_SAFETY_SECONDS = 0.3
# Kept back by the command line for printing and the interpreter's exit (which, with
# ortools loaded, takes most of a second on a busy machine).
_EXIT_SECONDS = 1.0
# Share of the time limit the leveling heuristic may use (twice, if the solver places more).
_LEVELING_SHARE = 0.2
# Share of the time left that each whole-day stage (peak, nurses) may use.
_STAGE_SHARE = 0.15
# Time allowed to one neighbourhood.
_STEP_SECONDS = 0.6
# Objective weights inside a neighbourhood: one more placed appointment outweighs any
# number of busy moments, and one busy moment outweighs any total deviation.
# The deviation plus the weighted hands-on spread stays under 10^8 on any day (150
# appointments, a weight of 10); a grid moment at most 100 times.
_WEIGHT_OVER = 100_000_000
_WEIGHT_PLACED = 100 * _WEIGHT_OVER

# --- the CP-SAT model ----------------------------------------------------------------------


@dataclass
class _Free:
    """Variables of one appointment the solver may place, move or leave out."""

    index: int
    present: cp_model.IntVar
    start: cp_model.IntVar
    at: dict[int, cp_model.IntVar]
    nurses: dict[int, cp_model.IntVar]


@dataclass
class _Model:
    """A CP-SAT model of the day, or of a neighbourhood with everyone else fixed."""

    instance: Instance
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    items: list[_Free] = field(default_factory=list)
    fixed: list[Assignment] = field(default_factory=list)
    nurses: frozenset[int] | None = None
    nurse_cap: int | None = None
    loads: dict[int, cp_model.LinearExpr] = field(default_factory=dict)
    fixed_load: list[int] = field(default_factory=list)

    def placed(self) -> cp_model.LinearExpr:
        """The number of free appointments placed."""
        return cp_model.LinearExpr.sum([item.present for item in self.items])

    def deviation(self) -> cp_model.LinearExpr:
        """Total minutes between the free appointments' starts and their preferred ones."""
        appts = self.instance.appointments
        pairs = [
            (lit, abs(s - appts[item.index].preferred_start))
            for item in self.items
            for s, lit in item.at.items()
        ]
        return cp_model.LinearExpr.weighted_sum([p[0] for p in pairs], [p[1] for p in pairs])

    def hands_on_spread(self) -> cp_model.IntVar:
        """The most hands-on minutes any nurse has minus the least (fixed ones included)."""
        instance, model = self.instance, self.model
        appts = {a.id: a for a in instance.appointments}
        nurse_index = {n.id: i for i, n in enumerate(instance.nurses)}
        fixed = [0] * len(instance.nurses)
        for a in self.fixed:
            fixed[nurse_index[a.nurse]] += hands_on(appts[a.id])
        total = sum(hands_on(a) for a in instance.appointments)
        most, least = model.new_int_var(0, total, "most"), model.new_int_var(0, total, "least")
        for n in range(len(instance.nurses)):
            minutes = fixed[n] + cp_model.LinearExpr.weighted_sum(
                [item.nurses[n] for item in self.items if n in item.nurses],
                [hands_on(instance.appointments[i.index]) for i in self.items if n in i.nurses],
            )
            model.add(most >= minutes)
            model.add(least <= minutes)
        spread = model.new_int_var(0, total, "spread")
        model.add(spread == most - least)
        return spread


def _starts_by_nurse(instance: Instance, appt: Appointment) -> dict[int, list[int]]:
    """For each nurse whose shift can hold the appointment, the grid starts she allows."""
    result = {}
    for n, nurse in enumerate(instance.nurses):
        if not appt.allows(nurse.id):
            continue  # not eligible (competencies): no variable, so never paired
        starts = [
            s
            for s in instance.candidate_starts(appt)
            if nurse.start <= s and s + appt.duration <= nurse.end
        ]
        if starts:
            result[n] = starts
    return result


def _add_free(m: _Model, index: int, with_loads: bool) -> None:
    """Variables for one free appointment, unless its kind, window and shifts forbid it."""
    instance, model = m.instance, m.model
    appt = instance.appointments[index]
    by_nurse = {
        n: starts
        for n, starts in _starts_by_nurse(instance, appt).items()
        if m.nurses is None or n in m.nurses
    }
    if not by_nurse or not any(c.kind == appt.chair_kind for c in instance.chairs):
        return
    domain = sorted({s for starts in by_nurse.values() for s in starts})
    start = model.new_int_var_from_domain(cp_model.Domain.from_values(domain), f"s{index}")
    item = _Free(index, model.new_bool_var(f"p{index}"), start, {}, {})
    if with_loads:
        item.at = {s: model.new_bool_var(f"y{index}_{s}") for s in domain}
        model.add(sum(item.at.values()) == item.present)
        # An absent appointment's start is pinned to its first slot, to keep it inert.
        model.add(
            start == sum(s * lit for s, lit in item.at.items()) + domain[0] * (1 - item.present)
        )
    for n, starts in by_nurse.items():
        chosen = item.nurses[n] = model.new_bool_var(f"x{index}_{n}")
        model.add(start >= starts[0]).only_enforce_if(chosen)
        model.add(start <= starts[-1]).only_enforce_if(chosen)
    model.add(sum(item.nurses.values()) == item.present)
    m.items.append(item)


@dataclass
class _Resources:
    """Intervals gathered per chair kind and per nurse before their constraints are added."""

    chairs: dict[str, list[cp_model.IntervalVar]] = field(default_factory=lambda: defaultdict(list))
    patients: dict[int, list[cp_model.IntervalVar]] = field(
        default_factory=lambda: defaultdict(list)
    )
    windows: dict[int, list[cp_model.IntervalVar]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _gather_free(m: _Model, res: _Resources) -> None:
    """Optional intervals of the free appointments."""
    model = m.model
    for item in m.items:
        appt = m.instance.appointments[item.index]
        res.chairs[appt.chair_kind].append(
            model.new_optional_fixed_size_interval_var(item.start, appt.duration, item.present, "")
        )
        for n, chosen in item.nurses.items():
            res.patients[n].append(
                model.new_optional_fixed_size_interval_var(item.start, appt.duration, chosen, "")
            )
            for offset, length in _window_offsets(appt):
                res.windows[n].append(
                    model.new_optional_fixed_size_interval_var(
                        item.start + offset, length, chosen, ""
                    )
                )


def _gather_fixed(m: _Model, res: _Resources) -> None:
    """Constant intervals of the appointments that stay where they are."""
    appts = {a.id: a for a in m.instance.appointments}
    nurse_index = {n.id: i for i, n in enumerate(m.instance.nurses)}
    for a in m.fixed:
        appt, n = appts[a.id], nurse_index[a.nurse]
        res.chairs[appt.chair_kind].append(
            m.model.new_fixed_size_interval_var(a.start, appt.duration, "")
        )
        if m.nurses is not None and n not in m.nurses:
            continue  # no free appointment can go to her: her day does not matter here
        res.patients[n].append(m.model.new_fixed_size_interval_var(a.start, appt.duration, ""))
        for offset, length in _window_offsets(appt):
            res.windows[n].append(m.model.new_fixed_size_interval_var(a.start + offset, length, ""))


def _window_offsets(appt: Appointment) -> list[tuple[int, int]]:
    """Offset from the start and length of the nurse's exclusive windows (non-empty)."""
    return [(s, e - s) for s, e, _ in nurse_windows(0, appt)]


def _add_resources(m: _Model, res: _Resources) -> None:
    """Chair-kind and nurse cumulatives, and each nurse's window no-overlap."""
    for kind, spans in res.chairs.items():
        capacity = sum(1 for c in m.instance.chairs if c.kind == kind)
        m.model.add_cumulative(spans, [1] * len(spans), capacity)
    for n, spans in res.patients.items():
        capacity = m.instance.nurses[n].max_patients
        if m.nurse_cap is not None:
            capacity = min(capacity, m.nurse_cap)
        m.model.add_cumulative(spans, [1] * len(spans), capacity)
    for spans in res.windows.values():
        m.model.add_no_overlap(spans)


def _add_loads(m: _Model) -> None:
    """Patients in chairs at each grid moment a free appointment can reach."""
    instance = m.instance
    durations = {a.id: a.duration for a in instance.appointments}
    m.fixed_load = [0] * len(grid_moments(instance))
    for a in m.fixed:
        for i in covered_moments(instance, a.start, a.start + durations[a.id]):
            m.fixed_load[i] += 1
    reach: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for item in m.items:
        appt = instance.appointments[item.index]
        for s, lit in item.at.items():
            for i in covered_moments(instance, s, s + appt.duration):
                reach[i].append(lit)
    m.loads = {i: m.fixed_load[i] + cp_model.LinearExpr.sum(lits) for i, lits in reach.items()}


def build_model(
    instance: Instance,
    fixed: Sequence[Assignment] = (),
    with_loads: bool = False,
    nurses: frozenset[int] | None = None,
    nurse_cap: int | None = None,
) -> _Model:
    """The CP-SAT model with the ``fixed`` assignments kept as they are and the rest free.

    ``with_loads`` adds the per-start literals and the per-moment loads; ``nurses`` (by
    index) limits the nurses the free appointments may have; ``nurse_cap`` lowers every
    nurse's ratio (to keep the nurse peak an answer already has).
    """
    m = _Model(instance, fixed=list(fixed), nurses=nurses, nurse_cap=nurse_cap)
    kept = {a.id for a in fixed}
    for index, appt in enumerate(instance.appointments):
        if appt.id not in kept:
            _add_free(m, index, with_loads)
    res = _Resources()
    _gather_free(m, res)
    _gather_fixed(m, res)
    _add_resources(m, res)
    if with_loads:
        _add_loads(m)
    return m


# --- hints, solving and reading back -------------------------------------------------------


def _set_hint(m: _Model, answer: Answer) -> None:
    """Start the search from ``answer`` (any valid answer is feasible for the model)."""
    by_id = {a.id: a for a in answer.assignments}
    nurse_index = {n.id: i for i, n in enumerate(m.instance.nurses)}
    for item in m.items:
        assignment = by_id.get(m.instance.appointments[item.index].id)
        start = -1 if assignment is None else assignment.start
        chosen = -1 if assignment is None else nurse_index[assignment.nurse]
        placed = chosen in item.nurses
        m.model.add_hint(item.present, placed)
        if placed:
            m.model.add_hint(item.start, start)
        for s, literal in item.at.items():
            m.model.add_hint(literal, placed and s == start)
        for n, literal in item.nurses.items():
            m.model.add_hint(literal, placed and n == chosen)


@dataclass
class _Result:
    """A solve: the checked answer (or ``None``), whether it is proven optimal, and the
    solver's proven bound on its objective (``None`` when it did not get that far)."""

    answer: Answer | None
    optimal: bool = False
    bound: float | None = None


def _solve(m: _Model, hint: Answer, seconds: float) -> _Result:
    """Solve from ``hint`` within ``seconds``."""
    if seconds < 0.05:
        return _Result(None)  # no time left: CP-SAT would not even get through presolve
    _set_hint(m, hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = NUM_WORKERS
    solver.parameters.max_time_in_seconds = seconds
    # Probing in presolve costs seconds on these models and buys nothing.
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.random_seed = SEED
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Result(None)
    bound = solver.best_objective_bound
    index = {a.id: i for i, a in enumerate(m.instance.appointments)}
    timed = [(index[a.id], a.start, a.nurse) for a in m.fixed]
    for item in m.items:
        if solver.boolean_value(item.present):
            n = next(n for n, x in item.nurses.items() if solver.boolean_value(x))
            timed.append((item.index, solver.value(item.start), m.instance.nurses[n].id))
    answer = make_answer(m.instance, assign_chairs(m.instance, timed), 0.0)
    problems = check_answer(m.instance, answer)
    if problems:  # the model mirrors check_answer; if they ever disagree, the check wins
        _log.warning("solver answer rejected: %s", problems[0])
        return _Result(None)
    return _Result(answer, status == cp_model.OPTIMAL, bound)


@dataclass
class _Proven:
    """Bounds proven so far (see :class:`Bounds`); the peak bound is for ``at_scheduled``."""

    scheduled: int
    peak: int = 0
    at_scheduled: int = -1

    def peak_for(self, instance: Instance, scheduled: int) -> int:
        """A proven lower bound on the peak of any answer placing ``scheduled``."""
        floor = peak_floor(instance, scheduled)
        return max(floor, self.peak) if scheduled >= self.at_scheduled >= 0 else floor


def _most_scheduled(instance: Instance, best: Answer, deadline: float, proven: _Proven) -> Answer:
    """Stage 1: place as many appointments as the day allows, on the whole-day model."""
    m = build_model(instance)
    proven.scheduled = min(proven.scheduled, len(m.items))
    if best.objective.scheduled >= len(m.items):
        return best  # every appointment that can be placed at all is placed
    m.model.add(m.placed() >= best.objective.scheduled)
    m.model.maximize(m.placed())
    result = _solve(m, best, (deadline - time.perf_counter()) / 3)
    if result.bound is not None:
        proven.scheduled = min(proven.scheduled, math.floor(result.bound + 1e-6))
    found = result.answer
    if found is None or found.objective.key() >= best.objective.key():
        return best
    _log.debug("most scheduled: %s", found.objective)
    return found


def _flatter(instance: Instance, found: Answer, seconds: float, proven: _Proven) -> Answer:
    """Stage 2: the whole-day model keeping ``found``'s count, minimising the peak."""
    m = build_model(instance)
    model, appts = m.model, instance.appointments
    peak = model.new_int_var(0, len(instance.chairs), "peak")
    spans = [
        model.new_optional_fixed_size_interval_var(
            item.start, appts[item.index].duration, item.present, ""
        )
        for item in m.items
    ]
    model.add_cumulative(spans, [1] * len(spans), peak)
    model.add_hint(peak, found.objective.peak_patients)
    model.add(m.placed() >= found.objective.scheduled)
    model.minimize(peak)
    result = _solve(m, found, seconds)
    if result.bound is not None:
        # Sound for every answer placing at least as many as ``found``.
        proven.peak, proven.at_scheduled = math.ceil(result.bound - 1e-6), found.objective.scheduled
    better = result.answer
    return (
        better if better is not None and better.objective.key() < found.objective.key() else found
    )


def _level_nurses(instance: Instance, found: Answer, seconds: float) -> Answer:
    """Stage 3: the whole-day model keeping ``found``'s count and peak, minimising the most
    patients any one nurse has at once, then weighted hands-on spread plus deviation."""
    m = build_model(instance)
    model, appts = m.model, instance.appointments
    most = max((n.max_patients for n in instance.nurses), default=0)
    nurse_peak = model.new_int_var(0, most, "nurse_peak")
    chairs: list[cp_model.IntervalVar] = []
    by_nurse: dict[int, list[cp_model.IntervalVar]] = defaultdict(list)
    deviation = []
    for item in m.items:
        appt = appts[item.index]
        chairs.append(
            model.new_optional_fixed_size_interval_var(item.start, appt.duration, item.present, "")
        )
        for n, chosen in item.nurses.items():
            by_nurse[n].append(
                model.new_optional_fixed_size_interval_var(item.start, appt.duration, chosen, "")
            )
        far = model.new_int_var(0, 24 * 60, "")
        model.add(far >= item.start - appt.preferred_start).only_enforce_if(item.present)
        model.add(far >= appt.preferred_start - item.start).only_enforce_if(item.present)
        deviation.append(far)
    model.add_cumulative(chairs, [1] * len(chairs), found.objective.peak_patients)
    for spans in by_nurse.values():
        model.add_cumulative(spans, [1] * len(spans), nurse_peak)
    model.add(m.placed() >= found.objective.scheduled)
    model.add_hint(nurse_peak, found.objective.nurse_peak or 0)
    rest = instance.nurse_levelling_weight * m.hands_on_spread() + sum(deviation)
    heaviest = instance.nurse_levelling_weight * sum(hands_on(a) for a in appts) + 24 * 60 * len(
        appts
    )
    model.minimize((heaviest + 1) * nurse_peak + rest)
    better = _solve(m, found, seconds).answer
    return (
        better if better is not None and better.objective.key() < found.objective.key() else found
    )


# --- large-neighbourhood search ------------------------------------------------------------


@dataclass
class _Search:
    """State of the large-neighbourhood search."""

    instance: Instance
    best: Answer
    rng: random.Random
    peak_until: float
    size: int = 24

    def aim(self) -> int:
        """The peak to get under: one below the best, until the time for it is over."""
        peak = self.best.objective.peak_patients
        floor = peak_floor(self.instance, self.best.objective.scheduled)
        return peak - 1 if peak > floor and time.perf_counter() < self.peak_until else peak

    def score(self, answer: Answer, aim: int) -> tuple[int, ...]:
        """Smaller is better: the objective's key, with the moments above ``aim`` after the
        peak (they lead to a lower one)."""
        over = sum(1 for load in moment_loads(self.instance, answer) if load > aim)
        placed, peak, nurse_peak, rest = answer.objective.key()
        return (placed, peak, over, nurse_peak, rest)


def peak_floor(instance: Instance, scheduled: int) -> int:
    """A lower bound on the peak when ``scheduled`` appointments are placed."""
    durations = sorted(a.duration for a in instance.appointments)
    return math.ceil(sum(durations[:scheduled]) / instance.opening_minutes())


def _neighbourhood(search: _Search, aim: int) -> set[str]:
    """The appointments to free: around a moment above the aim, in a random stretch of
    the day, of two nurses, or at random; plus a few of those left out."""
    instance, best, rng = search.instance, search.best, search.rng
    if search.size >= len(best.assignments):
        return {a.id for a in instance.appointments}  # a small day: the whole of it
    duration = {a.id: a.duration for a in instance.appointments}
    spans = {a.id: (a.start, a.start + duration[a.id]) for a in best.assignments}
    moments = grid_moments(instance)
    hot = [moments[i] for i, load in enumerate(moment_loads(instance, best)) if load > aim]
    roll = rng.random()
    if hot and roll < 0.5:
        t = rng.choice(hot)
        lo, hi = t - rng.choice((0, 60, 120)), t + 1 + rng.choice((0, 60, 120))
    elif roll < 0.75:
        lo = rng.choice(moments)
        hi = lo + rng.choice((60, 120, 240))
    else:
        lo, hi = instance.open, instance.close
        if rng.random() < 0.5:
            nurses = {n.id for n in rng.sample(instance.nurses, min(2, len(instance.nurses)))}
            spans = {a.id: spans[a.id] for a in best.assignments if a.nurse in nurses}
    near = [i for i, (s, e) in spans.items() if s < hi and lo < e]
    rng.shuffle(near)
    # Those covering the chosen stretch come first: they are the ones that must move.
    near.sort(key=lambda i: not (spans[i][0] <= lo < spans[i][1]))
    out = list(best.unscheduled)
    return set(near[: search.size]) | set(rng.sample(out, min(3, len(out))))


def _nurses_for(search: _Search, free: set[str]) -> frozenset[int] | None:
    """The nurses the freed appointments may move between: their own and one more.

    Offering every nurse to every freed appointment makes the neighbourhood several times
    larger for little gain; appointments left out may go to anyone.
    """
    if any(i in free for i in search.best.unscheduled):
        return None
    index = {n.id: i for i, n in enumerate(search.instance.nurses)}
    own = {index[a.nurse] for a in search.best.assignments if a.id in free}
    return frozenset(own | {search.rng.randrange(len(index))})


def _lns_step(search: _Search, seconds: float) -> None:
    """Free a neighbourhood, rearrange it with CP-SAT, keep the result if it is better."""
    instance, best, aim = search.instance, search.best, search.aim()
    free = _neighbourhood(search, aim)
    levelling = instance.nurse_levelling_weight > 0
    m = build_model(
        instance,
        [a for a in best.assignments if a.id not in free],
        with_loads=True,
        nurses=_nurses_for(search, free),
        # With nurse levelling on, no nurse may get more patients at once than the best has.
        nurse_cap=best.objective.nurse_peak if levelling else None,
    )
    m.model.add(m.placed() >= len(best.assignments) - len(m.fixed))
    current, over = moment_loads(instance, best), []
    for i, load in m.loads.items():
        m.model.add(load <= best.objective.peak_patients)
        if aim < best.objective.peak_patients:
            above = m.model.new_bool_var(f"over{i}")
            m.model.add(load <= aim + above)
            m.model.add_hint(above, current[i] > aim)
            over.append(above)
    rest = m.deviation()
    if levelling:
        rest += instance.nurse_levelling_weight * m.hands_on_spread()
    m.model.minimize(
        _WEIGHT_PLACED * (len(m.items) - m.placed())
        + _WEIGHT_OVER * cp_model.LinearExpr.sum(over)
        + rest
    )
    started = time.perf_counter()
    result = _solve(m, best, seconds)
    found, optimal = result.answer, result.optimal
    # Many quick neighbourhoods beat a few slow ones: grow while they are solved to
    # optimality in a fraction of the time allowed, shrink when they are not.
    quick = optimal and time.perf_counter() - started < seconds / 3
    search.size = max(6, min(80, search.size + (1 if quick else 0 if optimal else -1)))
    if found is not None and search.score(found, aim) < search.score(best, aim):
        search.best = found


def _improve(instance: Instance, best: Answer, deadline: float, seed: int = 0) -> Answer:
    """Step 4: neighbourhood after neighbourhood until the time is up; the peak gets the
    first three quarters of the time, the deviation the whole of it."""
    now = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 -- a seeded search, not a secret
    search = _Search(instance, best, rng, now + (deadline - now) * 0.75)
    steps, kept = 0, best
    while (left := deadline - time.perf_counter()) > 0.1:
        seconds = _STEP_SECONDS
        if search.size >= len(search.best.assignments):
            # The whole day fits in one neighbourhood: give it the time a peak may need.
            seconds = max(seconds, search.peak_until - time.perf_counter())
        _lns_step(search, min(seconds, left))
        steps += 1
        # The search may trade deviation for fewer busy moments; keep the best answer.
        if search.best.objective.key() < kept.objective.key():
            kept = search.best
    _log.debug("%d neighbourhoods, last size %d: %s", steps, search.size, kept.objective)
    return kept


# --- entry points --------------------------------------------------------------------------


def solve(instance: Instance, time_limit_s: float = 30.0, hint: Answer | None = None) -> Answer:
    """The best schedule found within ``time_limit_s`` seconds of wall time (first-fit and
    one leveling pass are always done, however short the time), with the bounds proven.

    Staged, the stages sharing the time: greedy answers; the most placed (whole day,
    CP-SAT); the lowest peak for that many (whole day); the lowest nurse peak, hands-on
    spread and deviation for that peak (whole day, when nurse levelling is on); then the
    large-neighbourhood search on all of them for the rest. ``hint`` (a previous answer,
    say) competes with first-fit as the starting point when it is valid. The result
    always passes :func:`check_answer`.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s - _SAFETY_SECONDS
    baseline = first_fit(instance)
    share = time_limit_s * _LEVELING_SHARE
    leveled = leveling(instance, share)
    best = _best_valid(instance, baseline, hint, leveled)
    best = _best_valid(instance, best, pull_towards_preferred(instance, best, deadline))
    proven = _Proven(scheduled=placeable_alone(instance))
    more = _most_scheduled(instance, best, deadline, proven)
    if more.objective.scheduled > best.objective.scheduled:
        # The greedy flattens a day better than the whole-day model does: level again,
        # among the appointments the solver placed.
        placed = {a.id for a in more.assignments}
        again = leveling(instance, min(share, (deadline - time.perf_counter()) / 3), only=placed)
        best = _best_valid(instance, more, again)
        best = _best_valid(instance, best, pull_towards_preferred(instance, best, deadline))
    best = _flatter(instance, best, (deadline - time.perf_counter()) * _STAGE_SHARE, proven)
    if instance.nurse_levelling_weight > 0:
        seconds = (deadline - time.perf_counter()) * _STAGE_SHARE
        best = _level_nurses(instance, best, seconds)
    best = _improve(instance, best, deadline)
    if check_answer(instance, best):  # cannot happen: every step keeps valid answers
        _log.error("optimizer answer invalid, returning first-fit's: %s", best)
        best = baseline
    bounds = Bounds(
        scheduled=max(proven.scheduled, best.objective.scheduled),
        peak_patients=min(
            proven.peak_for(instance, best.objective.scheduled), best.objective.peak_patients
        ),
    )
    return replace(best, solve_seconds=time.perf_counter() - started, bounds=bounds)


def _best_valid(instance: Instance, kept: Answer, *others: Answer | None) -> Answer:
    """The best of ``kept`` (a valid answer) and those of the others that pass every rule."""
    valid = [a for a in others if a is not None and not check_answer(instance, a)]
    return min([kept, *valid], key=lambda a: a.objective.key())


def main(argv: list[str] | None = None) -> int:
    """``python -m chairside.rules.scheduling.optimizer INSTANCE.json [--time-limit SECONDS]``."""
    parser = argparse.ArgumentParser(description="Schedule a day of infusion appointments.")
    parser.add_argument("instance", help="the day's instance, JSON (see SCHEDULE_FORMAT.md)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds, wall time")
    args = parser.parse_args(argv)
    try:
        instance = load_instance(args.instance)
    except (OSError, ValueError) as error:
        print(f"optimizer: {error}", file=sys.stderr)
        return 2
    # The limit is on the whole run, so the interpreter's start and the imports count too.
    answer = solve(instance, args.time_limit - _seconds_since_start() - _EXIT_SECONDS)
    print(json.dumps(answer_to_dict(answer)))
    return 0


def _seconds_since_start() -> float:
    """Wall seconds since this process started (from ``/proc`` on Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            # Field 22, start time in clock ticks since boot; counted after "pid (name)".
            started = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return max(0.0, now - started / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


if __name__ == "__main__":
    sys.exit(main())
