"""A discrete-event model (SimPy) of one infusion-center day, run over many days.

Each booked patient arrives near the appointment (or does not come), and needs, in order:
a chair; room in a nurse's assignment (the site's nurse : patient ratio); a nurse for the
start (IV access, vitals); the drug from the pharmacy, whose preparation starts when the
patient has arrived, as centers mix expensive biologics only for a patient who is there;
then the chair for the infusion and observation; a nurse again for the discharge.

What the model counts, per day: the wait (arrival to infusion start, less the nurse's
start time itself), chair utilization (chair-minutes held / chairs x opening minutes), nurse
utilization (task minutes plus monitored patient-minutes / ratio, over the nurse-minutes
scheduled), and overtime (how long the last patient stays past closing, and the nurse-hours
that costs). Repeating the day with fresh randomness gives each figure's distribution
(p10 / p50 / p90). A seeded ``random.Random`` makes every run reproducible; two scenarios
run with the same seed see the same patients (common random numbers), so their difference
is the scenario, not luck.

Assumptions, stated: shifts that end at or after closing stay until the last patient
leaves (that is the overtime); a shift that ends earlier hands its patients over; the
pharmacy is ``pharmacists`` parallel preparers; preparation time is lognormal around the
given mean (coefficient of variation 0.4); chair time varies +/-10%; patients arrive on
average 5 minutes early (standard deviation 10 minutes).
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import random
import statistics
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import simpy

ARRIVAL_PATTERNS = ("even", "morning")
WAIT_BIN_MINUTES = 15
WAIT_BINS = 8  # 0-15, 15-30, ... 105-120, and the last bin is 120 minutes or more


@dataclass(frozen=True)
class Shift:
    """Nurses on duty from ``start`` to ``end`` (minutes after midnight)."""

    start: int
    end: int
    nurses: int


@dataclass(frozen=True)
class VisitType:
    """A kind of visit (a drug): its share of bookings and chair minutes after the start."""

    name: str
    weight: float
    chair_minutes: int


@dataclass(frozen=True)
class DayConfig:
    chairs: int
    shifts: tuple[Shift, ...]
    opens: int
    closes: int
    visit_types: tuple[VisitType, ...]
    patients_per_day: int
    arrival_pattern: str = "even"
    pharmacy_minutes: int = 30
    pharmacists: int = 1
    no_show_rate: float = 0.05
    nurse_ratio: int = 4
    start_minutes: int = 15
    discharge_minutes: int = 10


@dataclass(frozen=True)
class Spread:
    p10: float
    p50: float
    p90: float
    mean: float


@dataclass(frozen=True)
class SimulationResult:
    days: int
    patients_booked: int
    treated: Spread
    wait_minutes: Spread
    chair_utilization: Spread
    nurse_utilization: Spread
    overtime_minutes: Spread
    nurse_overtime_hours: Spread
    wait_histogram: tuple[int, ...]


@dataclass
class _Day:
    treated: int = 0
    waits: list[float] = field(default_factory=list)
    chair_minutes: float = 0.0
    nurse_task_minutes: float = 0.0
    monitored_minutes: float = 0.0
    last_departure: float = 0.0


def check_config(config: DayConfig) -> None:
    """Raise ValueError unless the day can run: hours, chairs, shifts covering the day."""
    if not 0 <= config.opens < config.closes <= 24 * 60:
        raise ValueError("the center must open before it closes, within one day")
    _at_least(config.chairs, 1, "chairs")
    _at_least(config.patients_per_day, 0, "patients per day")
    _at_least(config.pharmacists, 1, "pharmacists")
    _at_least(config.nurse_ratio, 1, "nurse ratio")
    _at_least(config.pharmacy_minutes, 0, "pharmacy preparation minutes")
    _at_least(config.start_minutes, 0, "nurse start minutes")
    _at_least(config.discharge_minutes, 0, "discharge minutes")
    if not 0 <= config.no_show_rate < 1:
        raise ValueError(f"no-show rate {config.no_show_rate} must be from 0 up to (not) 1")
    if config.arrival_pattern not in ARRIVAL_PATTERNS:
        raise ValueError(f"arrival pattern must be one of {', '.join(ARRIVAL_PATTERNS)}")
    if not config.visit_types or sum(v.weight for v in config.visit_types) <= 0:
        raise ValueError("give at least one visit type with a share above 0")
    for visit in config.visit_types:
        if visit.weight < 0 or visit.chair_minutes < 1:
            raise ValueError(f"{visit.name}: share must not be negative, chair time >= 1 min")
    _check_shifts(config)


def _check_shifts(config: DayConfig) -> None:
    if not config.shifts:
        raise ValueError("schedule at least one nurse shift")
    for shift in config.shifts:
        if shift.nurses < 1 or not 0 <= shift.start < shift.end <= 24 * 60:
            raise ValueError("each shift needs at least one nurse and must end after it starts")
    for minute in sorted({config.opens, *(s.end for s in config.shifts)}):
        if config.opens <= minute < config.closes and _on_duty(config, minute) == 0:
            raise ValueError(f"no nurse is on duty at {minute // 60:02d}:{minute % 60:02d}")
    if not any(s.end >= config.closes for s in config.shifts):
        raise ValueError("a nurse shift must last until closing time")


def _on_duty(config: DayConfig, minute: int) -> int:
    return sum(s.nurses for s in config.shifts if s.start <= minute < s.end)


def simulate(config: DayConfig, days: int, seed: int = 1, workers: int = 1) -> SimulationResult:
    """Simulate ``days`` independent days of the configuration; distributions over days.

    Each day draws from its own generator, seeded from ``seed`` and the day's number, so the
    result is the same whether the days run in one process or are shared among ``workers``
    processes (the days are independent, so they parallelize perfectly).
    """
    check_config(config)
    _at_least(days, 1, "days")
    _at_least(workers, 1, "workers")
    day_seeds = [seed * 1_000_003 + n for n in range(days)]
    if workers == 1 or days < 50:
        outcomes = _run_days(config, day_seeds)
    else:
        chunks = [day_seeds[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = list(pool.map(_run_days, [config] * workers, chunks))
        outcomes = [day for part in parts for day in part]
    return _summarize(config, outcomes)


def _run_days(config: DayConfig, day_seeds: list[int]) -> list[_Day]:
    # A simulation, not cryptography: a seeded Mersenne Twister is what reproducibility needs.
    return [_simulate_day(config, random.Random(s)) for s in day_seeds]  # noqa: S311


def _appointments(config: DayConfig, rng: random.Random) -> list[tuple[float, VisitType]]:
    """Book the day: longer visits first, spread over the hours they can still finish in."""
    weights = [v.weight for v in config.visit_types]
    visits = rng.choices(config.visit_types, weights=weights, k=config.patients_per_day)
    visits.sort(key=lambda v: -v.chair_minutes)
    n = len(visits)
    window = config.closes - config.opens
    booked = []
    for i, visit in enumerate(visits):
        position = i / n if n else 0.0
        if config.arrival_pattern == "morning":
            position = position**1.6  # bunch the starts toward the morning
        latest = config.closes - visit.chair_minutes - config.start_minutes
        booked.append((max(config.opens, min(config.opens + position * window, latest)), visit))
    return booked


def _simulate_day(config: DayConfig, rng: random.Random) -> _Day:
    env = simpy.Environment()
    nurses_total = sum(s.nurses for s in config.shifts)
    # Off-duty nurses are held by blocking requests. A block from midnight is asked for
    # before any patient, so a plain (faster) FIFO resource serves it first; a block from
    # mid-day must jump the queue of waiting patients, which needs priorities.
    mid_day_blocks = any(s.end < config.closes for s in config.shifts)
    kind = simpy.PriorityResource if mid_day_blocks else simpy.Resource
    nurses = kind(env, capacity=nurses_total)
    # The ratio only needs modelling when it can bind: fewer nurse slots than chairs at
    # some open minute. Skipping it otherwise changes no result and halves the events.
    slots = None
    if _fewest_on_duty(config) * config.nurse_ratio < config.chairs:
        slots = kind(env, capacity=nurses_total * config.nurse_ratio)
    for shift in config.shifts:
        _block_off_duty(env, shift, config, nurses, slots)
    chairs = simpy.Resource(env, capacity=config.chairs)
    day = _Day()
    patients = []
    for booked_at, visit in _appointments(config, rng):
        if rng.random() < config.no_show_rate:
            continue
        arrival = max(config.opens - 15.0, booked_at + rng.gauss(-5, 10))
        prep = _prep_minutes(config.pharmacy_minutes, rng)
        patients.append((arrival, prep, visit.chair_minutes * rng.uniform(0.9, 1.1)))
    patients.sort()
    ready = _drug_ready_times(config.pharmacists, [(a, p) for a, p, _ in patients])
    for (arrival, _, chair_time), drug_ready in zip(patients, ready, strict=True):
        visit_plan = (arrival, drug_ready, chair_time)
        env.process(_patient(env, config, day, (chairs, slots, nurses), visit_plan))
    env.run()
    return day


def _drug_ready_times(preparers: int, jobs: list[tuple[float, float]]) -> list[float]:
    """When each drug is ready: first come, first served over ``preparers`` in parallel.

    Computed directly (a FIFO queue in arrival order needs no event loop): each job starts
    when it arrives or when the first preparer frees up, whichever is later.
    """
    free_at = [0.0] * preparers
    ready = []
    for arrival, minutes in jobs:
        start = max(arrival, heapq.heappop(free_at))
        heapq.heappush(free_at, start + minutes)
        ready.append(start + minutes)
    return ready


def _fewest_on_duty(config: DayConfig) -> int:
    minutes = {config.opens, *(s.start for s in config.shifts), *(s.end for s in config.shifts)}
    return min(_on_duty(config, m) for m in minutes if config.opens <= m < config.closes)


def _prep_minutes(mean: int, rng: random.Random) -> float:
    if mean == 0:
        return 0.0
    sigma = math.sqrt(math.log(1 + 0.4**2))
    return rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)


def _block_off_duty(
    env: simpy.Environment, shift: Shift, config: DayConfig, nurses: Any, slots: Any
) -> None:
    """Hold a shift's nurses (and their ratio of patient slots) while they are off duty."""
    spans = [(0.0, float(shift.start))] if shift.start > 0 else []
    if shift.end < config.closes:  # later shifts take over; otherwise they stay to the end
        spans.append((float(shift.end), math.inf))
    for start, end in spans:
        for _ in range(shift.nurses):
            env.process(_hold(env, nurses, start, end))
            for _ in range(config.nurse_ratio if slots is not None else 0):
                env.process(_hold(env, slots, start, end))


