from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.treatments.services import reports_send_queued


class Command(BaseCommand):
    help = "Send (again) every treatment report waiting to go out by e-mail."

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = reports_send_queued()
        self.stdout.write(f"{sent} treatment reports e-mailed, {failed} still waiting.")
