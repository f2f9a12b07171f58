from __future__ import annotations

from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "chairside.access.authorizations"
    label = "authorizations"
    verbose_name = "Benefits and prior authorizations"

    def ready(self) -> None:
        from chairside.access.authorizations import (  # noqa: F401  (register their handlers)
            handlers,
            today,
        )
        from chairside.access.authorizations.chart import assistance_chart_section
        from chairside.access.authorizations.events import QUEUE_COUNTS
        from chairside.access.authorizations.queues import count_inputs
        from chairside.core.fingerprint import watch
        from chairside.patients.chart import register_chart_section

        register_chart_section(assistance_chart_section)
        watch(QUEUE_COUNTS, count_inputs())  # the cached Today counts follow their rows