def _hold(env: simpy.Environment, resource: Any, start: float, end: float) -> Generator[Any]:
    if start > env.now:
        yield env.timeout(start - env.now)
    block = resource.request(priority=-1) if start > 0 else resource.request()
    with block as held:
        yield held
        if end == math.inf:
            yield env.event()  # never fires: the unit stays blocked until the day ends
        yield env.timeout(max(0.0, end - env.now))


def _patient(
    env: simpy.Environment,
    config: DayConfig,
    day: _Day,
    resources: tuple[Any, Any, Any],
    plan: tuple[float, float, float],
) -> Generator[Any]:
    chairs, slots, nurses = resources
    arrival, drug_ready, chair_time = plan
    yield env.timeout(arrival)
    with chairs.request() as chair:
        yield chair
        seated = env.now
        slot = slots.request() if slots is not None else None
        if slot is not None:
            yield slot
        yield from _nurse_task(env, nurses, config.start_minutes, day)
        started = max(env.now, drug_ready)
        day.waits.append(started - arrival - config.start_minutes)
        yield env.timeout(started - env.now + chair_time)  # wait for the drug, then infuse
        yield from _nurse_task(env, nurses, config.discharge_minutes, day)
        if slot is not None:
            slots.release(slot)
        day.monitored_minutes += env.now - started
        day.chair_minutes += max(0.0, min(env.now, config.closes) - max(seated, config.opens))
    day.treated += 1
    day.last_departure = max(day.last_departure, env.now)


