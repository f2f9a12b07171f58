"""Who did it: the person a ``*_by`` column records."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


def acting_user(user: User | AnonymousUser | None) -> User | None:
    """The signed-in person, or None when the system acted (a background job, the demo
    seeding, an anonymous caller): the column then stays empty and the audit says "system"."""
    if user is None or not user.is_authenticated:
        return None
    return user
