"""Realistic, seeded days for an infusion center, to test and benchmark the schedulers.

A day looks like the example instances (``bench/example-*.json``): open 07:00 to 19:00 on a
15-minute grid; the examples' drugs, from 30-minute injections to 6.5-hour chemotherapy,
with their setup and takedown times, in a busy center's mix (many short visits: about two
hours a visit on average, where the example day averages nearly three); about 3.5
appointments per chair (85 for 24 chairs, as in ``BENCH_OUTPUT.md``); a bed in about twelve
places, taken by some long infusions; staggered 8.5-hour nurse shifts at 1:4, one nurse per
four chairs plus two so the early and late hours are covered. Patients ask for the
mid-morning, as they do: most preferred starts cluster around 09:30 and the rest spread over
the day. Half can come at opening and a third can stay until closing; the others allow
30 minutes to a few hours either side. That flexibility is what lets a good schedule
flatten the mid-morning crush that first-fit books.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from chairside.rules.scheduling.schedule_model import Appointment, Chair, Instance, Nurse

OPEN, CLOSE, SLOT = 7 * 60, 19 * 60, 15
APPOINTMENTS_PER_CHAIR = 85 / 24
PATIENTS_PER_NURSE = 4
# Shifts of 8.5 hours (those of the examples, and 09:30-18:00), handed out in this order:
# every size gets early and late cover, and a third of the nurses start at opening, for
# the morning's setups are what limits how fast the chairs fill.
SHIFTS = (
    (7 * 60, 15 * 60 + 30),
    (10 * 60 + 30, 19 * 60),
    (8 * 60, 16 * 60 + 30),
    (7 * 60, 15 * 60 + 30),
    (9 * 60 + 30, 18 * 60),
    (10 * 60 + 30, 19 * 60),
)
# Beyond the 1:4 ratio at the busiest hour, two nurses so the early and late hours,
# when only part of the staff is on shift, are covered too.
EXTRA_NURSES = 2
# Where the mid-morning cluster of preferred starts sits, and how wide it is.
CLUSTER_CENTRE, CLUSTER_SPREAD, CLUSTER_SHARE = 9 * 60 + 30, 60, 0.7


@dataclass(frozen=True)
class Drug:
    """A treatment as the schedule sees it: its chair time, nurse windows and frequency."""

    name: str
    duration: int
    setup: int
    takedown: int
    weight: int


# Durations, setup and takedown as in the example instances; weights make a busy center
# where short visits (injections, iron, vedolizumab) are common and long infusions rarer.
DRUGS = (
    Drug("injection", 30, 10, 5, 16),
    Drug("iron/zoledronic", 45, 15, 5, 12),
    Drug("vedolizumab", 60, 15, 10, 10),
    Drug("tocilizumab", 90, 15, 10, 8),
    Drug("natalizumab", 120, 15, 10, 6),
    Drug("infliximab", 150, 15, 10, 12),
    Drug("ivig", 240, 20, 10, 4),
    Drug("ocrelizumab", 240, 20, 10, 3),
    Drug("rituximab", 300, 20, 10, 2),
    Drug("ocrelizumab-first", 330, 20, 10, 1),
    Drug("chemo-long", 390, 20, 15, 3),
)


def _on_grid(minutes: float) -> int:
    return int(round(minutes / SLOT)) * SLOT


def _preferred_start(rng: random.Random, duration: int) -> int:
    """Mid-morning for most patients, anywhere that still ends by closing for the rest."""
    latest = CLOSE - duration
    if rng.random() < CLUSTER_SHARE:
        wanted = rng.gauss(CLUSTER_CENTRE, CLUSTER_SPREAD)
    else:
        wanted = rng.uniform(OPEN + 30, max(OPEN + 30, latest - 60))
    return min(max(_on_grid(wanted), OPEN), latest)


def _window(rng: random.Random, preferred: int, duration: int) -> tuple[int, int]:
    """Earliest arrival and latest end: half can come at opening, a third can stay to close."""
    before = SLOT * rng.randint(2, 12)
    after = SLOT * rng.randint(2, 16)
    earliest = OPEN if rng.random() < 0.5 else max(OPEN, preferred - before)
    latest_end = CLOSE if rng.random() < 0.35 else min(CLOSE, preferred + duration + after)
    return earliest, latest_end


def _fits_a_shift(earliest: int, latest_end: int, duration: int, nurses: list[Nurse]) -> bool:
    """Some nurse's shift holds the appointment somewhere in its window."""
    return any(max(earliest, n.start) + duration <= min(latest_end, n.end) for n in nurses)


