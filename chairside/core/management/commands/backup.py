from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chairside.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database (pg_dump custom format, or SQLite's online backup), the uploaded "
        "files and a manifest (row counts per table, file checksums) to one archive."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive to write, e.g. chairside-2026-12-06.tar")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(Path(options["file"]), alias=options["database"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
            f"{len(manifest['files'])} files to {options['file']}."
        )
