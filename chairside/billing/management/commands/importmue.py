from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chairside.billing.services import mue_table_import
from chairside.tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Import the CMS practitioner services MUE table (the quarterly CSV, as published) for "
        "each organization (or one, --organization NAME); the claim check uses the newest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the CMS practitioner MUE CSV")
        parser.add_argument("--date", required=True, help="the quarter it applies from, YYYY-MM-DD")
        parser.add_argument("--organization", help="the organization's exact name")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            file_date = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD.") from None
        organizations = Organization.objects.all()
        if options["organization"]:
            organizations = organizations.filter(name=options["organization"])
            if not organizations.exists():
                raise CommandError(f"No organization named {options['organization']!r}.")
        data = path.read_bytes()
        codes = 0
        for organization in organizations:
            try:
                table = mue_table_import(
                    organization=organization,
                    data=data,
                    filename=path.name,
                    file_date=file_date,
                    user=None,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            codes = len(table.values)
        self.stdout.write(
            f"Imported {codes} MUE values from {path.name} for {organizations.count()} "
            "organization(s)."
        )
