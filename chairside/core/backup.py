"""Backup and restore of a whole center: the database, the uploaded files, and a manifest.

One archive (a tar file):

- ``database.dump``: ``pg_dump --format=custom`` on PostgreSQL, or ``database.sqlite3``:
  a copy made with SQLite's online backup API (consistent while the app keeps writing);
- ``media/...``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: the row count of every table and the SHA-256 of every file.

``restore`` loads an archive into an empty database and an empty media folder, then counts
and hashes again and refuses to call it done unless everything matches the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: int(db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in sorted(names)
    }


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table (every table, Django's and any other in the schema)."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return _sqlite_counts(connection.connection)
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def file_checksums(root: Path) -> dict[str, str]:
    sums = {}
    if root.exists():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            sums[path.relative_to(root).as_posix()] = digest.hexdigest()
    return sums


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore, the password in the environment."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _dump_database(alias: str, folder: Path) -> tuple[str, dict[str, int]]:
    """Dump the database into ``folder``; (file name, rows per table of that very dump).

    The counts and the dump see the same moment: on PostgreSQL pg_dump reads the snapshot
    of the transaction that counted (``pg_export_snapshot``); on SQLite the copy is counted.
    """
    connection = connections[alias]
    if connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        target = folder / "database.dump"
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(alias)
            done = subprocess.run(  # noqa: S603
                [  # noqa: S607
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target),
                    *args,
                ],
                check=False,
                env=env,
                capture_output=True,
                text=True,
            )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
        return target.name, counts
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = folder / "database.sqlite3"
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            counts = _sqlite_counts(copy)
        finally:
            copy.close()
        return target.name, counts
    raise BackupError(f"No backup method for {connection.vendor}.")


def backup(path: Path, *, alias: str = "default") -> dict[str, Any]:
    """Write the archive to ``path``; returns its manifest."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="chairside-backup-") as tmp:
        folder = Path(tmp)
        database_file, counts = _dump_database(alias, folder)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "vendor": connections[alias].vendor,
            "database": database_file,
            "tables": counts,
            "files": file_checksums(media),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(folder / database_file, arcname=database_file)
            for name in manifest["files"]:
                archive.add(media / name, arcname=f"media/{name}")
        partial.replace(path)  # never a half-written archive under the real name
    return manifest


def _is_empty(alias: str) -> bool:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(alias: str, source: Path, vendor: str) -> None:
    connection = connections[alias]
    if vendor != connection.vendor:
        raise BackupError(
            f"The archive holds a {vendor} database; this one is {connection.vendor}."
        )
    if vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        connection.close()
        done = subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(source)],  # noqa: S607
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[-2000:]}")
        return
    connection.ensure_connection()
    original = sqlite3.connect(source)
    try:
        original.backup(connection.connection)
    finally:
        original.close()


def restore(path: Path, *, alias: str = "default") -> dict[str, Any]:
    """Load the archive into an empty database and media folder, then verify the manifest."""
    media = Path(settings.MEDIA_ROOT)
    if not _is_empty(alias):
        raise BackupError("The database is not empty: restore only into a new, empty database.")
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"The media folder {media} is not empty: restore into an empty one.")
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory() as tmp:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError("The archive has no manifest.")
        manifest: dict[str, Any] = json.load(member)
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown archive format {manifest.get('format')}.")
        archive.extractall(tmp, filter="data")  # refuses absolute paths and links out
        folder = Path(tmp)
        _restore_database(alias, folder / manifest["database"], manifest["vendor"])
        if (folder / "media").exists():
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder / "media", media, dirs_exist_ok=True)
    problems = verify(manifest, alias=alias)
    if problems:
        raise BackupError("The restore does not match the manifest: " + "; ".join(problems))
    return manifest


def verify(manifest: dict[str, Any], *, alias: str = "default") -> list[str]:
    counts = table_counts(alias)
    files = file_checksums(Path(settings.MEDIA_ROOT))
    problems = [
        f"table {table}: {counts.get(table)} rows, manifest {expected}"
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    ]
    problems += [
        f"file {name}: {'missing' if name not in files else 'checksum differs'}"
        for name, digest in manifest["files"].items()
        if files.get(name) != digest
    ]
    return problems
