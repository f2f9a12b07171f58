from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chairside.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup` into an empty database and media folder, then "
        "check every table's row count and every file's checksum against its manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the archive written by `manage.py backup`")
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = restore(Path(options["file"]), alias=options["database"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {len(manifest['tables'])} tables and {len(manifest['files'])} files "
            f"from {options['file']} (backup of {manifest['created_at']}); all match the manifest."
        )
