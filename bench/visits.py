"""Benchmark: the chair-side visit — documenting, signing, and the step pages.

Builds checked-in infliximab visits in the database named by DATABASE_URL (SQLite by default:
a throw-away file under bench/.data/), walks each through the visit services, and times:
signing (locks the visit, records the waste, uses the authorization, completes the
appointment, renders the report PDF with WeasyPrint and derives the charges), the check-in
page and a one-field save through Django's test client (the whole request), and a report PDF
rendered again from its data. The clock is set to a weekday noon so the visit times are real.
Prints a table and, as the last line, one JSON object (see shared/bench/BENCH_OUTPUT.md).

    .venv/bin/python bench/visits.py            # 40 signed visits, 40 page requests each
    .venv/bin/python bench/visits.py --quick    # 8 visits
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench .venv/bin/python bench/visits.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"


def _setup_django() -> str:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / "visits-bench.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"


def _ms(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)


Sample = tuple[float, float]  # (wall seconds, CPU seconds): the machine may be busy


def _timed(call: Callable[[], Any]) -> Sample:
    start, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - start, time.process_time() - cpu


def _center(count: int) -> dict[str, Any]:
    from chairside.treatments.tests import factories as tf
    from tests import factories as f

    org = f.make_org(f"Bench Visits {time.time_ns()}")
    location = f.make_location(org, chairs=count)
    user = f.make_user(org, "nurse")
    nurse = tf.make_staff(org, "RN", user=user, first_name="Jordan", last_name="Blake")
    drug = tf.make_drug(org)
    lot = tf.make_lot(location, drug, vials=count * 4 * 2 + 10, user=user)
    appointments = []
    for n in range(count):
        patient = f.make_patient(org, last_name=f"Bench{n:04d}", weight_kg="70.0")
        order = tf.make_order(patient, drug, location=location)
        appointment = tf.make_appointment(order, location, start=tf.at("09:00"), nurse=nurse)
        appointment.chair = location.chairs.order_by("sort_order")[n]
        appointment.save(update_fields=["chair"])
        appointments.append(appointment)
    return {
        "org": org,
        "user": user,
        "nurse": nurse,
        "second": tf.make_staff(org, "RN", first_name="Maria", last_name="Santos"),
        "physician": tf.make_staff(org, "MD", first_name="Elena", last_name="Marsh"),
        "lot": lot,
        "appointments": appointments,
    }


def _ready(center: dict[str, Any], appointment: Any) -> Any:
    from chairside.treatments import services
    from chairside.treatments.tests import factories as tf

    user = center["user"]
    visit = services.visit_start(appointment=appointment, user=user)
    visit = tf.do_checks(visit, user)
    tf.do_preparation(
        visit, user, center["lot"], checker=center["second"], preparer=center["nurse"]
    )
    tf.do_administration(visit, user)
    tf.do_discharge(visit, user, provider=center["physician"])
    visit.refresh_from_db()
    return visit


def run(count: int, requests: int) -> dict[str, list[Sample]]:
    from django.test import Client
    from django.urls import reverse

    from chairside.treatments import services
    from chairside.treatments.services.reports import render_pdf

    center = _center(count * 2)
    user = center["user"]
    document: list[Sample] = []
    sign: list[Sample] = []
    signed: list[Any] = []
    for appointment in center["appointments"][:count]:
        document.append(_timed(partial(lambda a: signed.append(_ready(center, a)), appointment)))
        sign.append(_timed(partial(services.visit_sign, visit=signed[-1], user=user)))
    open_visits = [
        services.visit_start(appointment=a, user=user) for a in center["appointments"][count:]
    ]
    client = Client()
    client.force_login(user)
    page: list[Sample] = []
    save: list[Sample] = []
    for n in range(requests):
        visit = open_visits[n % len(open_visits)]
        page.append(
            _timed(partial(client.get, reverse("treatments:checks", args=[visit.public_id])))
        )
        form = {"weight": f"{70 + n % 5}.0", "weight_unit": "kg", "_field": "weight"}
        url = reverse("treatments:checks_save", args=[visit.public_id])
        save.append(_timed(partial(client.post, url, form)))
    pdf = [_timed(partial(render_pdf, v.reports.get().data)) for v in signed]
    return {"document": document, "sign": sign, "page": page, "save": save, "pdf": pdf}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 visits, 16 page requests")
    args = parser.parse_args()
    db = _setup_django()
    import time_machine

    from chairside.treatments.tests import factories as tf

    count, requests = (8, 16) if args.quick else (40, 40)
    with time_machine.travel(dt.datetime(2026, 12, 8, 12, 30, tzinfo=tf.TZ), tick=True):
        times = run(count, requests)
    figures: dict[str, Any] = {"db": db, "visits": count}
    rows = [
        ("document one visit (services)", "document"),
        ("sign (waste, authorization, appointment, PDF, charges)", "sign"),
        ("check-in page (GET, whole request)", "page"),
        ("save one field (htmx POST, whole request)", "save"),
        ("render a report PDF again", "pdf"),
    ]
    keys = {
        "document": "document",
        "sign": "sign",
        "page": "checks_page",
        "save": "field_save",
        "pdf": "report_pdf",
    }
    print(f"{'':56} {'p50 ms':>9} {'p95 ms':>9} {'CPU p50':>9} {'CPU p95':>9}   n")
    for label, key in rows:
        p50, p95 = _ms([wall for wall, _ in times[key]])
        cpu50, cpu95 = _ms([cpu for _, cpu in times[key]])
        name = keys[key]
        figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = p50, p95
        figures[f"{name}_cpu_p50_ms"], figures[f"{name}_cpu_p95_ms"] = cpu50, cpu95
        n = len(times[key])
        print(f"{label:56} {p50:9.1f} {p95:9.1f} {cpu50:9.1f} {cpu95:9.1f} {n:4d}")
    print(f"database: {db}; load average {os.getloadavg()[0]:.1f}; {Decimal(count)} visits signed")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
