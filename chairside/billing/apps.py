from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "chairside.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from chairside.billing import handlers  # noqa: F401  (registers the visit-signed handler)
        from chairside.billing.chart import billing_chart_section
        from chairside.billing.today import billing_today_cards
        from chairside.patients.chart import register_chart_section
        from chairside.tenancy.today import register_today_cards

        register_today_cards(billing_today_cards)
        register_chart_section(billing_chart_section)
