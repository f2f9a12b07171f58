"""Benchmark: the Today page on the demo center, as the coordinator and the administrator.

Loads the demo center (``seeddemo``, idempotent) into the database named by DATABASE_URL
(SQLite by default: a file under bench/.data/, kept between runs), then requests ``/``
through Django's test client (the whole request: middleware, every card, the template) as
the coordinator and as the administrator (past the second factor), after one warm-up
request each, and prints p50/p95 per role, the SQL queries per request, and the time each
card provider takes. The last line is one JSON object (see shared/bench/BENCH_OUTPUT.md).
Wall-clock figures: on a busy machine they include waiting for the CPU (the CPU time is
printed beside them).

    .venv/bin/python bench/today.py            # 30 requests per role
    .venv/bin/python bench/today.py --quick    # 5 requests per role
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench .venv/bin/python bench/today.py
"""

from __future__ import annotations

import argparse
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
ROLES = ("coordinator", "admin")


def _setup_django() -> str:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'today-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("LOG_REQUESTS", "false")  # no JSON line per request on the console
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
    """A test client logged in as the demo user, past the second factor when they have one
    (as ``tests.factories.login`` does)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _providers(username: str) -> dict[str, float]:
    """Milliseconds each card provider takes for the user (one call each, after a warm-up)."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from chairside.tenancy import today as core_today
    from chairside.tenancy.models import Membership

    user = get_user_model().objects.get(username=username)
    membership = Membership.objects.select_related("organization").filter(user=user).first()
    request = RequestFactory().get("/")
    request.user = user
    request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    spent = {}
    for provider in core_today._PROVIDERS:
        provider(request)
        start = time.perf_counter()
        provider(request)
        spent[f"{provider.__module__}.{provider.__name__}"] = round(
            (time.perf_counter() - start) * 1000, 1
        )
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 requests per role, not 30")
    rounds = 5 if parser.parse_args().quick else 30
    db = _setup_django()
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    figures: dict[str, Any] = {"db": db, "requests": rounds}
    print(f"Today page, {rounds} requests per role, database {db}; load average {_load()}")
    print(f"{'role':<12} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50 ms':>11} {'queries':>8}")
    for role in ROLES:
        client = _client(role)
        response = client.get("/")  # warm-up: templates, caches, connections
        assert response.status_code == 200, (role, response.status_code)
        queries: list[str] = []

        def count(run: Any, sql: str, *args: Any, seen: list[str] = queries) -> Any:
            seen.append(sql)
            return run(sql, *args)

        with connection.execute_wrapper(count):
            client.get("/")
        wall, cpu = [], []
        for _ in range(rounds):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get("/")
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        figures[f"{role}_p50_ms"] = _p(wall, 0.5)
        figures[f"{role}_p95_ms"] = _p(wall, 0.95)
        figures[f"{role}_cpu_p50_ms"] = round(statistics.median(cpu), 1)
        figures[f"{role}_queries"] = len(queries)
        print(
            f"{role:<12} {figures[f'{role}_p50_ms']:>8} {figures[f'{role}_p95_ms']:>8} "
            f"{figures[f'{role}_cpu_p50_ms']:>11} {len(queries):>8}"
        )
    print("\nCard providers, ms (one call each, as the coordinator):")
    for name, ms in sorted(_providers("coordinator").items(), key=lambda kv: -kv[1]):
        print(f"  {ms:>7}  {name}")
    figures["load_average"] = _load()
    print(json.dumps(figures))


def _load() -> float:
    return round(os.getloadavg()[0], 2)


if __name__ == "__main__":
    main()
