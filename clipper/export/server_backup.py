"""Backups of an archive on a database server (PostgreSQL), and restoring them.

A SQLite archive is backed up as a copy of its file (`backup.py`); a server's database cannot
be copied that way while desks keep working, so its backup is the whole archive as a Clipper
JSON export (every field, tag tree, note, link, dossier and original file), read inside one
read-only snapshot transaction (`Archive.snapshot`, REPEATABLE READ): what other desks commit
meanwhile is in the next backup, never half in this one.

    manifest.json   format and version as `backup.py`'s, kind "json-export", the export
                    member's size and sha256, counts
    archive.json    the export

Restoring one recreates the archive (same content and times, new ids) in a new archive
folder, or, with `--database URL`, in an empty server database, in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from clipper import __version__
from clipper.core.archive import Archive, ArchiveError
from clipper.core.db import describe
from clipper.core.paths import DATABASE_FILENAME, ArchiveLocation, resolve_location
from clipper.core.views import ClippingFilter
from clipper.export.backup import (
    BACKUP_FORMAT,
    BACKUP_VERSION,
    CHUNK,
    MANIFEST,
    ArchiveExists,
    BackupResult,
    RestoreResult,
    read_manifest,
    safe_member_path,
)
from clipper.export.common import ExportError, atomic_output, utc_now

SERVER_KIND = "json-export"
EXPORT_MEMBER = "archive.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_server_backup(location: ArchiveLocation, path: str | Path) -> BackupResult:
    """Snapshot the server archive at `location` into the zip file `path`."""
    from clipper.export.json_export import read_export, write_json_export

    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give the backup a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        Archive(location) as archive,
        tempfile.TemporaryDirectory(prefix=".clipper-backup-", dir=path.parent) as scratch,
    ):
        export = Path(scratch) / EXPORT_MEMBER
        with archive.snapshot():
            written = write_json_export(archive, export, None)
        # Read back whole: a backup that would not restore is caught now, not on the day.
        originals = sum(c.draft.original is not None for c in read_export(export).clippings)
        manifest: dict[str, Any] = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "kind": SERVER_KIND,
            "clipper_version": __version__,
            "created_at": utc_now().isoformat() + "Z",
            "source": describe(location.database_url),
            "export": {
                "member": EXPORT_MEMBER,
                "size": export.stat().st_size,
                "sha256": _sha256(export),
            },
            "counts": {
                "clippings": written.clippings,
                "originals": originals,
                "links": written.links,
                "dossiers": written.dossiers,
                "tags": written.tags,
            },
            "index": "not included: rebuilt from the archive when it opens",
        }
        with (
            atomic_output(path, ".zip") as temporary,
            zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as zipped,
        ):
            zipped.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
            zipped.write(export, EXPORT_MEMBER)
    return BackupResult(path, manifest)


def is_server_backup(path: str | Path) -> bool:
    """A backup made by `write_server_backup` (False for anything else, readable or not)."""
    try:
        with zipfile.ZipFile(path) as zipped:
            return read_manifest(zipped).get("kind") == SERVER_KIND
    except (OSError, zipfile.BadZipFile, ExportError):
        return False


def _extract_export(zipped: zipfile.ZipFile, manifest: dict[str, Any], scratch: Path) -> Path:
    """The export member, checked against the manifest before and while it is written."""
    declared = manifest.get("export") or {}
    if declared.get("member") != EXPORT_MEMBER or EXPORT_MEMBER not in zipped.namelist():
        raise ExportError("the backup holds no archive export")
    size = declared.get("size")
    info = zipped.getinfo(EXPORT_MEMBER)
    if not isinstance(size, int) or info.file_size != size:
        raise ExportError("the backup's export does not match its manifest (damaged?)")
    target = safe_member_path(EXPORT_MEMBER, scratch)
    written = 0
    with zipped.open(info) as source, target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > size:
                raise ExportError("the backup's export is larger than its manifest says")
            out.write(chunk)
    if written != size or _sha256(target) != declared.get("sha256"):
        raise ExportError("the backup's export does not match its manifest (damaged?)")
    return target


def _is_empty(archive: Archive) -> bool:
    return not (
        archive.count() or archive.count(ClippingFilter(in_trash=True)) or archive.dossiers()
    )


def restore_server_backup(
    path: str | Path, folder: str | Path, database_url: str | None = None, force: bool = False
) -> RestoreResult:
    """Recreate the backed-up archive in the archive folder `folder` (a new SQLite archive
    there, replacing one only with `force`) or, given `database_url`, in that database,
    which must hold no clippings or dossiers yet."""
    from clipper.export.json_export import import_export, read_export

    folder = Path(folder).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file, not a folder")
    try:
        zipped = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ExportError(f"no backup at {path}") from None
    except zipfile.BadZipFile:
        raise ExportError(f"{path} is not a Clipper backup (not a zip file)") from None
    with zipped:
        for info in zipped.infolist():
            safe_member_path(info.filename, folder)
        manifest = read_manifest(zipped)
        if manifest.get("kind") != SERVER_KIND:
            raise ExportError("this backup is a SQLite archive's: restore it with clipper restore")
        target = folder / DATABASE_FILENAME
        if database_url is None and target.exists() and not force:
            raise ArchiveExists(
                f"{folder} already holds an archive; restore into an empty folder, or pass "
                "--force to replace it"
            )
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".clipper-restore-", dir=folder) as scratch:
            export = read_export(_extract_export(zipped, manifest, Path(scratch)))
            try:
                if database_url is not None:
                    with Archive(ArchiveLocation(folder, database_url)) as archive:
                        if not _is_empty(archive):
                            raise ArchiveExists(
                                f"{describe(database_url)} already holds an archive; restore "
                                "into an empty database"
                            )
                        import_export(archive, export)
                        problems = archive.integrity_problems()
                else:
                    staged = resolve_location(Path(scratch) / "archive")
                    with Archive(staged) as archive:
                        import_export(archive, export)
                        problems = archive.integrity_problems()
                    for stale in (f"{DATABASE_FILENAME}-wal", f"{DATABASE_FILENAME}-shm"):
                        (folder / stale).unlink(missing_ok=True)
                    # The index describes the archive being replaced; it is rebuilt on open.
                    shutil.rmtree(ArchiveLocation(folder, "").index_dir, ignore_errors=True)
                    os.replace(staged.home / DATABASE_FILENAME, target)
            except ArchiveError as exc:
                raise ExportError(f"cannot restore into {folder}: {exc}") from exc
    return RestoreResult(folder, manifest, problems)
