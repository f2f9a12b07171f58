"""manage.py backup / restore: a round trip into an empty database and media folder, on
SQLite and on PostgreSQL, verified against the manifest's row counts and checksums."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from chairside.core.backup import table_counts, verify
from tests import factories as f

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)


def _restore(archive: Path, database_url: str, media: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "chairside.test_settings",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media),
        }
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _empty_database(tmp_path: Path) -> tuple[str, Any]:
    """A URL of a new, empty database of the same kind as the test database, and a drop."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}", lambda: None
    s = connection.settings_dict
    name = f"{s['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    url = f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    return url, drop


def test_backup_then_restore_into_an_empty_database_matches_every_table_and_file(
    org: Any, other_org: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    for n in range(5):
        f.make_patient(org, last_name=f"Backup{n}")
    f.make_patient(other_org)
    letters = settings.MEDIA_ROOT / "documents" / "2026"
    letters.mkdir(parents=True)
    (letters / "referral.pdf").write_bytes(b"%PDF-1.4 referral letter\n" * 50)
    (letters / "approval.pdf").write_bytes(os.urandom(4096))
    archive = tmp_path / "center.tar"

    call_command("backup", str(archive))

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = set(tar.getnames())
    assert manifest["tables"] == table_counts()
    assert manifest["tables"]["patients_patient"] == 6
    assert set(manifest["files"]) == {"documents/2026/referral.pdf", "documents/2026/approval.pdf"}
    assert manifest["database"] in names and "media/documents/2026/approval.pdf" in names

    url, drop = _empty_database(tmp_path)
    try:
        restored = _restore(archive, url, tmp_path / "restored-media")
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "all match the manifest" in restored.stdout
        assert (tmp_path / "restored-media/documents/2026/approval.pdf").read_bytes() == (
            letters / "approval.pdf"
        ).read_bytes()
        # Restoring over a database that has data is refused.
        again = _restore(archive, url, tmp_path / "other-media")
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        drop()


def test_verify_names_a_changed_file_and_a_missing_row(
    org: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "a.pdf").write_bytes(b"one")
    manifest: dict[str, Any] = {"tables": dict(table_counts()), "files": {"a.pdf": "0" * 64}}
    manifest["tables"]["patients_patient"] += 1
    problems = verify(manifest)
    assert any(p.startswith("table patients_patient") for p in problems)
    assert "file a.pdf: checksum differs" in problems
