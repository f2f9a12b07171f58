"""``GET /healthz``: does the database answer, does the job broker answer, each within a
time-out, so a load balancer gets an answer within 2 seconds whatever is down."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connection

from chairside.celery import app

CHECK_SECONDS = 1.5  # each check's limit; both run at once, so the answer comes within 2 s


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's own connection; never leave it open


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory"):
        return
    with app.connection_for_write(url) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_SECONDS)
        if url.startswith("redis"):
            conn.default_channel.client.ping()


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker}

# Threads outlive a check that hangs (until its own socket time-out ends it); a small pool
# shared by all requests keeps a hanging dependency from piling up threads.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def health() -> dict[str, str]:
    """Each check's answer: "ok", or why not (an error's type, or that it timed out)."""
    started = time.monotonic()
    futures = {name: _pool.submit(check) for name, check in CHECKS.items()}
    answers = {}
    for name, future in futures.items():
        left = max(0.0, CHECK_SECONDS - (time.monotonic() - started))
        try:
            future.result(timeout=left)
        except FutureTimeout:
            answers[name] = f"no answer within {CHECK_SECONDS:g} s"
        except Exception as exc:  # any failure of a dependency is an answer, not a 500
            answers[name] = f"failed ({type(exc).__name__})"
        else:
            answers[name] = "ok"
    return answers
