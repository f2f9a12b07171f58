"""The scheduling tests' booking scene (a center, a signed order, a nurse) for the SIU feed."""

from __future__ import annotations

from chairside.scheduling.tests.conftest import (  # noqa: F401 (fixtures used by name)
    chairs,
    clock,
    coordinator,
    nurse,
    order,
    s,
)
