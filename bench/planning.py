"""Benchmark: the capacity simulation and the Reports dashboard.

1. Simulates 1,000 days of a 20-chair center (day and late nurse shifts, five drugs with
   their label chair times, pharmacy preparation, no-shows) with the SimPy model in
   ``chairside.rules.planning.capacity_sim``, the days shared among the machine's cores.
2. Loads three years of benchmark data (patients, coverages, referrals with their state
   history, appointments when scheduling is installed, sites, chairs, nurses) into its
   own database, then renders the Reports dashboard through Django's test client (the whole
   request) for the full three years, each site, and a recent quarter; reports p50/p95.

Prints a table and, as the last line, one JSON object (see shared/bench/BENCH_OUTPUT.md).

    .venv/bin/python bench/planning.py            # 1,000 days; 3 years, 9,000 patients
    .venv/bin/python bench/planning.py --quick    # 100 days; 3 years, 900 patients
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench \
        .venv/bin/python bench/planning.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "bench" / ".data"
ORG_NAME = "Bench Planning Infusion (bench data)"  # its data is loaded once, then reused
YEARS = 3


def simulate_center(days: int) -> tuple[float, float, Any]:
    from chairside.rules.planning.capacity_sim import DayConfig, Shift, VisitType, simulate

    config = DayConfig(
        chairs=20,
        shifts=(Shift(7 * 60, 17 * 60, 5), Shift(10 * 60, 20 * 60, 2)),
        opens=7 * 60,
        closes=19 * 60,
        # Chair minutes: label infusion + observation + 25 min nurse start and discharge.
        visit_types=(
            VisitType("infliximab", 3, 145),
            VisitType("vedolizumab", 3, 55),
            VisitType("ocrelizumab", 1, 295),
            VisitType("natalizumab", 2, 145),
            VisitType("iron sucrose", 2, 70),
        ),
        patients_per_day=62,
        pharmacy_minutes=15,
        pharmacists=2,
        no_show_rate=0.06,
        nurse_ratio=4,
    )
    workers = max(1, min(4, os.cpu_count() or 1))
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    result = simulate(config, days, seed=2026, workers=workers)
    return time.perf_counter() - start, _cpu_seconds() - cpu_before, result


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the simulation's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _setup_django(quick: bool) -> None:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        name = "planning-bench-quick.sqlite3" if quick else "planning-bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chairside.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _sites(org: Any) -> list[Any]:
    from chairside.tenancy.models import Chair, Location, OpeningHours, StaffMember

    sites = []
    for n, chairs in enumerate((20, 12, 8), start=1):
        site, created = Location.objects.get_or_create(
            organization=org,
            name=f"Bench site {n}",
            defaults={"site_type": "office", "place_of_service": "11"},
        )
        if created:
            for day in range(5):
                OpeningHours.objects.create(
                    location=site, weekday=day, opens=dt.time(7), closes=dt.time(19)
                )
            Chair.objects.bulk_create(
                Chair(location=site, name=f"C{c:02d}", sort_order=c) for c in range(chairs)
            )
            StaffMember.objects.bulk_create(
                StaffMember(
                    organization=org,
                    first_name="Nurse",
                    last_name=f"{n}-{k}",
                    credential="RN",
                    license_state="PA",
                    license_number=f"BENCH-{n}-{k}",
                    home_location=site,
                )
                for k in range(chairs // 4 + 1)
            )
        sites.append(site)
    return sites


def _patients(org: Any, sites: list[Any], count: int, rng: random.Random) -> list[Any]:
    from django.utils import timezone

    from chairside.patients.models import Coverage, Patient, Payer

    payers = [
        Payer.objects.get_or_create(organization=org, name=name, defaults={"kind": kind})[0]
        for name, kind in (
            ("Bench Medicare", "medicare_b"),
            ("Bench Commercial", "commercial"),
            ("Bench Medicaid", "medicaid"),
        )
    ]
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(
            organization=org,
            mrn=f"PB{n:07d}",
            first_name="Bench",
            last_name=f"Patient{n}",
            date_of_birth=dt.date(1940 + n % 60, 1 + n % 12, 1 + n % 28),
            sex="F" if n % 2 else "M",
            home_location=sites[n % len(sites)],
        )
        for n in range(count)
    )
    for p in patients:  # registrations spread over three years
        p.created_at = now - dt.timedelta(days=rng.uniform(0, 365 * YEARS))
    Patient.objects.bulk_update(patients, ["created_at"], batch_size=2000)
    Coverage.objects.bulk_create(
        Coverage(
            patient=p,
            payer=payers[i % 3],
            member_id=f"B{i}",
            order=1,
            effective_from=dt.date(2020, 1, 1),
        )
        for i, p in enumerate(patients)
    )
    return patients


def _referrals(org: Any, sites: list[Any], patients: list[Any], rng: random.Random) -> int:
    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("chairside.access.referrals"):
        return 0
    from chairside.access.referrals.models import Referral, ReferralStateChange, ReferringProvider
    from chairside.rules.common.npi import npi_check_digit

    first9 = "199999999"
    provider, _ = ReferringProvider.objects.get_or_create(
        organization=org,
        npi=first9 + npi_check_digit(first9),
        defaults={"first_name": "Bench", "last_name": "Referrer"},
    )
    today = timezone.localdate()
    steps = [
        "received",
        "intake_complete",
        "benefits_verified",
        "authorized",
        "scheduled",
        "active",
    ]
    referrals = []
    for p in patients:
        received = today - dt.timedelta(days=rng.randint(0, 365 * YEARS))
        referrals.append(
            Referral(
                organization=org,
                received_on=received,
                referring_provider=provider,
                patient=p,
                location=p.home_location,
                state=steps[min(len(steps) - 1, int(rng.expovariate(0.4)))],
                state_changed_on=received,
            )
        )
    referrals = Referral.objects.bulk_create(referrals)
    ReferralStateChange.objects.bulk_create(
        ReferralStateChange(
            referral=r,
            from_state="scheduled",
            to_state="active",
            changed_on=r.received_on + dt.timedelta(days=rng.randint(7, 45)),
        )
        for r in referrals
        if r.state == "active"
    )
    return len(referrals)


def _appointments(
    org: Any, sites: list[Any], patients: list[Any], density: float, rng: random.Random
) -> int:
    """Three years of weekday bookings: three slots a chair a day, each filled at ``density``.

    Past ones are mostly completed, some no-shows and cancellations; each patient has one
    infliximab order (Remicade label schedule) whose dose numbers count up.
    """
    from decimal import Decimal

    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("chairside.scheduling"):
        return 0
    from chairside.access.referrals.models import ReferringProvider, TreatmentOrder
    from chairside.formulary.models import Drug
    from chairside.scheduling.models import Appointment

    drug, _ = Drug.objects.get_or_create(
        organization=org,
        key="bench-infliximab",
        defaults={
            "generic_name": "infliximab",
            "hcpcs": "J1745",
            "billing_unit_mg": Decimal("10"),
            "admin_category": "chemo",
        },
    )
    provider = ReferringProvider.objects.filter(organization=org).first()
    today = timezone.localdate()
    orders = TreatmentOrder.objects.bulk_create(
        TreatmentOrder(
            organization=org,
            patient=p,
            drug=drug,
            ordering_provider=provider,
            regimen_name="Crohn's disease",
            loading_days=[0, 14, 42],
            maintenance_interval_days=56,
            dose_mg_per_kg=Decimal("5"),
            weight_kg_at_order=Decimal("70.0"),
            first_dose_on=today - dt.timedelta(days=1100),
            signed_on=today - dt.timedelta(days=1100),
            expires_on=today + dt.timedelta(days=365),
        )
        for p in patients
    )
    by_site: dict[int | None, list[Any]] = {}
    for order in orders:
        by_site.setdefault(order.patient.home_location_id, []).append(order)
    doses: dict[int, int] = {}
    tz = timezone.get_current_timezone()
    rows = []
    for site in sites:
        chairs, site_orders = list(site.chairs.all()), by_site.get(site.pk, [])
        for n in range(365 * YEARS):
            day = today - dt.timedelta(days=n)
            if day.weekday() >= 5 or not site_orders:
                continue
            for chair in chairs:
                for hour in (7, 10, 13):
                    if rng.random() > density:
                        continue
                    order = rng.choice(site_orders)
                    doses[order.pk] = doses.get(order.pk, 0) + 1
                    start = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=tz)
                    roll = rng.random()
                    status = (
                        "completed" if roll < 0.9 else "no_show" if roll < 0.95 else "cancelled"
                    )
                    rows.append(
                        Appointment(
                            organization=org,
                            patient_id=order.patient_id,
                            order=order,
                            location=site,
                            chair=chair,
                            start=start,
                            end=start + dt.timedelta(minutes=150),
                            status=status,
                            dose_number=doses[order.pk],
                        )
                    )
    Appointment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def load(patient_count: int, density: float) -> tuple[Any, Any, list[Any], int, int, int]:
    from django.contrib.auth import get_user_model

    from chairside.patients.models import Patient
    from chairside.tenancy.models import Membership, Organization

    rng = random.Random(7)
    org, _ = Organization.objects.get_or_create(name=ORG_NAME, defaults={"kind": "practice"})
    user, _ = get_user_model().objects.get_or_create(username="bench-planning-admin")
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "admin"})
    sites = _sites(org)
    if not Patient.objects.filter(organization=org).exists():
        patients = _patients(org, sites, patient_count, rng)
        _referrals(org, sites, patients, rng)
        _appointments(org, sites, patients, density, rng)
    return org, user, sites, *_counts(org)


def _counts(org: Any) -> tuple[int, int, int]:
    """Patients, referrals and appointments in the bench organization (loaded now or before)."""
    from django.apps import apps

    from chairside.patients.models import Patient

    def count(app: str, model: str) -> int:
        if not apps.is_installed(f"chairside.{app}"):
            return 0
        return int(apps.get_model(app, model).objects.filter(organization=org).count())

    return (
        Patient.objects.filter(organization=org).count(),
        count("referrals", "Referral"),
        count("scheduling", "Appointment"),
    )


def time_dashboard(user: Any, sites: list[Any], requests: int) -> tuple[list[float], list[float]]:
    from django.urls import reverse
    from django.utils import timezone

    from tests import factories as f

    # An administrator must pass the second factor: log in as the tests do, code given.
    if not user.totpdevice_set.filter(confirmed=True).exists():
        f.give_authenticator(user)
    client = f.login(user)
    today = timezone.localdate()
    three_years = {
        "start": (today - dt.timedelta(days=365 * YEARS)).isoformat(),
        "end": today.isoformat(),
    }
    queries = [three_years, {"start": (today - dt.timedelta(days=90)).isoformat()}]
    queries += [{**three_years, "location": s.pk} for s in sites]
    url = reverse("analytics:home")
    client.get(url, three_years)  # warm caches, templates and the connection
    timings, cpu = [], []
    for i in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, queries[i % len(queries)])
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"dashboard answered {response.status_code}")
    return timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for CI smoke")
    args = parser.parse_args()
    days, patient_count, density, requests = (
        (100, 900, 0.05, 15) if args.quick else (1000, 9000, 0.7, 60)
    )

    seconds, cpu_seconds, result = simulate_center(days)
    _setup_django(args.quick)
    from django.db import connection

    load_started = time.perf_counter()
    org, user, sites, patients, referrals, appointments = load(patient_count, density)
    load_seconds = time.perf_counter() - load_started
    timings, cpu = time_dashboard(user, sites, requests)
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]

    print(f"Capacity simulation: {days} days of a 20-chair center, {os.cpu_count()} cores")
    print(f"  {'seconds (wall clock)':<34}{seconds:>10.2f}")
    print(f"  {'CPU seconds, all workers':<34}{cpu_seconds:>10.2f}")
    print(f"  {'load average (1 min) at the end':<34}{os.getloadavg()[0]:>10.2f}")
    print(f"  {'patients treated a day, p50':<34}{result.treated.p50:>10.1f}")
    print(
        f"  {'average wait, p10/p50/p90 (min)':<34}"
        f"{result.wait_minutes.p10:>6.1f} / {result.wait_minutes.p50:.1f} / "
        f"{result.wait_minutes.p90:.1f}"
    )
    print(f"  {'chair utilization, p50':<34}{result.chair_utilization.p50:>10.1%}")
    print(f"  {'open past closing, p90 (min)':<34}{result.overtime_minutes.p90:>10.1f}")
    print(f"Reports dashboard over {YEARS} years on {connection.vendor}")
    print(f"  {'patients / referrals in the data':<34}{patients:>10} / {referrals}")
    print(f"  {'appointments in the data':<34}{appointments:>10}")
    print(f"  {'load seconds':<34}{load_seconds:>10.1f}")
    print(f"  {'requests':<34}{requests:>10}")
    print(f"  {'p50 ms':<34}{p50:>10.1f}")
    print(f"  {'p95 ms':<34}{p95:>10.1f}")
    cpu_p95 = statistics.quantiles(cpu, n=20, method="inclusive")[18]
    print(f"  {'p95 CPU ms (this process)':<34}{cpu_p95:>10.1f}")
    print(f"  {'load average (1 min) at the end':<34}{os.getloadavg()[0]:>10.2f}")
    print(
        json.dumps(
            {
                "simulated_days": days,
                "chairs": 20,
                "seconds": round(seconds, 2),
                "dashboard_p95_ms": round(p95, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
