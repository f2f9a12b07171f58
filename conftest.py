"""Shared pytest fixtures: two organizations, so every test can prove the wall between them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, settings

from tests import factories as f

# One Chromium for every browser test, wherever the test lives (a session fixture defined in
# several modules would start Playwright twice, which its sync API refuses).
pytest_plugins = ["tests.browser.plugin"]

# Property tests check what the rules answer, not how fast: on a shared 2-core CI machine a
# draw can stall for a second, which Hypothesis would report as a failure. The examples,
# shrinking and the database of failures stay as they are.
settings.register_profile(
    "chairside",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("chairside")


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty cache: cached figures are keyed by their inputs, but a
    test should never read what another test's rows left behind."""
    cache.clear()
    yield


@pytest.fixture
def org(db: Any) -> Any:
    return f.make_org("Riverside Test Practice")


@pytest.fixture
def other_org(db: Any) -> Any:
    return f.make_org("Elsewhere Infusion")


@pytest.fixture
def location(org: Any) -> Any:
    return f.make_location(org, chairs=4)


@pytest.fixture
def admin_user(org: Any) -> Any:
    return f.make_user(org, "admin")


@pytest.fixture
def admin_client(admin_user: Any) -> Any:
    return f.login(admin_user)


@pytest.fixture
def coordinator_client(org: Any) -> Any:
    return f.login(f.make_user(org, "coordinator"))


@pytest.fixture
def patient(org: Any) -> Any:
    return f.make_patient(org, first_name="Grace", last_name="Hopper", weight_kg="70.0")


@pytest.fixture
def foreign_patient(other_org: Any) -> Any:
    return f.make_patient(other_org, first_name="Other", last_name="Person")
