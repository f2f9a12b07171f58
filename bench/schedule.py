"""Benchmark the day-schedule optimizer against the first-fit baseline.

Generates seeded days at 8, 24 and 42 chairs (and runs the example instances beside
the shared bench notes when they are there), schedules each with first-fit and with the
optimizer, checks both answers, prints a table, and ends with one JSON line in the form
of ``BENCH_OUTPUT.md``.

    .venv/bin/python bench/schedule.py            # 8, 24, 42 chairs and the examples, 30 s each
    .venv/bin/python bench/schedule.py --quick    # 8 chairs, 10 s: a smoke check
    .venv/bin/python bench/schedule.py --seed 7   # days neither first-fit nor we tuned on
    .venv/bin/python bench/schedule.py --reference  # also a 240-s run per day (not in CI)

Every answer reports ``nurse_peak`` (most patients one nurse has at once) and the
optimizer's proven bounds on placed and peak, with the gap (``docs/SCHEDULE_FORMAT.md``).

Each row is checked against the issue's targets: at least as many placed as first-fit and
every appointment that can be placed (the most that fit the day together, found by CP-SAT
outside the timed run), a peak at least 20% below first-fit's (unless that is under the
day's lower bound, which no schedule can beat), within the time limit. A missed target is
named at the end and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.sim.day_generator import generate_day  # noqa: E402
from chairside.rules.scheduling.first_fit import first_fit  # noqa: E402
from chairside.rules.scheduling.optimizer import build_model, solve  # noqa: E402
from chairside.rules.scheduling.schedule_model import (  # noqa: E402
    Answer,
    Instance,
    Objective,
    check_answer,
    load_instance,
    lower_bound_peak,
    placeable_alone,
)

# The examples live beside the architecture notes, one level above the project.
EXAMPLES = ROOT.parent / "shared" / "bench"


def days(quick: bool, seed: int) -> list[tuple[str, Instance]]:
    """The days to schedule, each with a name for the table."""
    sizes = (8,) if quick else (8, 24, 42)
    found = [(f"generated {c} chairs", generate_day(c, seed=seed + c)) for c in sizes]
    if not quick:
        for name in ("example-small", "example-day"):
            path = EXAMPLES / f"{name}.json"
            if path.exists():
                found.append((name, load_instance(str(path))))
    return found


def figures(objective: Objective) -> dict[str, int | None]:
    return {
        "scheduled": objective.scheduled,
        "peak_patients": objective.peak_patients,
        "nurse_peak": objective.nurse_peak,
        "hands_on_spread_minutes": objective.hands_on_spread_minutes,
        "preference_deviation_minutes": objective.preference_deviation_minutes,
    }


def solved(instance: Instance, time_limit: float) -> dict[str, Any]:
    """The optimizer's figures, its bounds and gaps, and its wall time."""
    started = time.perf_counter()
    answer: Answer = solve(instance, time_limit_s=time_limit)
    seconds = time.perf_counter() - started
    problems = check_answer(instance, answer)
    if problems:
        raise SystemExit(f"optimizer broke the rules: {problems[:3]}")
    row: dict[str, Any] = {**figures(answer.objective), "solve_seconds": round(seconds, 2)}
    if answer.bounds is not None:
        row["bound_scheduled"] = answer.bounds.scheduled
        row["bound_peak"] = answer.bounds.peak_patients
        row["gap_scheduled"] = answer.bounds.scheduled - answer.objective.scheduled
        row["gap_peak"] = answer.objective.peak_patients - answer.bounds.peak_patients
    return row


def most_placeable(instance: Instance, seconds: float = 20.0) -> tuple[int, bool]:
    """Most appointments that fit the day together (not each alone): CP-SAT maximising the
    number placed on the whole-day model, outside the optimizer's timed run. Returns the
    solver's upper bound and whether it proved it (if not, the target it sets is a ceiling
    that may not be reachable)."""
    from ortools.sat.python import cp_model

    m = build_model(instance)
    m.model.maximize(m.placed())
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return placeable_alone(instance), False
    return int(solver.best_objective_bound), status == cp_model.OPTIMAL


def _lower_bound_for(instance: Instance, placed: int) -> int:
    """A peak no schedule placing ``placed`` appointments can beat: the shortest ``placed``
    durations over the opening minutes, rounded up (sound for any subset of that size)."""
    shortest = sorted(a.duration for a in instance.appointments)[:placed]
    return math.ceil(sum(shortest) / instance.opening_minutes())


def run_day(instance: Instance, time_limit: float, reference: float | None) -> dict[str, Any]:
    """First-fit and the optimizer (and the reference run) on one day, checked."""
    baseline = first_fit(instance)
    optimizer = solved(instance, time_limit)
    together, proven = most_placeable(instance)
    problems = check_answer(instance, baseline)
    if problems:
        raise SystemExit(f"first-fit broke the rules: {problems[:3]}")
    row = {
        "chairs": len(instance.chairs),
        "appointments": len(instance.appointments),
        "lower_bound_peak": lower_bound_peak(instance),
        "lower_bound_placed": _lower_bound_for(instance, optimizer["scheduled"]),
        "placeable": placeable_alone(instance),
        "placeable_together": together,
        "placeable_together_proven": proven,
        "first_fit": figures(baseline.objective),
        "optimizer": optimizer,
    }
    if reference is not None:
        row["reference"] = solved(instance, reference)
    return row