def _nurse_task(env: simpy.Environment, nurses: Any, minutes: int, day: _Day) -> Generator[Any]:
    with nurses.request() as nurse:
        yield nurse
        yield env.timeout(minutes)
    day.nurse_task_minutes += minutes


def _summarize(config: DayConfig, outcomes: list[_Day]) -> SimulationResult:
    open_minutes = config.closes - config.opens
    scheduled = sum(s.nurses * (s.end - s.start) for s in config.shifts)
    overtime = [max(0.0, d.last_departure - config.closes) for d in outcomes]
    late_nurses = sum(s.nurses for s in config.shifts if s.end >= config.closes)
    histogram = [0] * (WAIT_BINS + 1)
    for d in outcomes:
        for wait in d.waits:
            histogram[min(WAIT_BINS, int(max(0.0, wait) // WAIT_BIN_MINUTES))] += 1
    return SimulationResult(
        days=len(outcomes),
        patients_booked=config.patients_per_day,
        treated=_spread([float(d.treated) for d in outcomes]),
        wait_minutes=_spread([statistics.fmean(d.waits) if d.waits else 0.0 for d in outcomes]),
        chair_utilization=_spread(
            [d.chair_minutes / (config.chairs * open_minutes) for d in outcomes]
        ),
        nurse_utilization=_spread(
            [
                (d.nurse_task_minutes + d.monitored_minutes / config.nurse_ratio) / scheduled
                for d in outcomes
            ]
        ),
        overtime_minutes=_spread(overtime),
        nurse_overtime_hours=_spread([o * late_nurses / 60 for o in overtime]),
        wait_histogram=tuple(histogram),
    )


def _spread(values: list[float]) -> Spread:
    if len(values) == 1:
        v = round(values[0], 3)
        return Spread(v, v, v, v)
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return Spread(
        round(cuts[0], 3), round(cuts[4], 3), round(cuts[8], 3), round(statistics.fmean(values), 3)
    )


def _at_least(value: int, low: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} {value!r} must be a whole number of at least {low}")
