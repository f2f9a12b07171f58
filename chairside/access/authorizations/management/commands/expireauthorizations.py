from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from chairside.access.authorizations.services import authorizations_expire
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = "Mark approved prior authorizations whose end date has passed as expired (audited)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        total = sum(
            authorizations_expire(organization=org, today=today)
            for org in Organization.objects.all()
        )
        self.stdout.write(f"{total} authorization{'s' if total != 1 else ''} marked expired.")
