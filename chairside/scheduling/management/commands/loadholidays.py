from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chairside.scheduling.services import holidays_load
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Close every location of each organization (or one, --organization NAME) on the US "
        "federal holidays of a year (default: this year and next). Safe to run twice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, action="append", help="may be repeated")
        parser.add_argument("--organization", help="the organization's exact name")

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = timezone.localdate().year
        years = options["year"] or [this_year, this_year + 1]
        organizations = Organization.objects.all()
        if options["organization"]:
            organizations = organizations.filter(name=options["organization"])
            if not organizations.exists():
                raise CommandError(f"No organization named {options['organization']!r}.")
        added = sum(
            holidays_load(organization=org, year=year) for org in organizations for year in years
        )
        years_text = ", ".join(str(y) for y in years)
        self.stdout.write(
            f"Added {added} US federal holiday closures for {years_text} "
            f"({organizations.count()} organizations)."
        )
