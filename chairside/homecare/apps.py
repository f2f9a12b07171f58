from __future__ import annotations

from django.apps import AppConfig


class HomecareConfig(AppConfig):
    name = "chairside.homecare"
    label = "homecare"
    verbose_name = "Home infusion: deliveries, home visits, routes"

    def ready(self) -> None:
        from chairside.homecare import today  # noqa: F401  (registers the Today cards)
