from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "chairside.interop"
    label = "interop"
    verbose_name = "Interfaces (HL7 v2, CSV import)"

    def ready(self) -> None:
        from chairside.interop import eligibility, feed

        feed.register()
        eligibility.register()
