"""Benchmark the home-care day route plan as the app proposes it.

Generates seeded synthetic days (homes scattered over a 15 km radius around a made-up
pharmacy depot; about 45% home nursing visits of 45-90 minutes in two-hour windows, the
rest deliveries of 10 minutes in four-hour windows, a fifth of them handed over by a
nurse) of 12, 30 and 60 stops for 3, 5 and 8 nurses and drivers (about 60% nurses, shifts
07:30-17:30), and proposes each with what the app runs (``routing.propose_day``, called by
``homecare.services.route_propose``) at the app's defaults: a new depot's search time and
nurse delivery minutes (``HomeBase`` takes its defaults from the same constants). The
baseline is the app's too: booking order (``routing.booking_order``), the stops dealt
round-robin in the order they were booked to the nurses and drivers able to take them
(deliveries to the drivers while the depot keeps them off nurses' routes), each visited in
that order, timed with the same travel times. For comparison it also prints the old baseline
(deliveries dealt to anyone) and the least-driving setting (nurse delivery minutes 0).

    .venv/bin/python bench/homecare.py              # 12, 30 and 60 stops, the app's defaults
    .venv/bin/python bench/homecare.py --quick      # the 12-stop day only: a smoke check
    .venv/bin/python bench/homecare.py --seed 7     # other days
    .venv/bin/python bench/homecare.py --seeds 20   # 20 days of each size: the spread
    .venv/bin/python bench/homecare.py --exact      # the 12-stop day's proven optimum too

Goals (issue 18): plan time under 10 s, travel at least 20% shorter than booking order,
no window missed, every stop placed. A missed goal of the headline (the app's defaults) is
named at the end and makes the exit status 1. The last line is JSON (``BENCH_OUTPUT.md``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chairside.rules.scheduling.routing import (  # noqa: E402
    DEFAULT_NURSE_DELIVERY_MINUTES,
    DEFAULT_SPEED_KMH,
    DEFAULT_TIME_LIMIT_SECONDS,
    Stop,
    Vehicle,
    booking_order,
    evaluate_routes,
    propose_day,
    travel_minutes,
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


def run_day(  # noqa: PLR0917 (the day and the two settings)
    stops: int, vehicles: int, seed: int, seconds: float, nurse: int, exact: bool = False
) -> dict[str, Any]:
    day, fleet = synthetic_day(stops, vehicles, seed)
    began = time.perf_counter()
    proposal = propose_day(day, fleet, time_limit_seconds=seconds, nurse_delivery_minutes=nurse)
    plan_seconds = time.perf_counter() - began
    plan = proposal.plan
    anyone = evaluate_routes(booking_order(day, fleet, nurse_delivery_minutes=0), day, fleet)
    row: dict[str, Any] = {
        "stops": stops,
        "vehicles": vehicles,
        "plan_seconds": round(plan_seconds, 2),
        "travel_minutes": plan.travel_minutes,
        "booking_order_travel_minutes": proposal.baseline_travel_minutes,
        "windows_missed": windows_missed(plan.routes, day, fleet),
        "unplaced": len(plan.unplaced),
        "booking_order_windows_missed": proposal.baseline_missed,
        "booking_order_any_carrier_travel_minutes": sum(r.travel_minutes for r in anyone),
        "booking_order_any_carrier_windows_missed": windows_missed(anyone, day, fleet),
    }
    if exact:
        row["optimum_travel_minutes"] = exact_optimum(day, fleet, nurse)
    return row


def exact_optimum(day: list[Stop], fleet: list[Vehicle], nurse: int) -> int | None:
    """The least travel of a plan keeping every window, among the plans the planner's own
    objective (travel, plus ``nurse`` minutes per delivery a nurse carries while drivers are
    on shift) rates best; by dynamic programming over the subsets of stops (one depot and
    one shift for all, as on the bench's days; about a second for 12 stops). None when no
    plan places every stop."""
    n = len(day)
    if n > 14 or len({(v.start, v.shift_start, v.shift_end) for v in fleet}) != 1:
        raise ValueError("the exact optimum is for up to 14 stops and one shared shift")
    v0 = fleet[0]

    def leg(a: tuple[float, float], b: tuple[float, float]) -> int:
        return travel_minutes(a, b, DEFAULT_SPEED_KMH)

    points = [(s.lat, s.lon) for s in day]
    to = [[leg(a, b) for b in points] for a in points]
    out = [leg(v0.start, p) for p in points]
    back = [leg(p, v0.end or v0.start) for p in points]
    inf = 10**9
    # best[mask]: least travel of one route serving exactly ``mask`` in its windows.
    best = [inf] * (1 << n)
    best[0] = 0
    labels: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for j, s in enumerate(day):
        begins = max(v0.shift_start + out[j], s.window_start)
        if begins <= s.window_end:
            labels[(1 << j, j)] = [(begins + s.service_minutes, out[j])]
    while labels:
        grown: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for (mask, last), pairs in labels.items():
            for clock, cost in pairs:
                if clock + back[last] <= v0.shift_end:
                    best[mask] = min(best[mask], cost + back[last])
                for j, s in enumerate(day):
                    if mask >> j & 1:
                        continue
                    begins = max(clock + to[last][j], s.window_start)
                    if begins <= s.window_end:
                        key = (mask | 1 << j, j)
                        pair = (begins + s.service_minutes, cost + to[last][j])
                        grown.setdefault(key, []).append(pair)
        labels = {}
        for key, pairs in grown.items():  # keep the (finish, cost) pairs not dominated
            pairs.sort()
            kept: list[tuple[int, int]] = []
            for pair in pairs:
                if not kept or pair[1] < kept[-1][1]:
                    kept.append(pair)
            labels[key] = kept
    full = (1 << n) - 1
    deliveries = sum(1 << j for j, s in enumerate(day) if not s.nurse_only)

    def spread(count: int, allowed: int) -> list[int]:
        """Least travel of ``count`` identical routes covering each subset of ``allowed``."""
        cover = [best[m] if m & ~allowed == 0 else inf for m in range(1 << n)]
        for _ in range(count - 1):
            more = cover[:]
            for m in range(1 << n):
                if m & ~allowed:
                    continue
                sub = m
                while sub:
                    more[m] = min(more[m], best[sub] + cover[m ^ sub])
                    sub = (sub - 1) & m
            cover = more
        return cover

    nurses = sum(v.is_nurse for v in fleet)
    drivers = len(fleet) - nurses
    by_nurses = spread(nurses, full) if nurses else [0] + [inf] * full
    by_drivers = spread(drivers, deliveries) if drivers else [0] + [inf] * full
    penalty = nurse if drivers else 0
    chosen: tuple[int, int] = (inf, inf)  # (objective, travel)
    sub = deliveries
    while True:
        rest = full ^ sub
        travel = by_drivers[sub] + by_nurses[rest]
        cost = travel + penalty * bin(rest & deliveries).count("1")
        chosen = min(chosen, (cost, travel))
        if sub == 0:
            break
        sub = (sub - 1) & deliveries
    return None if chosen[1] >= inf else chosen[1]


def saved(row: dict[str, Any], key: str = "booking_order_travel_minutes") -> float:
    return 1 - float(row["travel_minutes"]) / max(1, int(row[key]))


def table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'stops':>5} {'veh':>3} {'plan s':>7} {'travel':>7} {'booking':>8} {'shorter':>8} "
        f"{'missed':>6} {'unplaced':>8} {'bk missed':>9} {'any-carrier':>11} {'shorter':>8}"
        + (f" {'optimum':>8}" if any("optimum_travel_minutes" in r for r in rows) else "")
    )
    for r in rows:
        print(
            f"{r['stops']:>5} {r['vehicles']:>3} {r['plan_seconds']:>7.2f} "
            f"{r['travel_minutes']:>7} {r['booking_order_travel_minutes']:>8} "
            f"{saved(r):>8.0%} {r['windows_missed']:>6} {r['unplaced']:>8} "
            f"{r['booking_order_windows_missed']:>9} "
            f"{r['booking_order_any_carrier_travel_minutes']:>11} "
            f"{saved(r, 'booking_order_any_carrier_travel_minutes'):>8.0%}"
            + (f" {r['optimum_travel_minutes']!s:>8}" if "optimum_travel_minutes" in r else "")
        )


def goals(rows: list[dict[str, Any]]) -> list[str]:
    failures = []
    for r in rows:
        name = f"{r['stops']} stops"
        if r["plan_seconds"] >= 10:
            failures.append(f"{name}: planning took {r['plan_seconds']} s (goal < 10 s)")
        if saved(r) < 0.20:
            failures.append(f"{name}: travel only {saved(r):.0%} shorter (goal >= 20%)")
        if r["windows_missed"] or r["unplaced"]:
            failures.append(f"{name}: {r['windows_missed']} missed, {r['unplaced']} unplaced")
    return failures


def spread(sizes: tuple[tuple[int, int], ...], seeds: int, seconds: float, nurse: int) -> None:
    """Each size over ``seeds`` days: how much shorter than booking order, windows missed and
    stops left unplaced (some generated 30- and 60-stop days hold more nursing than the
    nurses' windows allow: a longer search places no more of them)."""
    print(f"\n{seeds} days of each size (seeds 1-{seeds}), the app's defaults:")
    print(
        f"{'stops':>5} {'min':>5} {'median':>7} {'max':>5} {'days < 20%':>10} {'missed':>6} "
        f"{'unplaced':>8}"
    )
    for stops, vehicles in sizes:
        rows = [run_day(stops, vehicles, k, seconds, nurse) for k in range(1, seeds + 1)]
        cut = sorted(saved(r) for r in rows)
        print(
            f"{stops:>5} {cut[0]:>5.0%} {statistics.median(cut):>7.0%} {cut[-1]:>5.0%} "
            f"{sum(c < 0.20 for c in cut):>10} "
            f"{sum(r['windows_missed'] for r in rows):>6} {sum(r['unplaced'] for r in rows):>8}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="the 12-stop day (smoke check)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", type=int, default=0, help="also this many days per size")
    parser.add_argument("--exact", action="store_true", help="the 12-stop day's optimum too")
    parser.add_argument(
        "--seconds",
        type=float,
        default=DEFAULT_TIME_LIMIT_SECONDS,
        help=f"search time per day (the app's default: {DEFAULT_TIME_LIMIT_SECONDS} s)",
    )
    parser.add_argument(
        "--nurse-delivery-minutes",
        type=int,
        default=DEFAULT_NURSE_DELIVERY_MINUTES,
        help="minutes a delivery counts on a nurse's route (the app's default: "
        f"{DEFAULT_NURSE_DELIVERY_MINUTES}; 0: least driving)",
    )
    args = parser.parse_args()
    sizes = SIZES[:1] if args.quick else SIZES
    nurse = args.nurse_delivery_minutes
    rows = [
        run_day(s, v, args.seed, args.seconds, nurse, exact=args.exact and s <= 14)
        for s, v in sizes
    ]
    print(f"Search {args.seconds:g} s a day, nurse delivery minutes {nurse} (headline):")
    table(rows)
    least: list[dict[str, Any]] = []
    if nurse and not args.quick:
        least = [
            run_day(s, v, args.seed, args.seconds, 0, exact=args.exact and s <= 14)
            for s, v in sizes
        ]
        print("\nFor comparison, least driving (nurse delivery minutes 0):")
        table(least)
    if args.seeds:
        spread(sizes, args.seeds, args.seconds, nurse)
    failures = goals(rows)
    print("goals met" if not failures else "goals missed:\n  " + "\n  ".join(failures))
    settings = {"search_seconds": args.seconds, "nurse_delivery_minutes": nurse}
    out: dict[str, Any] = {"days": rows, "settings": settings}
    if least:
        out["least_driving"] = least
    print(json.dumps(out))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
