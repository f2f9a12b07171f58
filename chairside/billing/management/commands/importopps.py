from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chairside.billing.services.opps import opps_file_import
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Import a CMS OPPS Addendum B CSV (HCPCS, status indicator, APC, payment rate) for "
        "each organization (or one, --organization NAME); institutional claims' payment "
        "estimates use the newest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the OPPS Addendum B CSV")
        parser.add_argument("--organization", help="the organization's exact name")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        organizations = Organization.objects.all()
        if options["organization"]:
            organizations = organizations.filter(name=options["organization"])
            if not organizations.exists():
                raise CommandError(f"No organization named {options['organization']!r}.")
        data = path.read_bytes()
        count = rows = 0
        for organization in organizations:
            try:
                record = opps_file_import(
                    organization=organization, data=data, filename=path.name, user=None
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            count += 1
            rows = record.row_count
        self.stdout.write(f"Imported {rows} OPPS rates for {count} organization(s).")
