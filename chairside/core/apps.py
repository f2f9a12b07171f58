from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chairside.core"
    label = "core"
    verbose_name = "Chairside core"

    def ready(self) -> None:
        # Load the Celery app with Django so that @shared_task jobs bind to it (``celery -A
        # chairside`` finds the same app in the chairside.celery module).
        import chairside.celery  # noqa: F401
