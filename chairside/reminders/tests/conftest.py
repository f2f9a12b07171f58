"""The scheduling fixtures (a center, an order, a nurse, the clock) and a booked appointment."""

from __future__ import annotations

from typing import Any

import pytest

from chairside.scheduling import services
from chairside.scheduling.tests import factories as sf
from chairside.scheduling.tests.conftest import (  # noqa: F401
    chairs,
    clock,
    coordinator,
    nurse,
    order,
    s,
)


@pytest.fixture
def booked(request: pytest.FixtureRequest) -> Any:
    """Tuesday 12/08/2026 09:00 (New York); the clock stands 25 hours before."""
    scene = request.getfixturevalue("s")
    sf.make_shift(scene.nurse, scene.location)
    scene.patient.email = "ada@example.org"
    scene.patient.phone = "(555) 201-0101"
    scene.patient.save()
    return services.appointment_book(
        organization=scene.org,
        user=scene.coordinator,
        order=scene.order,
        chair=scene.chairs["C01"],
        start=sf.at("09:00"),
    ).appointment
