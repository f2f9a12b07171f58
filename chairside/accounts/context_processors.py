from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from chairside.accounts import steps
from chairside.accounts.middleware import seconds_left
from chairside.tenancy.selectors import invitations_for


def session_clock(request: HttpRequest) -> dict[str, Any]:
    """What the idle warning needs, and whether the log-in is complete (the menu shows only
    then)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    complete = steps.pending_step(request) is None
    return {
        "login_complete": complete,
        "open_invitations": invitations_for(user=user).count() if complete else 0,
        "session_clock": {
            "seconds_left": seconds_left(request),
            "idle_seconds": settings.SESSION_IDLE_SECONDS,
            "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
            "warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        },
    }
