"""Benchmark: 50 staff at once — Locust, headless, on loopback, against gunicorn.

Starts gunicorn (``DEBUG=false``, static files collected, no HTTPS redirect: loopback)
on the database named by DATABASE_URL (PostgreSQL when it says so; else the seeded SQLite
file under bench/.data/ that bench/today.py also uses), loads the demo center
(``seeddemo``, idempotent), logs each role in once through the log-in page (the demo
password; for the manager and the biller the two-factor code from ``chairside.demo.keys``:
a code is accepted once per 30 s, so each role logs in once and its simulated users share
the session), finds each role's pages from its Today page and main menu, then runs 50
simulated staff with a think time of 2–8 s between pages:

- 20 coordinators: Today, the board, readiness, the work queues, patient search, charts;
- 15 nurses: the visits of the day, visit pages, charts;
- 8 billers: the billing pages and claims;
- 7 managers: the report dashboards and their Today.

Prints requests, errors and p50/p95 per page and, as the last line, one JSON object (see
shared/bench/BENCH_OUTPUT.md). Stops gunicorn when done.

    .venv/bin/python bench/load.py            # 3 minutes
    .venv/bin/python bench/load.py --quick    # 30 seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chairside_bench .venv/bin/python bench/load.py
"""

from __future__ import annotations

# Locust patches the standard library (gevent) first.
from locust import HttpUser, between, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "deploy"))
DATA_DIR = ROOT / "bench" / ".data"
VENV_BIN = Path(sys.executable).parent

from prod_check import Session, log_in, main_menu  # noqa: E402

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A page's label in the figures: the first pattern its path matches.
LABELS = [
    (r"^/$", "today"),
    (r"^/schedule/readiness/", "readiness"),
    (r"^/schedule/(\?.*)?$", "board"),
    (r"^/patients/\?q=", "search"),
    (rf"^/patients/{UUID}/$", "chart"),
    (r"^/access/", "queues"),
    (r"^/visits/(\?.*)?$", "visits_day"),
    (rf"^/visits/{UUID}/((checks|preparation|administration)/)?$", "visit"),
    (r"^/billing/claims/[^.]*$", "claims"),
    (r"^/billing/", "billing"),
    (r"^/reports/", "dashboards"),
]
# Per role: (how many simulated staff, label → weight of its pages in the mix).
MIX: dict[str, tuple[int, dict[str, int]]] = {
    "coordinator": (
        20,
        {"today": 3, "board": 4, "readiness": 2, "queues": 3, "search": 2, "chart": 2},
    ),
    "nurse": (15, {"visits_day": 4, "visit": 3, "chart": 2, "today": 1}),
    "biller": (8, {"billing": 3, "claims": 3, "today": 1}),
    "manager": (7, {"dashboards": 4, "today": 2}),
}
SURNAMES = ("Sm", "Jo", "Ga", "Br", "Mi", "Da", "Wi", "Le")


def label(path: str) -> str:
    for pattern, name in LABELS:
        if re.search(pattern, path):
            return name
    return "other"


