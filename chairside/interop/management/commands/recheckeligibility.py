from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chairside.interop.tasks import recheck_eligibility


class Command(BaseCommand):
    help = (
        "Re-check eligibility (X12 270) for the coverages of the coming appointments not "
        "checked recently, and flag answers that differ from the verified benefits."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        c = recheck_eligibility()
        self.stdout.write(
            f"{c['sent']} inquiries sent, {c['collected']} answers collected, "
            f"{c['flagged']} flagged, {c['refused']} could not be sent."
        )
