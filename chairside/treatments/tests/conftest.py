"""Fixtures for visit tests: Tuesday 12/08/2026 at noon in New York, a checked-in patient
for infliximab 5 mg/kg (350 mg at 70 kg), ten 100 mg vials on the shelf, two nurses and a
physician on site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from chairside.treatments import services
from chairside.treatments.tests import factories as tf
from tests import factories as f


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2026, 12, 8, 12, 0, tzinfo=tf.TZ), tick=False) as t:
        yield t


@pytest.fixture
def nurse_user(org: Any) -> Any:
    return f.make_user(org, "nurse")


@pytest.fixture
def nurse_client(nurse_user: Any) -> Any:
    return f.login(nurse_user)


@pytest.fixture
def nurse(org: Any, nurse_user: Any) -> Any:
    return tf.make_staff(org, "RN", user=nurse_user, first_name="Jordan", last_name="Blake")


@pytest.fixture
def second_nurse(org: Any) -> Any:
    return tf.make_staff(org, "RN", first_name="Maria", last_name="Santos")


@pytest.fixture
def physician(org: Any) -> Any:
    return tf.make_staff(org, "MD", first_name="Elena", last_name="Marsh")


@pytest.fixture
def team(nurse: Any, second_nurse: Any, physician: Any) -> SimpleNamespace:
    """Who prepares, who checks, and the physician on site."""
    return SimpleNamespace(nurse=nurse, second=second_nurse, physician=physician)


@pytest.fixture
def drug(org: Any) -> Any:
    return tf.make_drug(org)


@pytest.fixture
def order(patient: Any, drug: Any, location: Any) -> Any:
    return tf.make_order(patient, drug, location=location)


@pytest.fixture
def appointment(order: Any, location: Any, nurse: Any) -> Any:
    return tf.make_appointment(order, location, nurse=nurse)


@pytest.fixture
def lot(location: Any, drug: Any) -> Any:
    return tf.make_lot(location, drug, vials=10, lot_number="AB1234")


@pytest.fixture
def visit(appointment: Any, nurse_user: Any) -> Any:
    return services.visit_start(appointment=appointment, user=nurse_user)


@pytest.fixture
def ready_visit(visit: Any, nurse_user: Any, lot: Any, team: SimpleNamespace) -> Any:
    """A visit with every step done: it can be signed."""
    visit = tf.do_checks(visit, nurse_user)
    tf.do_preparation(visit, nurse_user, lot, checker=team.second, preparer=team.nurse)
    tf.do_administration(visit, nurse_user)
    tf.do_discharge(visit, nurse_user, provider=team.physician)
    visit.refresh_from_db()
    return visit
