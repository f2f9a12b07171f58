from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.reminders.services import reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the appointment reminders due now (e-mail or text, each once); "
        "for cron, hourly, where no Celery beat runs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(reminders_send_due().line())
