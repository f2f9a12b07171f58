"""Accounts' handlers on earlier steps' registries (registered in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from chairside.accounts.models import AccountSecurity
from chairside.tenancy.events import on_login_created_with_temporary_password


@on_login_created_with_temporary_password
def must_change_password(account: Any) -> None:
    """A log-in made with a temporary password must change it at first log-in."""
    AccountSecurity.objects.update_or_create(user=account, defaults={"must_change_password": True})