def _env(port: int) -> dict[str, str]:
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DATA_DIR / 'today-bench.sqlite3'}"
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # loopback: no TLS proxy in front
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_ROOT": str(DATA_DIR / "static"),
        "LOG_REQUESTS": "false",
        "PYTHONPATH": str(ROOT),
    }


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _wait(port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Session(port, via_proxy=False).get("/login/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("gunicorn did not answer /login/ in time")


def _pages(port: int, role: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The role's session cookies and its pages by label: Today, its main menu, and the
    charts, visits, claims and queues those pages link to."""
    session = log_in(port, role)
    status, _, today = session.follow("/")
    if status != 200:
        raise SystemExit(f"{role}: Today answered {status}")
    found: dict[str, set[str]] = {}
    texts = [today]
    for path in main_menu(today):
        status, _, text = session.get(path)
        if status == 200:
            found.setdefault(label(path), set()).add(path)
            texts.append(text)
    # The Today cards lead to the visits of the day and readiness (not in every main menu);
    # those pages lead to the visit pages.
    for _round in range(2):
        for text in texts:
            for found_href in re.findall(r'href="(/[^"#]*)"', text):
                href = found_href.replace("&amp;", "&")
                if label(href) != "other":
                    found.setdefault(label(href), set()).add(href)
        texts = [
            session.get(path)[2]
            for name in ("visits_day", "readiness")
            for path in sorted(found.get(name, set()))[:2]
        ]
    found["today"] = {"/"}
    found["search"] = {f"/patients/?q={prefix}" for prefix in SURNAMES}
    pages = {k: sorted(v)[:40] for k, v in found.items() if not k.startswith("/")}
    return session.cookies, pages


class Staff(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    role: ClassVar[str] = ""
    cookies: ClassVar[dict[str, str]] = {}
    choices: ClassVar[list[tuple[str, str]]] = []  # (label, path), repeated by weight

    def on_start(self) -> None:
        self.client.cookies.update(self.cookies)

    @task
    def browse(self) -> None:
        name, path = random.choice(self.choices)
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif "/login/" in response.url:
                response.failure("logged out")


def _user_class(role: str, cookies: dict[str, str], pages: dict[str, list[str]]) -> type:
    count, weights = MIX[role]
    choices = [
        (name, path)
        for name, weight in weights.items()
        for path in pages.get(name, [])
        for _ in range(max(1, weight * 12 // max(1, len(pages.get(name, [])))))
    ]
    if not choices:
        raise SystemExit(f"{role}: none of its pages were found")
    return type(
        f"{role.title()}User",
        (Staff,),
        {"role": role, "cookies": cookies, "choices": choices, "fixed_count": count},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 seconds instead of 3 minutes")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "8110")))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()
    seconds = args.seconds or (30 if args.quick else 180)
    env = _env(args.port)
    db = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    _manage(env, "migrate", "--no-input")
    _manage(env, "seeddemo", "--quiet-logins")
    _manage(env, "collectstatic", "--no-input")
    server = subprocess.Popen(  # noqa: S603 (the venv's gunicorn, fixed arguments)
        [
            str(VENV_BIN / "gunicorn"),
            "chairside.wsgi",
            "--workers",
            str(args.workers),
            "--threads",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "60",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait(args.port)
        classes = []
        for role in MIX:
            cookies, pages = _pages(args.port, role)
            classes.append(_user_class(role, cookies, pages))
        users = sum(count for count, _ in MIX.values())
        environment = Environment(
            user_classes=classes,
            host=f"http://127.0.0.1:{args.port}",
            events=events,
            stop_timeout=60,  # at the end, let pages in flight finish (not counted as errors)
        )
        runner = environment.create_local_runner()
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        runner.start(users, spawn_rate=10)
        runner.greenlet.join(timeout=seconds)
        runner.quit()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    _report(environment, users, elapsed, db, workers=args.workers, load_before=load_before)


def _report(
    environment: Any, users: int, elapsed: float, db: str, *, workers: int, load_before: float
) -> None:
    stats = environment.stats
    print(
        f"{users} simulated staff for {elapsed:.0f} s against gunicorn ({workers} workers, "
        f"2 threads), {db}; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (2 cores shared with other work)"
    )
    print(f"{'page':<12} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8}")
    p95: dict[str, float] = {}
    for (name, _method), entry in sorted(stats.entries.items()):
        p50 = entry.get_response_time_percentile(0.5)
        p95[name] = entry.get_response_time_percentile(0.95)
        print(
            f"{name:<12} {entry.num_requests:>9} {entry.num_failures:>7} {p50:>8.0f} "
            f"{p95[name]:>8.0f}"
        )
    total = stats.total
    print(f"{'all':<12} {total.num_requests:>9} {total.num_failures:>7}")
    for error in stats.errors.values():
        print(f"  error: {error.name}: {error.error} ×{error.occurrences}")
    print(
        json.dumps(
            {
                "users": users,
                "seconds": round(elapsed),
                "requests": total.num_requests,
                "errors": total.num_failures,
                "p95_ms": p95,
                "db": db,
            }
        )
    )


if __name__ == "__main__":
    main()
