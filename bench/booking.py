"""Benchmark: the booking service, find-a-slot, series booking and 'Optimize this day'.

Builds a bench center in the database named by DATABASE_URL (SQLite by default: a throw-away
file under bench/.data/): one site with 10 chairs open 07:00–19:00, three staggered nurse
shifts at 1:4 every day, patients with infusion orders of 30 to 240 minutes. Then times, on
days from next Monday:

* ``appointment_book`` at the start ``find_slots`` offers (every rule checked each time);
* ``find_slots`` for an order over 21 days;
* ``series_propose`` + ``series_book`` of a 5-dose infliximab course;
* a crowded day booked front-desk style (each patient at the free start nearest a
  mid-morning wish), then ``day_optimize_propose`` (10 s limit) and ``day_optimize_apply``:
  the peak of patients in chairs before and after.

Prints a table and, as the last line, one JSON object (shared/bench/BENCH_OUTPUT.md).

    .venv/bin/python bench/booking.py            # 120 bookings, a 36-appointment day
    .venv/bin/python bench/booking.py --quick    # 30 bookings, a 24-appointment day, 3 s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench \
        .venv/bin/python bench/booking.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
# (drug, minutes, share of the center's visits): short visits are the common ones.
MIX = [("iron", 30, 4), ("vedolizumab", 60, 3), ("infliximab", 120, 4), ("ocrelizumab", 240, 1)]


def _setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / "booking-bench.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _center(monday: dt.date, days: int) -> dict[str, Any]:
    from chairside.scheduling.tests import factories as sf
    from tests import factories as f

    org = f.make_org(f"Booking Bench {time.time_ns()}")
    location = f.make_location(org, name="Bench site", chairs=10)
    user = f.make_user(org, "coordinator", username=f"bench{time.time_ns()}")
    nurses = [sf.make_nurse(org, "Nurse", name) for name in ("Early", "Middle", "Late")]
    for offset in range(days):
        day = monday + dt.timedelta(days=offset)
        for nurse, (start, end) in zip(
            nurses, [("07:00", "15:30"), ("09:00", "17:30"), ("10:30", "19:00")], strict=True
        ):
            sf.make_shift(nurse, location, day=day, starts=start, ends=end)
    drugs = {
        name: sf.make_drug(
            org,
            key=name,
            generic_name=name,
            first_infusion_minutes=minutes,
            subsequent_infusion_minutes=minutes,
        )
        for name, minutes, _ in MIX
    }
    return {"org": org, "location": location, "user": user, "drugs": drugs}


def _order(center: dict[str, Any], rng: random.Random, first: dt.date) -> Any:
    from chairside.scheduling.tests import factories as sf
    from tests import factories as f

    name = rng.choices([m[0] for m in MIX], weights=[m[2] for m in MIX])[0]
    patient = f.make_patient(center["org"], weight_kg="70.0")
    return sf.make_order(
        patient,
        drug=center["drugs"][name],
        location=center["location"],
        first_dose_on=first,
        signed_on=dt.date.today(),  # noqa: DTZ011 (a calendar date for the order)
        expires_on=dt.date.today() + dt.timedelta(days=365),  # noqa: DTZ011
    )


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)


def _bookings(center: dict[str, Any], monday: dt.date, count: int) -> dict[str, Any]:
    from chairside.scheduling import services, slots

    rng = random.Random(7)
    find_times, book_times = [], []
    for n in range(count):
        day = monday + dt.timedelta(days=1 + n % 4)
        order = _order(center, rng, day)
        started = time.perf_counter()
        found = slots.find_slots(order=order, location=center["location"], from_date=day, days=21)
        find_times.append(time.perf_counter() - started)
        option = found.options[rng.randrange(len(found.options))]
        started = time.perf_counter()
        services.appointment_book(
            organization=center["org"],
            user=center["user"],
            order=order,
            chair=option.chair,
            start=option.start,
        )
        book_times.append(time.perf_counter() - started)
    find_p50, find_p95 = _ms(find_times)
    book_p50, book_p95 = _ms(book_times)
    return {
        "bookings": count,
        "book_p50_ms": book_p50,
        "book_p95_ms": book_p95,
        "find_slot_p50_ms": find_p50,
        "find_slot_p95_ms": find_p95,
    }


def _series(center: dict[str, Any], monday: dt.date, count: int) -> dict[str, Any]:
    from chairside.scheduling import services, slots

    rng = random.Random(11)
    seconds = []
    for _ in range(count):
        order = _order(center, rng, monday + dt.timedelta(days=rng.randint(0, 4)))
        order.drug = center["drugs"]["infliximab"]
        order.number_of_doses = 5
        order.save()
        started = time.perf_counter()
        doses = slots.series_propose(order=order, location=center["location"], at=dt.time(14))
        items = [
            services.SeriesItem(d.number, d.start, d.chair) for d in doses if d.bookable and d.chair
        ]
        services.series_book(
            organization=center["org"], user=center["user"], order=order, items=items
        )
        seconds.append(time.perf_counter() - started)
    p50, p95 = _ms(seconds)
    return {"series": count, "doses_each": 5, "series_p50_ms": p50, "series_p95_ms": p95}


def _front_desk_day(center: dict[str, Any], day: dt.date, count: int) -> int:
    from chairside.rules.scheduling.booking import free_starts
    from chairside.scheduling import services
    from chairside.scheduling.checks import SLOT, default_minutes, load_day

    rng = random.Random(23)
    location, booked = center["location"], 0
    for _ in range(count):
        order = _order(center, rng, day)
        minutes = default_minutes(order, 1)
        wish = dt.datetime.combine(day, dt.time(0), tzinfo=location.tz) + dt.timedelta(
            minutes=int(rng.gauss(9 * 60 + 45, 60)) // 15 * 15
        )
        data = load_day(location, day)
        starts = free_starts(data.rules, dt.timedelta(minutes=minutes), SLOT)
        slot = min(starts, key=lambda s: abs((s.start - wish).total_seconds()), default=None)
        if slot is None:
            continue
        services.appointment_book(
            organization=center["org"],
            user=center["user"],
            order=order,
            chair=data.chairs[slot.chair],
            start=slot.start,
            earliest_start=slot.start - dt.timedelta(hours=2),
            latest_end=slot.end + dt.timedelta(hours=3),
        )
        booked += 1
    return booked


def _optimize(center: dict[str, Any], day: dt.date, count: int, limit: float) -> dict[str, Any]:
    from chairside.scheduling import services
    from chairside.scheduling.selectors import day_board

    booked = _front_desk_day(center, day, count)
    started = time.perf_counter()
    proposal = services.day_optimize_propose(location=center["location"], day=day, time_limit=limit)
    propose_s = time.perf_counter() - started
    started = time.perf_counter()
    services.day_optimize_apply(
        location=center["location"],
        day=day,
        user=center["user"],
        proposal_fingerprint=proposal.fingerprint,
        changes=proposal.changes,
    )
    apply_s = time.perf_counter() - started
    after = day_board(location=center["location"], day=day)
    return {
        "appointments": booked,
        "peak_before": proposal.peak_before,
        "peak_after": proposal.peak_after,
        "peak_on_board_after_apply": after.peak,
        "moves": len(proposal.changes),
        "minutes_moved": proposal.deviation_minutes,
        "propose_seconds": round(propose_s, 2),
        "apply_seconds": round(apply_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run for CI")
    args = parser.parse_args()
    _setup_django()
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    center = _center(monday, days=28)
    bookings = _bookings(center, monday, 30 if args.quick else 120)
    series = _series(center, monday + dt.timedelta(days=7), 3 if args.quick else 10)
    day = monday + dt.timedelta(days=21)
    optimized = _optimize(center, day, 24 if args.quick else 36, 3.0 if args.quick else 10.0)
    result = {"db": connection.vendor, **bookings, **series, "optimize_day": optimized}
    print(f"{'database':<34}{connection.vendor}")
    for key, value in {**bookings, **series}.items():
        print(f"{key:<34}{value}")
    print("Optimize this day (front-desk booking, then the optimizer):")
    for key, value in optimized.items():
        print(f"  {key:<32}{value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
