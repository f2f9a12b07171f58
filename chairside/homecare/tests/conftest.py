"""A home-infusion day for tomorrow: two nurses (one with a log-in) and a driver on shift,
three home visits and three deliveries."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from chairside.homecare.models import FieldShift
from chairside.homecare.tests import factories as hf
from tests import factories as f


@pytest.fixture
def home(org: Any) -> Any:
    return hf.make_home_location(org)


@pytest.fixture
def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def nurse_user(org: Any) -> Any:
    return f.make_user(org, "nurse")


@pytest.fixture
def day(org: Any, home: Any, tomorrow: dt.date, nurse_user: Any) -> SimpleNamespace:
    nurse_a = hf.make_staff(org, "RN", user=nurse_user)
    nurse_b = hf.make_staff(org, "RN")
    driver = hf.make_staff(org, "")
    for staff, kind in ((nurse_a, "nurse"), (nurse_b, "nurse"), (driver, "driver")):
        hf.make_shift(home, staff, tomorrow, FieldShift.Kind(kind))
    patients = [hf.make_home_patient(org, home, km_east=3 + 4 * n) for n in range(6)]
    visits = [hf.make_visit(p, home, tomorrow, duration_minutes=60) for p in patients[:3]]
    deliveries = [hf.make_delivery(p, home, tomorrow) for p in patients[3:]]
    return SimpleNamespace(
        nurse_a=nurse_a,
        nurse_b=nurse_b,
        driver=driver,
        patients=patients,
        visits=visits,
        deliveries=deliveries,
        date=tomorrow,
        location=home,
    )
