from __future__ import annotations

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "chairside.inventory"
    label = "inventory"
    verbose_name = "Buy-and-bill inventory"

    def ready(self) -> None:
        from chairside.inventory import (  # noqa: F401  (registers cards, chart, handlers)
            booking,
            chart,
            handlers,
            today,
        )
