"""What later foundation apps do when staff administration creates a log-in.

Tenancy (organizations, roles, memberships) comes before accounts (log-in, passwords,
two-factor) in the flow, so it does not import accounts: accounts registers here, in its
``AppConfig.ready()``, what a new log-in with a temporary password needs (the password must
be changed at first log-in). Handlers run inside the staff service's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chairside.core.registry import Registry

# (the new log-in) → None; raising refuses the grant and rolls it back.
LoginCreatedHandler = Callable[[Any], None]
_LOGIN_CREATED: Registry[LoginCreatedHandler] = Registry()
on_login_created_with_temporary_password = _LOGIN_CREATED.register


def login_created_with_temporary_password(account: Any) -> None:
    for handler in _LOGIN_CREATED:
        handler(account)
