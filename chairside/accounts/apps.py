from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chairside.accounts"
    label = "accounts"
    verbose_name = "Log-in, sessions and two-factor"

    def ready(self) -> None:
        from chairside.accounts import handlers  # noqa: F401  (registers on tenancy.events)
