from __future__ import annotations

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "chairside.reminders"
    label = "reminders"
    verbose_name = "Reminders and confirmations"

    def ready(self) -> None:
        from chairside.reminders import checks, today  # noqa: F401  (registers the card, check)
