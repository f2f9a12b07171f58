from __future__ import annotations

from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "chairside.access.authorizations"
    label = "authorizations"
    verbose_name = "Benefits and prior authorizations"

    def ready(self) -> None:
        from chairside.access.authorizations import today  # noqa: F401  (registers the Today cards)
        from chairside.access.authorizations.chart import assistance_chart_section
        from chairside.patients.chart import register_chart_section

        register_chart_section(assistance_chart_section)
