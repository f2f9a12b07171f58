from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "chairside.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from chairside.scheduling import (  # noqa: F401  (registers cards, section, handlers)
            chart,
            handlers,
            today,
        )
