from __future__ import annotations

from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "chairside.readiness"
    label = "readiness"
    verbose_name = "Readiness to treat"

    def ready(self) -> None:
        from chairside.readiness import today  # noqa: F401  (registers the Today card)
