"""Benchmark: patient-access work queues, the Today page and the booking rule on the demo center.

Loads the demo center (``seeddemo``, idempotent) into the database named by DATABASE_URL
(SQLite by default: a throw-away file under bench/.data/), then times each work queue's read,
the coordinator's Today page and an order page through Django's test client (the whole
request), and ``authorization_check`` for every active order. Prints a table and, as the last
line, one JSON object (see shared/bench/BENCH_OUTPUT.md).

    .venv/bin/python bench/access.py            # 30 rounds
    .venv/bin/python bench/access.py --quick    # 5 rounds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench .venv/bin/python bench/access.py
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"


def _setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'access-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def _ms(run: Callable[[], Any], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds instead of 30")
    rounds = 5 if parser.parse_args().quick else 30
    _setup_django()
    from io import StringIO

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from chairside.access.authorizations.queues import QUEUES
    from chairside.access.authorizations.services import authorization_check
    from chairside.access.referrals.models import TreatmentOrder
    from chairside.tenancy.models import Organization

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    call_command("seeddemo", "--quiet-logins", stdout=StringIO())
    org = Organization.objects.get(name="Riverside Infusion Partners")
    today = timezone.localdate()
    orders = list(TreatmentOrder.objects.filter(organization=org, status="active"))
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    order_url = f"/referrals/orders/{orders[0].public_id}/"

    queue_ms = {}
    print(f"{'queue':<18} {'rows':>5} {'p50 ms':>8}")
    for queue in QUEUES:
        rows = len(queue.rows(org, today))
        queue_ms[queue.key] = _p(_ms(functools.partial(queue.rows, org, today), rounds), 0.5)
        print(f"{queue.key:<18} {rows:>5} {queue_ms[queue.key]:>8}")
    today_page = _ms(lambda: client.get("/"), rounds)
    order_page = _ms(lambda: client.get(order_url), rounds)
    checks = [
        t
        for order in orders
        for t in _ms(functools.partial(authorization_check, order=order, on_date=today, units=1), 1)
    ]
    figures = {
        "db": connection.vendor,
        "active_orders": len(orders),
        "queue_p50_ms": queue_ms,
        "today_p50_ms": _p(today_page, 0.5),
        "today_p95_ms": _p(today_page, 0.95),
        "order_page_p50_ms": _p(order_page, 0.5),
        "order_page_p95_ms": _p(order_page, 0.95),
        "authorization_check_p50_ms": _p(checks, 0.5),
        "authorization_check_p95_ms": _p(checks, 0.95),
    }
    for label, key in (("Today page (all cards)", "today"), ("Order page", "order_page")):
        p50, p95 = figures[f"{key}_p50_ms"], figures[f"{key}_p95_ms"]
        print(f"{label:<23} p50 {p50} ms, p95 {p95} ms")
    print(
        f"authorization_check     p50 {figures['authorization_check_p50_ms']} ms, "
        f"p95 {figures['authorization_check_p95_ms']} ms over {len(checks)} active orders"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
