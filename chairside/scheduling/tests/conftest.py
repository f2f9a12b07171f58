"""Fixtures for scheduling: a center open 07:00–19:00 with four chairs, an order, a nurse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from chairside.scheduling.tests import factories as sf
from tests import factories as f


@pytest.fixture
def clock() -> Iterator[Any]:
    """Monday 12/07/2026 08:00 in New York: the day before ``factories.DAY``."""
    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 0, tzinfo=sf.TZ), tick=False) as t:
        yield t


@pytest.fixture
def coordinator(org: Any) -> Any:
    return f.make_user(org, "coordinator")


@pytest.fixture
def order(clock: Any, patient: Any, location: Any) -> Any:
    return sf.make_order(patient, location=location)


@pytest.fixture
def nurse(org: Any) -> Any:
    return sf.make_nurse(org)


@pytest.fixture
def chairs(location: Any) -> dict[str, Any]:
    return {c.name: c for c in location.chairs.all()}


@dataclass
class Scene:
    """The usual cast of a booking test, as one fixture."""

    org: Any
    coordinator: Any
    order: Any
    location: Any
    chairs: dict[str, Any]
    nurse: Any
    patient: Any
    clock: Any


@pytest.fixture
def s(request: pytest.FixtureRequest, order: Any) -> Scene:
    get = request.getfixturevalue
    return Scene(
        get("org"),
        get("coordinator"),
        order,
        get("location"),
        get("chairs"),
        get("nurse"),
        order.patient,
        get("clock"),
    )
