"""Compliance test factories: staff with log-ins, devices, readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chairside.compliance import services
from chairside.compliance.models import TemperatureDevice
from chairside.tenancy.models import StaffMember
from tests import factories as f


def make_staff(
    org: Any,
    first: str,
    last: str,
    credential: str = "RN",
    *,
    role: str | None = None,
    username: str | None = None,
    location: Any = None,
    **kw: Any,
) -> StaffMember:
    user = f.make_user(org, role, username) if role else None
    if credential in StaffMember.LICENSED:
        kw.setdefault("license_number", f"RN{last.upper()}")
    return f.StaffMemberFactory.create(
        organization=org,
        user=user,
        first_name=first,
        last_name=last,
        credential=credential,
        home_location=location,
        **kw,
    )


def make_device(
    location: Any, name: str = "Medication refrigerator", kind: str = "refrigerator"
) -> TemperatureDevice:
    return services.device_save(
        organization=location.organization, user=None, location=location, name=name, kind=kind
    )


def at(location: Any, days_ago: int, hour: int = 8) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=location.tz)


def read(device: TemperatureDevice, when: dt.datetime, celsius: str) -> Any:
    return services.reading_record(device=device, user=None, at=when, celsius=Decimal(celsius))
