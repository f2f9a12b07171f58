from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "chairside.treatments"
    label = "treatments"
    verbose_name = "Chair-side visits"

    def ready(self) -> None:
        from chairside.treatments import chart, handlers, today  # noqa: F401  (registers cards, chart, handlers)
