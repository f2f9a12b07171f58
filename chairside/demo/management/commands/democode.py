from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.demo.foundation import demo_totp_code
from chairside.demo.keys import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo log-ins that need one (admin, biller, "
        "manager), computed from the published demo secret. Demo only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"{demo_totp_code()}  (changes every 30 seconds; demo secret {DEMO_TOTP_SECRET})"
        )
