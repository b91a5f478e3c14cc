"""Backups of an archive: a zip holding a consistent copy of the database (the originals live
in it) and a manifest; and restoring one into an archive folder.

    manifest.json     format, version, when, the database member's size and sha256, counts
    archive.sqlite3   the snapshot (SQLite backup API), self-contained (no WAL)

The search index is not in a backup: it is a cache, rebuilt when the restored archive opens.
Restoring checks every member path before writing anything and refuses a backup with any
path that would land outside the target folder, and refuses to replace an existing archive
unless asked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from clipper import __version__
from clipper.core.paths import DATABASE_FILENAME, ArchiveLocation
from clipper.export import sqlite_snapshot
from clipper.export.common import ExportError, atomic_output, utc_now

log = logging.getLogger(__name__)

BACKUP_FORMAT = "clipper-backup"
BACKUP_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = DATABASE_FILENAME
CHUNK = 1 << 20


class ArchiveExists(ExportError):
    """The target folder holds an archive and replacing it was not asked for."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    folder: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_backup(location: ArchiveLocation, path: str | Path) -> BackupResult:
    """Snapshot the archive at `location` into the zip file `path`."""
    database = sqlite_snapshot.sqlite_file(location.database_url)
    if database is None:
        raise ExportError(
            "clipper backup copies SQLite archives; back up a shared database with its own "
            "tools (pg_dump for PostgreSQL), or use clipper export --json"
        )
    if not database.exists():
        raise ExportError(f"there is no archive at {database}")
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give the backup a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".clipper-backup-", dir=path.parent) as scratch:
        copy = Path(scratch) / DATABASE_MEMBER
        try:
            sqlite_snapshot.snapshot(database, copy)
        except Exception as exc:  # sqlite3.Error and OSError: both mean no backup was made
            raise ExportError(f"cannot copy the database: {exc}") from exc
        problems = sqlite_snapshot.integrity_problems(copy)
        if problems:
            # Still written: a damaged archive is when a copy of it matters most.
            log.warning("backing up an archive with problems: %s", "; ".join(problems))
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "clipper_version": __version__,
            "created_at": utc_now().isoformat() + "Z",
            "source": str(location.home),
            "database": {
                "member": DATABASE_MEMBER,
                "size": copy.stat().st_size,
                "sha256": _sha256(copy),
                "integrity": problems or "ok",
            },
            **sqlite_snapshot.describe(copy),
            "index": "not included: rebuilt from the archive when it opens",
        }
        with (
            atomic_output(path, ".zip") as temporary,
            zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            archive.write(copy, DATABASE_MEMBER)
    return BackupResult(path, manifest)


def safe_member_path(name: str, folder: Path) -> Path:
    """Where a member would land in `folder`; raises for any name that could leave it."""
    if not name or "\\" in name or "\x00" in name:
        raise ExportError(f"refusing the backup: member {name!r} has an unsafe name")
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise ExportError(f"refusing the backup: member {name!r} would be written outside {folder}")
    target = (folder / pure).resolve()
    root = folder.resolve()
    if target != root and root not in target.parents:
        raise ExportError(f"refusing the backup: member {name!r} would be written outside {folder}")
    return target


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ExportError("this is not a Clipper backup (it has no manifest.json)") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ExportError("the backup's manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise ExportError("this is not a Clipper backup (its manifest says otherwise)")
    if not isinstance(manifest.get("version"), int) or manifest["version"] > BACKUP_VERSION:
        raise ExportError(
            f"the backup has version {manifest.get('version')!r}; this Clipper restores up to "
            f"{BACKUP_VERSION}"
        )
    return manifest


def restore_backup(path: str | Path, folder: str | Path, force: bool = False) -> RestoreResult:
    """Bring a backup back as the archive folder `folder`.

    Every member name is checked before anything is written. An archive already in `folder`
    is replaced only with `force` (and then its stale search index is removed with it).
    """
    folder = Path(folder).expanduser().absolute()
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ExportError(f"no backup at {path}") from None
    except zipfile.BadZipFile:
        raise ExportError(f"{path} is not a Clipper backup (not a zip file)") from None
    with archive:
        members = archive.infolist()
        for info in members:
            safe_member_path(info.filename, folder)
            if _is_link(info):
                raise ExportError(f"refusing the backup: member {info.filename!r} is a link")
        manifest = read_manifest(archive)
        database = manifest.get("database") or {}
        if database.get("member") != DATABASE_MEMBER or DATABASE_MEMBER not in archive.namelist():
            raise ExportError("the backup holds no archive database")
        target = folder / DATABASE_MEMBER
        if target.exists() and not force:
            raise ArchiveExists(
                f"{folder} already holds an archive; restore into an empty folder, or pass "
                "--force to replace it"
            )
        if folder.exists() and not folder.is_dir():
            raise ExportError(f"{folder} is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".clipper-restore-", dir=folder) as scratch:
            staged = Path(scratch)
            for info in members:
                if info.filename == MANIFEST or info.is_dir():
                    continue
                destination = safe_member_path(info.filename, staged)
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, destination.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
            copy = staged / DATABASE_MEMBER
            if copy.stat().st_size != database.get("size") or _sha256(copy) != database.get(
                "sha256"
            ):
                raise ExportError("the backup's database does not match its manifest (damaged?)")
            problems = sqlite_snapshot.integrity_problems(copy)
            if force:
                for stale in (f"{DATABASE_MEMBER}-wal", f"{DATABASE_MEMBER}-shm"):
                    (folder / stale).unlink(missing_ok=True)
                # The index describes the archive being replaced; it is rebuilt on open.
                shutil.rmtree(ArchiveLocation(folder, "").index_dir, ignore_errors=True)
            for staged_file in sorted(p for p in staged.rglob("*") if p.is_file()):
                final = folder / staged_file.relative_to(staged)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged_file, final)
    return RestoreResult(folder, manifest, problems)
