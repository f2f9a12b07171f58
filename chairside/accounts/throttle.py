"""Log-in throttling: lock a user name, slow an address, find the real client address.

A user name is compared in one canonical form (NFKC, then case-folded), so that a
full-width or upper-case spelling of a name counts against the same lock as the name
itself. An address is only ever slowed down, never refused: an office shares one public
address, and a colleague's typos (or an attacker's guesses) must not lock everyone out.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from chairside.audit.models import AuditEvent
from chairside.audit.services import client_ip as client_address
from chairside.core.usernames import normalize_username

__all__ = [
    "address_delay_seconds",
    "client_address",
    "normalize_username",
    "slow_down",
    "username_locked",
]


def _recent_failures() -> QuerySet[AuditEvent]:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, at__gte=since)


def username_locked(username: str) -> bool:
    """True when this user name (in any spelling) failed too often within the window."""
    failures = _recent_failures().filter(username=normalize_username(username))
    return bool(failures.count() >= settings.LOGIN_MAX_FAILURES)


def address_delay_seconds(ip_address: str | None) -> float:
    """How long an attempt from this address waits before it is checked (0 when below the
    slowdown threshold)."""
    if not ip_address:
        return 0.0
    failures = _recent_failures().filter(ip_address=ip_address).count()
    if failures < settings.LOGIN_ADDRESS_SLOWDOWN_AFTER:
        return 0.0
    return float(settings.LOGIN_ADDRESS_DELAY_SECONDS)


def slow_down(seconds: float) -> None:
    """Wait before answering (a seam the tests replace)."""
    if seconds > 0:
        time.sleep(seconds)
