from __future__ import annotations

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "chairside.access.referrals"
    label = "referrals"
    verbose_name = "Referrals and treatment orders"

    def ready(self) -> None:
        from chairside.access.referrals import (
            chart,  # noqa: F401  (registers the chart section)
            today,  # noqa: F401  (registers the "To sign" card)
        )
