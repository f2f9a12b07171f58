from __future__ import annotations

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "chairside.tenancy"
    label = "tenancy"
    verbose_name = "Organizations, sites and staff"

    def ready(self) -> None:
        from chairside.tenancy import today  # noqa: F401  (registers the Today cards)
