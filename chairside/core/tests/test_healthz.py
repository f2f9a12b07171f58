"""GET /healthz: the database and the broker, each with a time-out; an answer within 2 s."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from chairside.core import health

pytestmark = pytest.mark.django_db(transaction=True)


def _get() -> tuple[Any, float]:
    started = time.monotonic()
    response = Client().get("/healthz")
    return response, time.monotonic() - started


def test_it_answers_ok_when_both_answer() -> None:
    response, _ = _get()
    assert response.status_code == 200
    assert response.json()["database"] == response.json()["broker"] == "ok"


def test_a_broker_that_refuses_gives_503_naming_it() -> None:
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):
        response, seconds = _get()
    assert response.status_code == 503
    assert response.json()["failing"] == "broker"
    assert response.json()["database"] == "ok"
    assert seconds < 2


@pytest.mark.parametrize("name", ["database", "broker"])
def test_a_dependency_that_hangs_gives_503_within_two_seconds(name: str, monkeypatch: Any) -> None:
    monkeypatch.setitem(health.CHECKS, name, lambda: time.sleep(3))
    response, seconds = _get()
    assert response.status_code == 503
    assert response.json()["failing"] == name
    assert "no answer within" in response.json()[name]
    assert seconds < 2


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_sessions_have_a_statement_time_out() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
