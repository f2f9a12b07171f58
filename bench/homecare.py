"""Benchmark the home-care day route planner (``chairside.rules.scheduling.routing``).

Generates seeded synthetic days (homes scattered over a 15 km radius around a made-up
pharmacy depot; about 45% home nursing visits of 45-90 minutes in two-hour windows, the
rest deliveries of 10 minutes in four-hour windows, a fifth of them handed over by a
nurse) of 12, 30 and 60 stops for 3, 5 and 8 nurses and drivers (about 60% nurses, shifts
07:30-17:30), plans each with the planner's time limit, and compares total travel with
visiting in booking order: the stops dealt round-robin in the order they were booked to the
nurses and drivers able to take them, each visiting hers in that order (what a coordinator
does without a planner), timed with the same travel times.

    .venv/bin/python bench/homecare.py              # 12, 30 and 60 stops, 5 s each
    .venv/bin/python bench/homecare.py --quick      # 12 stops, 2 s: a smoke check
    .venv/bin/python bench/homecare.py --seed 7     # other days
    .venv/bin/python bench/homecare.py --nurse-delivery-minutes 10  # the app's default

Goals (issue 18): plan time under 10 s, travel at least 20% shorter than booking order,
no window missed, every stop placed. A missed goal is named at the end and makes the
exit status 1. The last line is JSON (``BENCH_OUTPUT.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chairside.rules.scheduling.routing import (  # noqa: E402
    Stop,
    Vehicle,
    evaluate_routes,
    plan_routes,
    windows_missed,
)

DEPOT = (40.05, -75.35)  # a made-up depot; the homes are synthetic points around it
RADIUS_KM = 15.0
SHIFT = (7 * 60 + 30, 17 * 60 + 30)
SIZES = ((12, 3), (30, 5), (60, 8))


def synthetic_day(stops: int, vehicles: int, seed: int) -> tuple[list[Stop], list[Vehicle]]:
    """A reproducible day: the stops in booking order, and the nurses then the drivers."""
    rng = random.Random(f"homecare-{stops}-{vehicles}-{seed}")
    day: list[Stop] = []
    for n in range(stops):
        # Uniform over the disc: the radius grows with the square root.
        r = RADIUS_KM * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        lat = DEPOT[0] + (r * math.cos(bearing)) / 111.2
        lon = DEPOT[1] + (r * math.sin(bearing)) / (111.2 * math.cos(math.radians(DEPOT[0])))
        if rng.random() < 0.45:
            start = rng.choice(range(8 * 60, 14 * 60 + 1, 30))
            stop = Stop(
                f"V{n:02d}", lat, lon, start, start + 120, rng.choice((45, 60, 75, 90)), True
            )
        else:
            start = rng.choice((8 * 60, 9 * 60, 10 * 60, 12 * 60, 13 * 60))
            stop = Stop(f"D{n:02d}", lat, lon, start, start + 240, 10, rng.random() < 0.2)
        day.append(stop)
    nurses = math.ceil(vehicles * 0.6)
    fleet = [
        Vehicle(f"{'N' if k < nurses else 'D'}{k}", k < nurses, DEPOT, *SHIFT)
        for k in range(vehicles)
    ]
    return day, fleet


def booking_order(stops: list[Stop], fleet: list[Vehicle]) -> dict[str, list[str]]:
    """Round-robin in booking order over the vehicles able to take each stop."""
    routes: dict[str, list[str]] = {v.id: [] for v in fleet}
    turn = {True: 0, False: 0}
    nurses = [v for v in fleet if v.is_nurse]
    for stop in stops:
        able = nurses if stop.nurse_only else fleet
        pick = able[turn[stop.nurse_only] % len(able)]
        turn[stop.nurse_only] += 1
        routes[pick.id].append(stop.id)
    return routes


def run_day(stops: int, vehicles: int, seed: int, seconds: float, nurse: int) -> dict[str, Any]:
    day, fleet = synthetic_day(stops, vehicles, seed)
    began = time.perf_counter()
    plan = plan_routes(day, fleet, time_limit_seconds=seconds, nurse_delivery_minutes=nurse)
    plan_seconds = time.perf_counter() - began
    baseline = evaluate_routes(booking_order(day, fleet), day, fleet)
    return {
        "stops": stops,
        "vehicles": vehicles,
        "plan_seconds": round(plan_seconds, 2),
        "travel_minutes": plan.travel_minutes,
        "booking_order_travel_minutes": sum(r.travel_minutes for r in baseline),
        "windows_missed": windows_missed(plan.routes, day, fleet),
        "unplaced": len(plan.unplaced),
        "booking_order_windows_missed": windows_missed(baseline, day, fleet),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="12 stops, 2 s (smoke check)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=None, help="search time per day")
    parser.add_argument(
        "--nurse-delivery-minutes",
        type=int,
        default=0,
        help="count a delivery on a nurse's route as this many minutes (0: least driving)",
    )
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    rows = [run_day(s, v, args.seed, seconds, args.nurse_delivery_minutes) for s, v in sizes]
    print(
        f"{'stops':>5} {'veh':>3} {'plan s':>7} {'travel':>7} {'booking':>8} "
        f"{'shorter':>8} {'missed':>6} {'unplaced':>8} {'booking missed':>14}"
    )
    failures = []
    for r in rows:
        saved = 1 - r["travel_minutes"] / max(1, r["booking_order_travel_minutes"])
        print(
            f"{r['stops']:>5} {r['vehicles']:>3} {r['plan_seconds']:>7.2f} "
            f"{r['travel_minutes']:>7} {r['booking_order_travel_minutes']:>8} "
            f"{saved:>8.0%} {r['windows_missed']:>6} {r['unplaced']:>8} "
            f"{r['booking_order_windows_missed']:>14}"
        )
        name = f"{r['stops']} stops"
        if r["plan_seconds"] >= 10:
            failures.append(f"{name}: planning took {r['plan_seconds']} s (goal < 10 s)")
        if saved < 0.20:
            failures.append(f"{name}: travel only {saved:.0%} shorter (goal >= 20%)")
        if r["windows_missed"] or r["unplaced"]:
            failures.append(f"{name}: {r['windows_missed']} missed, {r['unplaced']} unplaced")
    print("goals met" if not failures else "goals missed:\n  " + "\n  ".join(failures))
    print(json.dumps({"days": rows}))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
