"""Who did it: the person a ``*_by`` column records."""

from __future__ import annotations

from typing import Any


def acting_user(user: Any) -> Any | None:
    """The signed-in person, or None when the system acted (a background job, the demo
    seeding, an anonymous caller): the column then stays empty and the audit says "system"."""
    return user if getattr(user, "is_authenticated", False) else None