REFERENCE_SECONDS = 240.0
PEAK_CUT = 0.20  # the optimizer's peak must be at least this far below first-fit's


def missed_targets(row: dict[str, Any], time_limit: float) -> list[str]:
    """The issue's targets this day misses (empty when it meets them all)."""
    ff, opt = row["first_fit"], row["optimizer"]
    missed = []
    if opt["scheduled"] < max(ff["scheduled"], row["placeable_together"]):
        missed.append(f"placed {opt['scheduled']} of {row['placeable_together']} placeable")
    wanted = math.floor(ff["peak_patients"] * (1 - PEAK_CUT))
    if opt["peak_patients"] > wanted:
        if wanted < row["lower_bound_placed"]:
            # No schedule placing that many can go below this bound: out of reach that day.
            row["unreachable"] = (
                f"a peak of {wanted} (20% below {ff['peak_patients']}) is under the lower "
                f"bound {row['lower_bound_placed']} for {opt['scheduled']} placed"
            )
        else:
            missed.append(f"peak {opt['peak_patients']} not 20% below {ff['peak_patients']}")
    if opt["solve_seconds"] > time_limit:
        missed.append(f"{opt['solve_seconds']} s over {time_limit:g} s")
    return missed


def print_table(rows: list[tuple[str, dict[str, Any]]]) -> None:
    head = (
        f"{'day':<22}{'chairs':>7}{'appts':>6}{'able':>5}{'LB':>4} | "
        f"{'first-fit sched/peak/dev':>25} | {'optimizer sched/peak/dev':>25}{'secs':>7} | "
        f"{'peak':>6} {'targets':<8}"
    )
    print(head)
    print("-" * len(head))
    for name, row in rows:
        ff, opt = row["first_fit"], row["optimizer"]
        change = opt["peak_patients"] / ff["peak_patients"] - 1 if ff["peak_patients"] else 0.0
        print(
            f"{name:<22}{row['chairs']:>7}{row['appointments']:>6}"
            f"{row['placeable_together']:>4}{'' if row['placeable_together_proven'] else '*':1}"
            f"{row['lower_bound_peak']:>4} | "
            f"{ff['scheduled']:>9}/{ff['peak_patients']:>4}/{ff['preference_deviation_minutes']:>6}"
            f"     | {opt['scheduled']:>9}/{opt['peak_patients']:>4}/"
            f"{opt['preference_deviation_minutes']:>6}     {opt['solve_seconds']:>7.1f} | "
            f"{change:>+6.0%} {_verdict(row):<8}"
        )
    print(
        "able = most placeable together (CP-SAT, * = not proven); LB = lower bound on the "
        "peak; dev = minutes; n/a = the 20% cut is under the lower bound"
    )
    print()
    print(
        f"{'day':<22} {'run':<10} {'placed':>6} {'≤bound':>6} {'peak':>5} {'≥bound':>6} "
        f"{'nurse peak':>10} {'spread':>6} {'secs':>6}"
    )
    for name, row in rows:
        ff = row["first_fit"]
        print(
            f"{name:<22} {'first-fit':<10} {ff['scheduled']:>6} {'':>6} "
            f"{ff['peak_patients']:>5} {'':>6} {ff['nurse_peak']:>10} "
            f"{ff['hands_on_spread_minutes']:>6}"
        )
        for who in ("optimizer", "reference"):
            if who in row:
                r = row[who]
                print(
                    f"{name:<22} {who:<10} {r['scheduled']:>6} {r.get('bound_scheduled', ''):>6} "
                    f"{r['peak_patients']:>5} {r.get('bound_peak', ''):>6} {r['nurse_peak']:>10} "
                    f"{r['hands_on_spread_minutes']:>6} {r['solve_seconds']:>6.1f}"
                )


def _verdict(row: dict[str, Any]) -> str:
    if row["missed"]:
        return "MISSED"
    return "met, n/a" if row.get("unreachable") else "met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 chairs, 10 s: under a minute")
    parser.add_argument("--time-limit", type=float, help="seconds per day (30; 10 with --quick)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated days")
    parser.add_argument(
        "--reference", action="store_true", help="also a 240-s run per day (slow: not in CI)"
    )
    args = parser.parse_args()
    reference = REFERENCE_SECONDS if args.reference else None
    time_limit = args.time_limit or (10.0 if args.quick else 30.0)
    rows = []
    for name, instance in days(args.quick, args.seed):
        row = run_day(instance, time_limit, reference)
        row["missed"] = missed_targets(row, time_limit)
        rows.append((name, row))
        print(f"  {name}: done", file=sys.stderr, flush=True)
    print_table(rows)
    misses = [f"{name}: {', '.join(row['missed'])}" for name, row in rows if row["missed"]]
    for miss in misses:
        print(f"target missed, {miss}", file=sys.stderr)
    for name, row in rows:
        if row.get("unreachable"):
            print(f"out of reach, {name}: {row['unreachable']}", file=sys.stderr)
    print(json.dumps({"seed": args.seed, "days": [row for _, row in rows]}))
    if misses:
        sys.exit(1)


if __name__ == "__main__":
    main()
