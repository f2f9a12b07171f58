"""Benchmark: patient search and chart pages over 100,000 synthetic patients.

Loads the patients into the database named by DATABASE_URL (SQLite by default: a throw-away
file under bench/.data/), then times the search page and the chart page through Django's test
client — the whole request: middleware, session, query, template. Prints a table and, as the
last line, one JSON object (see shared/bench/BENCH_OUTPUT.md).

    .venv/bin/python bench/patients.py            # 100,000 patients
    .venv/bin/python bench/patients.py --quick    # 10,000 patients, fewer requests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench \
        .venv/bin/python bench/patients.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"


def _setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'patients-bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _load(count: int) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from chairside.demo.names import FIRST_FEMALE, FIRST_MALE, LAST
    from chairside.patients.models import BodyMeasurement, Patient
    from chairside.tenancy.models import Membership, Organization

    org, _ = Organization.objects.get_or_create(
        name="Bench Infusion", defaults={"kind": "practice"}
    )
    user, created = get_user_model().objects.get_or_create(username="bench-admin")
    if created:
        user.set_password("bench-only-password")
        user.save()
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "admin"})
    have = Patient.objects.filter(organization=org).count()
    rng = random.Random(42)
    batch: list[Patient] = []
    for n in range(have, count):
        sex = rng.choice("FM")
        p = Patient(
            organization=org,
            mrn=f"B{n:07d}",
            sex=sex,
            first_name=rng.choice(FIRST_FEMALE if sex == "F" else FIRST_MALE),
            last_name=rng.choice(LAST),
            date_of_birth=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 29000)),
            phone=f"555{rng.randint(1000000, 9999999)}",
        )
        # bulk_create skips save(), so fill the search keys the way save() would.
        p.last_name_key, p.first_name_key, p.phone_digits = _keys(p)
        batch.append(p)
        if len(batch) == 5000:
            _flush(batch, rng, BodyMeasurement)
            batch = []
    if batch:
        _flush(batch, rng, BodyMeasurement)
    return org, user


def _keys(p: object) -> tuple[str, str, str]:
    from chairside.patients.models import search_key

    return search_key(p.last_name), search_key(p.first_name), p.phone  # type: ignore[attr-defined]


def _flush(batch: list[Any], rng: random.Random, measurement_model: Any) -> None:
    from chairside.patients.models import Patient

    created = Patient.objects.bulk_create(batch)
    if not all(p.pk for p in created):  # SQLite before RETURNING support
        created = list(Patient.objects.filter(mrn__in=[p.mrn for p in batch]))
    measurement_model.objects.bulk_create(
        measurement_model(
            patient=p, measured_on=dt.date(2026, 10, 1), weight_kg=Decimal(rng.randint(45, 130))
        )
        for p in created
    )


def _time(client: object, urls: list[str]) -> list[float]:
    timings = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 patients and fewer requests")
    parser.add_argument("--patients", type=int, default=None)
    args = parser.parse_args()
    count = args.patients or (10_000 if args.quick else 100_000)
    requests = 100 if args.quick else 300
    _setup_django()
    from django.db import connection

    from chairside.demo.names import LAST
    from chairside.patients.models import Patient

    started = time.perf_counter()
    org, user = _load(count)
    load_seconds = time.perf_counter() - started
    from tests import factories as f

    # An administrator must pass the second factor: log in as the tests do, code given.
    if not user.totpdevice_set.filter(confirmed=True).exists():
        f.give_authenticator(user)
    client = f.login(user)
    rng = random.Random(7)
    terms = [rng.choice(LAST)[: rng.randint(2, 5)] for _ in range(requests // 2)]
    terms += [f"{rng.choice(LAST)}, {rng.choice('ABCDJMS')}" for _ in range(requests // 4)]
    terms += [f"B{rng.randint(0, count - 1):07d}" for _ in range(requests - len(terms))]
    ids = list(
        Patient.objects.filter(organization=org).values_list("public_id", flat=True)[
            :: max(1, count // requests)
        ]
    )
    _time(client, ["/patients/?q=smith", f"/patients/{ids[0]}/"])  # warm caches once
    search = _time(client, [f"/patients/?q={t}" for t in terms])
    chart = _time(client, [f"/patients/{pid}/" for pid in ids[:requests]])
    result = {
        "db": connection.vendor if connection.vendor != "postgresql" else "postgresql",
        "patients": count,
        "search_p50_ms": _pct(search, 0.5),
        "search_p95_ms": _pct(search, 0.95),
        "chart_p50_ms": _pct(chart, 0.5),
        "chart_p95_ms": _pct(chart, 0.95),
    }
    print(f"patients loaded: {count:,} on {connection.vendor} (load {load_seconds:.1f} s)")
    print(f"{'page':<8}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}")
    print(
        f"{'search':<8}{len(search):>10}{result['search_p50_ms']:>10}{result['search_p95_ms']:>10}"
    )
    print(f"{'chart':<8}{len(chart):>10}{result['chart_p50_ms']:>10}{result['chart_p95_ms']:>10}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
