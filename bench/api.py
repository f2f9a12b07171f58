"""Benchmark: the REST API (/api/v1) and the FHIR R4 facade (/fhir/r4) under 20 clients.

Loads synthetic patients (each with a coverage) into the database named by DATABASE_URL
(SQLite by default: a throw-away file under bench/.data/), makes a service API token, starts
gunicorn on a free loopback port, and lets 20 client threads (urllib, one request after the
other each) call a mix of searches and reads with the token for 60 seconds:

    REST  GET /api/v1/patients?q=<name>          GET /api/v1/patients/<id>
    FHIR  GET /fhir/r4/Patient?name=<name>       GET /fhir/r4/Patient/<id>
          GET /fhir/r4/Coverage?patient=<id>

Every call is scoped, permission-checked and audited as in production (each read writes its
audit row). Prints a table and, as the last line, one JSON object (shared/bench/BENCH_OUTPUT.md).
It sends traffic to 127.0.0.1 only and stops the server it started.

    .venv/bin/python bench/api.py               # 2,000 patients, 20 clients, 60 s
    .venv/bin/python bench/api.py --quick       # 10 s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench .venv/bin/python bench/api.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
PASSWORD = "bench-only-password"  # noqa: S105  (a throw-away bench user)


def _setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'api-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _load(count: int) -> tuple[str, list[tuple[str, str]]]:
    """The patients (public id, last name) and a service token's text."""
    from django.contrib.auth import get_user_model

    from chairside.api import tokens
    from chairside.demo.names import FIRST_FEMALE, LAST
    from chairside.patients.models import Coverage, Patient, Payer, search_key
    from chairside.tenancy.models import Membership, Organization

    org, _ = Organization.objects.get_or_create(
        name="API Bench Infusion", defaults={"kind": "practice"}
    )
    admin, created = get_user_model().objects.get_or_create(username="api-bench-admin")
    if created:
        admin.set_password(PASSWORD)
        admin.save()
    Membership.objects.get_or_create(user=admin, organization=org, defaults={"role": "admin"})
    payer, _ = Payer.objects.get_or_create(
        organization=org, name="Bench Health (demo)", defaults={"kind": "commercial"}
    )
    rng = random.Random(19)
    have = Patient.objects.filter(organization=org).count()
    fresh = []
    for n in range(have, count):
        p = Patient(
            organization=org,
            mrn=f"API{n:06d}",
            sex="F",
            first_name=rng.choice(FIRST_FEMALE),
            last_name=rng.choice(LAST),
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 29000)),
        )
        p.last_name_key, p.first_name_key = search_key(p.last_name), search_key(p.first_name)
        fresh.append(p)
    Patient.objects.bulk_create(fresh, batch_size=1000)
    without = Patient.objects.filter(organization=org, coverages__isnull=True)
    Coverage.objects.bulk_create(
        [
            Coverage(
                patient=p,
                payer=payer,
                member_id=f"M{p.pk:08d}",
                order=1,
                effective_from=dt.date(2026, 1, 1),
            )
            for p in without
        ],
        batch_size=1000,
    )
    _, text = tokens.token_create_service(
        organization=org,
        user=admin,
        name="API bench",
        role="coordinator",
        expires_in_days=30,
        password=PASSWORD,
    )
    people = list(
        Patient.objects.filter(organization=org).values_list("public_id", "last_name")[:count]
    )
    return text, [(str(pid), last) for pid, last in people]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOG_REQUESTS": "false", "LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "chairside.wsgi",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/fhir/r4/metadata", timeout=10)  # noqa: S310
            return server
        except OSError:  # refused while starting, or slow to answer the first call
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def _calls(people: list[tuple[str, str]], rng: random.Random) -> tuple[str, str]:
    pid, last = rng.choice(people)
    prefix = last[:4]
    return rng.choice(
        [
            ("rest", f"/api/v1/patients?q={prefix}&limit=20"),
            ("rest", f"/api/v1/patients/{pid}"),
            ("fhir", f"/fhir/r4/Patient?name={prefix}&_count=20"),
            ("fhir", f"/fhir/r4/Patient/{pid}"),
            ("fhir", f"/fhir/r4/Coverage?patient={pid}"),
        ]
    )


def _client(
    base: str,
    *,
    token: str,
    people: list[tuple[str, str]],
    stop_at: float,
    seed: int,
    results: list[tuple[str, float, int]],
) -> None:
    rng = random.Random(seed)
    found: list[tuple[str, float, int]] = []
    while time.monotonic() < stop_at:
        api, path = _calls(people, rng)
        request = urllib.request.Request(  # noqa: S310 (loopback only)
            base + path, headers={"Authorization": f"Bearer {token}"}
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:  # no answer (refused, reset, timed out): counted as a server error
            status = 599
        found.append((api, (time.perf_counter() - started) * 1000, status))
    results.extend(found)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 seconds instead of 60")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    seconds = args.seconds or (10 if args.quick else 60)
    _setup_django()
    token, people = _load(args.patients)
    from django.db import connection

    db = connection.vendor
    connection.close()  # the server's workers open their own
    port = _free_port()
    server = _start_server(port, args.workers)
    results: list[tuple[str, float, int]] = []
    try:
        stop_at = time.monotonic() + seconds
        threads = [
            threading.Thread(
                target=_client,
                args=(f"http://127.0.0.1:{port}",),
                kwargs={
                    "token": token,
                    "people": people,
                    "stop_at": stop_at,
                    "seed": n,
                    "results": results,
                },
            )
            for n in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures: dict[str, Any] = {"db": db, "clients": args.clients, "seconds": round(elapsed, 1)}
    print(
        f"{args.clients} clients, {elapsed:.0f} s, {db}, "
        f"{args.workers} gunicorn workers x 4 threads"
    )
    print(f"{'':6} {'requests':>9} {'5xx':>5} {'4xx':>5} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}")
    for api in ("rest", "fhir", "all"):
        rows = [r for r in results if api in ("all", r[0])]
        times = [ms for _, ms, _ in rows]
        part = {
            "requests": len(rows),
            "errors_5xx": sum(1 for *_, s in rows if s >= 500),
            "errors_4xx": sum(1 for *_, s in rows if 400 <= s < 500),
            "p50_ms": _pct(times, 0.5),
            "p95_ms": _pct(times, 0.95),
            "requests_per_second": round(len(rows) / elapsed, 1),
        }
        print(
            f"{api:6} {part['requests']:>9} {part['errors_5xx']:>5} {part['errors_4xx']:>5} "
            f"{part['p50_ms']:>8} {part['p95_ms']:>8} {part['requests_per_second']:>7}"
        )
        if api == "all":
            figures.update(part)
        else:
            figures[api] = part
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
