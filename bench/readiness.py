"""Benchmark: the readiness board (3 business days), a day board of 40 appointments and the
Today page on the demo center, as the coordinator.

Loads the demo center (``seeddemo``, idempotent) into the database named by DATABASE_URL
(SQLite by default: a file under bench/.data/, kept between runs), picks the busiest coming
weekday at one site for the day board and, when the demo books fewer than 40 appointments
there, tops that day up to 40 with extra bookings of existing demo orders in free chair
slots (bench data only, marked in their notes), then requests each page through Django's
test client (middleware, template, everything) after one warm-up, and prints p50/p95, the
CPU time and the SQL queries per request. The last line is one JSON object (see
shared/bench/BENCH_OUTPUT.md). Goals (issue 16): p95 under 150 ms for the Today page and
the day board, under 300 ms for the readiness board. Wall-clock figures include waiting
for the CPU on a busy machine (the CPU time is printed beside them).

    .venv/bin/python bench/readiness.py            # 30 requests per page
    .venv/bin/python bench/readiness.py --quick    # 5 requests per page
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench
    .venv/bin/python bench/readiness.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
DAY_BOARD_SIZE = 40
TOP_UP_NOTE = "bench/readiness.py top-up (not demo data)"
GOALS_MS = {"today": 150, "board": 150, "readiness": 300}


def _setup_django() -> str:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'readiness-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_REQUESTS", "false")
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seeddemo", "--quiet-logins", stdout=StringIO())
    return "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def _client(username: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _busiest_day() -> tuple[Any, dt.date, int]:
    """The coming weekday and site with the most live bookings."""
    from collections import Counter

    from django.utils import timezone

    from chairside.scheduling.models import Appointment

    today = timezone.localdate()
    counts: Counter[tuple[Any, dt.date]] = Counter()
    live = Appointment.objects.filter(
        start__date__gt=today,
        start__date__lte=today + dt.timedelta(days=28),
        status__in=("booked", "confirmed"),
    ).select_related("location")
    for a in live:
        day = a.start.astimezone(a.location.tz).date()
        if day.weekday() < 5:
            counts[(a.location, day)] += 1
    if not counts:
        raise SystemExit("The demo center has no coming bookings to measure.")
    (location, day), n = counts.most_common(1)[0]
    return location, day, n


def _top_up(location: Any, day: dt.date, have: int) -> int:
    """Book existing demo orders into free chair time that day until it holds 40."""
    from django.db.models import Max

    from chairside.access.referrals.models import TreatmentOrder
    from chairside.scheduling.models import Appointment

    wanted = DAY_BOARD_SIZE - have
    if wanted <= 0:
        return 0
    chairs = list(location.chairs.filter(is_active=True).order_by("sort_order"))
    low = dt.datetime.combine(day, dt.time(0), tzinfo=location.tz)
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for a in Appointment.objects.filter(location=location, start__lt=low + dt.timedelta(days=1)):
        if a.end > low:
            busy.setdefault(a.chair_id, []).append((a.start, a.end))
    orders = list(
        TreatmentOrder.objects.filter(organization=location.organization, status="active")
        .select_related("patient")
        .order_by("pk")
    )
    made = 0
    for hour in (7, 9, 11, 13, 15):
        for chair in chairs:
            start = dt.datetime.combine(day, dt.time(hour, 15), tzinfo=location.tz)
            end = start + dt.timedelta(minutes=105)
            clash = any(s < end and start < e for s, e in busy.get(chair.pk, []))
            if made >= wanted or clash or not orders:
                continue
            busy.setdefault(chair.pk, []).append((start, end))
            order = orders[made % len(orders)]
            last = Appointment.objects.filter(order=order).aggregate(n=Max("dose_number"))["n"]
            Appointment.objects.create(
                organization=location.organization,
                patient=order.patient,
                order=order,
                location=location,
                chair=chair,
                start=start,
                end=end,
                dose_number=max(900, (last or 0) + 1),  # never a real dose of the order
                status="booked",
                notes=TOP_UP_NOTE,
            )
            made += 1
    return made


def _measure(client: Any, url: str, rounds: int) -> dict[str, Any]:
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries: list[str] = []

    def count(run: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return run(sql, *args)

    with connection.execute_wrapper(count):
        client.get(url)
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    return {
        "p50": _p(wall, 0.5),
        "p95": _p(wall, 0.95),
        "cpu_p50": round(statistics.median(cpu), 1),
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 requests per page, not 30")
    rounds = 5 if parser.parse_args().quick else 30
    db = _setup_django()
    from django.conf import settings

    from chairside.scheduling.models import Appointment

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    location, day, booked = _busiest_day()
    added = _top_up(location, day, booked)
    on_board = Appointment.objects.filter(location=location, start__date=day).count()
    pages = {
        "today": "/",
        "board": f"/schedule/?location={location.public_id}&date={day.isoformat()}",
        "readiness": "/schedule/readiness/?days=3",
    }
    import chairside.wsgi  # noqa: F401  the server's entry: it freezes what start-up loaded

    client = _client("coordinator")
    figures: dict[str, Any] = {"db": db, "requests": rounds, "appointments": on_board}
    print(
        f"Readiness bench, {rounds} requests per page, database {db}; day board "
        f"{location.name} {day:%a %m/%d/%Y}: {on_board} appointments ({added} added by the "
        f"bench); load average {_load()}"
    )
    print(f"{'page':<10} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'queries':>8} {'goal':>6}")
    for name, url in pages.items():
        got = _measure(client, url, rounds)
        for key in ("p50", "p95", "cpu_p50", "queries"):
            figures[f"{name}_{key}" + ("_ms" if key != "queries" else "")] = got[key]
        ok = "ok" if got["p95"] < GOALS_MS[name] else "OVER"
        print(
            f"{name:<10} {got['p50']:>8} {got['p95']:>8} {got['cpu_p50']:>8} "
            f"{got['queries']:>8} {ok:>6}"
        )
    figures["load_average"] = _load()
    print(json.dumps(figures))


def _load() -> float:
    return round(os.getloadavg()[0], 2)


if __name__ == "__main__":
    main()