def _appointment(rng: random.Random, number: int, drug: Drug, nurses: list[Nurse]) -> Appointment:
    while True:  # a window no shift can hold would be a day nobody could book
        preferred = _preferred_start(rng, drug.duration)
        earliest, latest_end = _window(rng, preferred, drug.duration)
        if _fits_a_shift(earliest, latest_end, drug.duration, nurses):
            break
    return Appointment(
        id=f"A{number:03d}",
        duration=drug.duration,
        chair_kind="chair",
        earliest=earliest,
        latest_end=latest_end,
        preferred_start=preferred,
        nurse_setup=drug.setup,
        nurse_takedown=drug.takedown,
        drug=drug.name,
    )


def _drug_mix(rng: random.Random, count: int) -> list[Drug]:
    """``count`` drugs in the proportions of their weights, in random order.

    Drawing each drug independently would make one day's chair-hours swing by a third;
    a center's mix is steadier than that, so the counts follow the weights (largest
    remainders fill the last places) and only the order and the remainders are random.
    """
    total = sum(d.weight for d in DRUGS)
    shares = [count * d.weight / total for d in DRUGS]
    mix = [d for d, share in zip(DRUGS, shares, strict=True) for _ in range(int(share))]
    remainders = sorted(
        DRUGS, key=lambda d: (count * d.weight / total) % 1 + rng.random() * 0.5, reverse=True
    )
    mix += remainders[: count - len(mix)]
    rng.shuffle(mix)
    return mix


def _nurses(count: int) -> list[Nurse]:
    """``count`` nurses, their shifts taken from :data:`SHIFTS` in turn."""
    shifts = [SHIFTS[i % len(SHIFTS)] for i in range(count)]
    return [
        Nurse(id=f"N{i + 1}", start=start, end=end, max_patients=PATIENTS_PER_NURSE)
        for i, (start, end) in enumerate(shifts)
    ]


def _chairs(count: int) -> list[Chair]:
    """Mostly recliners, and about one bed in twelve places (at least one)."""
    beds = max(1, round(count / 12))
    return [Chair(id=f"C{i + 1:02d}", kind="chair") for i in range(count - beds)] + [
        Chair(id=f"B{i + 1:02d}", kind="bed") for i in range(beds)
    ]


def _give_beds(rng: random.Random, appts: list[Appointment], beds: int) -> list[Appointment]:
    """Some long infusions lie down: about one and a half per bed over the day."""
    long_ones = [i for i, a in enumerate(appts) if a.duration >= 120]
    chosen = set(rng.sample(long_ones, min(len(long_ones), int(1.5 * beds))))
    return [replace(a, chair_kind="bed") if i in chosen else a for i, a in enumerate(appts)]


def generate_day(chairs: int, seed: int, appointments: int | None = None) -> Instance:
    """A day for a center with ``chairs`` places; the same seed gives the same day.

    ``appointments`` defaults to about 3.5 per chair, like the example day.
    """
    if chairs < 1:
        raise ValueError(f"a center needs at least one chair, got {chairs}")
    rng = random.Random(seed)  # noqa: S311 -- reproducible test days, not secrets
    count = appointments if appointments is not None else round(chairs * APPOINTMENTS_PER_CHAIR)
    nurses = _nurses(math.ceil(chairs / PATIENTS_PER_NURSE) + EXTRA_NURSES)
    places = _chairs(chairs)
    appts = [_appointment(rng, i + 1, drug, nurses) for i, drug in enumerate(_drug_mix(rng, count))]
    appts = _give_beds(rng, appts, sum(1 for c in places if c.kind == "bed"))
    return Instance(
        date="2026-12-01",
        open=OPEN,
        close=CLOSE,
        slot_minutes=SLOT,
        chairs=tuple(places),
        nurses=tuple(nurses),
        appointments=tuple(appts),
    )
