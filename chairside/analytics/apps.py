from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "chairside.analytics"
    label = "analytics"
    verbose_name = "Analytics and planning"

    def ready(self) -> None:
        from chairside.analytics import today  # noqa: F401  (registers the Today cards)
