"""Backups of an archive: a zip holding a consistent copy of the database (the originals live
in it) and a manifest; and restoring one into an archive folder.

    manifest.json     format, version, when, the database member's size and sha256, counts
    archive.sqlite3   the snapshot (SQLite backup API), self-contained (no WAL)

The search index is not in a backup: it is a cache, rebuilt when the restored archive opens.

A backup to restore may come from anywhere, so restoring trusts nothing in it: every member
name is checked before anything is written (nothing may land outside the target folder);
only the database the manifest names is ever extracted, and only after its declared sizes
fit the manifest, a plausible packing ratio and the free space; it is streamed under that
budget and checked against its sha256; and it must be a Clipper archive before it replaces
anything. Stale -wal, -shm and -journal files beside the target go, since SQLite would
replay them into the restored database. An existing archive is replaced only when asked.

While a backup or restore runs, its copies of the database sit in a private scratch folder
(mode 0700, files 0600) beside the target, locked; one left by a killed run is removed by
the next run in the same folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from clipper import __version__
from clipper.core.paths import DATABASE_FILENAME, ArchiveLocation
from clipper.export import sqlite_snapshot
from clipper.export.common import ExportError, describe_os_error, make_folder, utc_now

try:
    import fcntl
except ImportError:  # Windows: scratch folders are then judged by their age alone
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

BACKUP_FORMAT = "clipper-backup"
BACKUP_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = DATABASE_FILENAME
CHUNK = 1 << 20
# A manifest is about a kilobyte; anything near this is not one.
MANIFEST_LIMIT = 1 << 20
# Deflate packs at most about 1000:1, and only runs of one byte; an archive of text and
# originals packs far less (backups are compacted when mostly free pages, see
# sqlite_snapshot). Small databases are mostly empty pages, so below the floor any ratio
# passes.
MAX_PACKING_RATIO = 100
RATIO_FLOOR = 16 << 20
# Room kept free beyond the database itself (SQLite's WAL and the index need some).
FREE_SPACE_MARGIN = 16 << 20
# Files SQLite keeps beside a database and would apply to whatever database is there.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
BACKUP_SCRATCH = ".clipper-backup-"
RESTORE_SCRATCH = ".clipper-restore-"
SCRATCH_LOCK = "lock"
# A scratch folder without its lock is being set up, or was left by a run killed at once.
UNLOCKED_GRACE_SECONDS = 60
# Without file locks (Windows), a scratch folder this old is taken to be left over.
UNLOCKABLE_STALE_SECONDS = 24 * 3600


class ArchiveExists(ExportError):
    """The target folder holds an archive and replacing it was not asked for."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: `counts` are what the restored database holds, read from it."""

    folder: Path
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    original_bytes: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MB"


# -- scratch folders ---------------------------------------------------------------------------


def _in_use(folder: Path) -> bool:
    """Whether a scratch folder belongs to a backup or restore still running."""
    try:
        age = time.time() - folder.stat().st_mtime
    except OSError:
        return True  # gone already, or cannot tell: leave it
    try:
        # Never through a link, never waiting on something that is not a plain file.
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        handle = os.open(folder / SCRATCH_LOCK, flags)
    except FileNotFoundError:
        return age < UNLOCKED_GRACE_SECONDS
    except OSError:
        return True
    try:
        if fcntl is None:
            return age < UNLOCKABLE_STALE_SECONDS
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        return False  # nobody holds it: its run is gone (closing releases it again)
    finally:
        os.close(handle)


def remove_stale_scratch(parent: Path, prefix: str) -> list[Path]:
    """Remove the scratch folders (prefix*) in `parent` that no running backup or restore
    holds: a killed run leaves a whole copy of the database in one. Returns what went."""
    removed: list[Path] = []
    try:
        candidates = list(parent.glob(prefix + "*"))
    except OSError:
        return removed
    for candidate in candidates:
        if candidate.is_symlink() or not candidate.is_dir() or _in_use(candidate):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        if not candidate.exists():
            log.info("removed %s, left by a backup or restore that was stopped", candidate)
            removed.append(candidate)
    return removed


@contextlib.contextmanager
def _scratch_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A private folder in `parent` (mode 0700) for copies of the database while a backup or
    restore runs, locked for as long as it runs and removed after; stale ones go first."""
    remove_stale_scratch(parent, prefix)
    try:
        scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as exc:
        raise ExportError(f"cannot write in {parent}: {describe_os_error(exc)}") from exc
    lock = None
    try:
        lock = os.open(scratch / SCRATCH_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield scratch
    except OSError as exc:
        raise ExportError(f"cannot write in {parent}: {describe_os_error(exc)}") from exc
    finally:
        # Removed while still locked, so no other run ever sees it unlocked and half gone.
        shutil.rmtree(scratch, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def _private_file(path: Path) -> int:
    """A new file only its owner can read (0600), opened for writing."""
    return os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)


# -- backup ------------------------------------------------------------------------------------


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
    make_folder(path.parent)
    with _scratch_folder(path.parent, BACKUP_SCRATCH) as scratch:
        copy = scratch / DATABASE_MEMBER
        try:
            os.close(_private_file(copy))
            sqlite_snapshot.snapshot(database, copy)
            problems = sqlite_snapshot.integrity_problems(copy)
            described = sqlite_snapshot.describe(copy)
        except Exception as exc:  # sqlite3.Error and OSError: both mean no backup was made
            raise ExportError(f"cannot copy the database: {exc}") from exc
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
            **described,
            "index": "not included: rebuilt from the archive when it opens",
        }
        # Written inside the private folder too (it holds the whole database), then moved
        # into place whole: the zip itself gets the user's usual permissions.
        partial = scratch / "backup.zip"
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
                archive.write(copy, DATABASE_MEMBER)
            os.replace(partial, path)
        except OSError as exc:
            raise ExportError(f"cannot write the backup {path}: {describe_os_error(exc)}") from exc
    return BackupResult(path, manifest)


# -- restore -----------------------------------------------------------------------------------


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


# What can go wrong reading a member of a damaged or crafted zip: a bad CRC or header, a cut
# deflate stream, an encryption or compression zipfile cannot read.
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The backup's manifest, read under a size cap and checked for what restoring needs."""
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError:
        raise ExportError("this is not a Clipper backup (it has no manifest.json)") from None
    refusal = (
        f"refusing the backup: its manifest is over {_mib(MANIFEST_LIMIT)} (a Clipper "
        "manifest is about a kilobyte)"
    )
    if info.file_size > MANIFEST_LIMIT:
        raise ExportError(refusal)
    try:
        with archive.open(info) as handle:
            raw = handle.read(MANIFEST_LIMIT + 1)
    except _ZIP_READ_ERRORS as exc:
        raise ExportError(f"the backup is damaged: cannot read its manifest ({exc})") from None
    if len(raw) > MANIFEST_LIMIT:
        raise ExportError(refusal)
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested without end
        raise ExportError("the backup's manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise ExportError("this is not a Clipper backup (its manifest says otherwise)")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > BACKUP_VERSION:
        raise ExportError(
            f"the backup has version {str(version)[:20]!r}; this Clipper restores up to "
            f"{BACKUP_VERSION}"
        )
    return manifest


@dataclass(frozen=True)
class _DatabaseMember:
    info: zipfile.ZipInfo
    size: int
    sha256: str


def _database_member(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> _DatabaseMember:
    """The one member to restore, as the manifest names it, with its declared sizes checked
    before a byte of it is inflated."""
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("member") != DATABASE_MEMBER:
        raise ExportError("the backup holds no archive database (its manifest names none)")
    size, digest = database.get("size"), database.get("sha256")
    if (
        not isinstance(size, int)
        or isinstance(size, bool)
        or size < 0
        or not isinstance(digest, str)
    ):
        raise ExportError("the backup's manifest does not give the database's size and sha256")
    found = [info for info in archive.infolist() if info.filename == DATABASE_MEMBER]
    if not found:
        raise ExportError("the backup holds no archive database")
    if len(found) > 1:
        raise ExportError(f"refusing the backup: it holds {len(found)} members {DATABASE_MEMBER}")
    info = found[0]
    if info.flag_bits & 0x1:
        raise ExportError("refusing the backup: its database is encrypted")
    if info.file_size != size:
        raise ExportError(
            f"the backup's database does not match its manifest (damaged?): the zip says "
            f"{info.file_size:,} bytes, the manifest {size:,}"
        )
    if size > RATIO_FLOOR and size > MAX_PACKING_RATIO * max(info.compress_size, 1):
        raise ExportError(
            f"refusing the backup: its {_mib(info.compress_size)} database would inflate to "
            f"{_mib(size)}, far more than any archive packs (a zip bomb?)"
        )
    return _DatabaseMember(info, size, digest)


def _check_room(folder: Path, size: int) -> None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # cannot tell; writing will say if it fails
    if free < size + FREE_SPACE_MARGIN:
        raise ExportError(
            f"not enough room in {folder}: the archive needs {_mib(size + FREE_SPACE_MARGIN)}, "
            f"{_mib(free)} are free"
        )


def _extract(archive: zipfile.ZipFile, member: _DatabaseMember, destination: Path) -> None:
    """Inflate the database into a new private file, never past its declared size, and check
    it against the manifest's sha256."""
    digest = hashlib.sha256()
    written = 0
    try:
        with (
            archive.open(member.info) as source,
            os.fdopen(_private_file(destination), "wb") as out,
        ):
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > member.size:
                    raise ExportError(
                        "the backup's database does not match its manifest (damaged?): it is "
                        "longer than declared"
                    )
                digest.update(chunk)
                out.write(chunk)
    except _ZIP_READ_ERRORS as exc:
        raise ExportError(f"the backup is damaged: cannot read its database ({exc})") from None
    except OSError as exc:
        raise ExportError(
            f"cannot write in {destination.parent.parent}: {describe_os_error(exc)}"
        ) from exc
    if written != member.size or digest.hexdigest() != member.sha256:
        raise ExportError("the backup's database does not match its manifest (damaged?)")


def _usual_mode(scratch: Path) -> int:
    """The permissions a new archive database gets here (SQLite's 0644 less the umask), read
    from a probe file rather than by changing the process's umask."""
    probe = scratch / "mode-probe"
    probe.touch()
    return stat.S_IMODE(probe.stat().st_mode) & 0o644


def _remove_companions(target: Path) -> None:
    for suffix in SQLITE_COMPANIONS:
        companion = target.with_name(target.name + suffix)
        if companion.is_dir() and not companion.is_symlink():
            shutil.rmtree(companion)
        else:
            companion.unlink(missing_ok=True)


def _open_backup(path: str | Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ExportError(f"no backup at {path}") from None
    except IsADirectoryError:
        raise ExportError(f"{path} is a folder, not a backup") from None
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ExportError(
            f"{path} is not a Clipper backup (not a zip file, or a cut one)"
        ) from None
    except OSError as exc:
        raise ExportError(f"cannot read {path}: {describe_os_error(exc)}") from None


def restore_backup(path: str | Path, folder: str | Path, force: bool = False) -> RestoreResult:
    """Bring a backup back as the archive folder `folder`.

    Every member name is checked before anything is written, and only the manifest's
    database is extracted. An archive already in `folder` is replaced only with `force`, and
    only once the backup's database has been checked (then the stale search index goes too).
    """
    folder = Path(folder).expanduser().absolute()
    with _open_backup(path) as archive:
        members = archive.infolist()
        for info in members:
            safe_member_path(info.filename, folder)
            if _is_link(info):
                raise ExportError(f"refusing the backup: member {info.filename!r} is a link")
        manifest = read_manifest(archive)
        member = _database_member(archive, manifest)
        problems = [
            f"ignored {info.filename!r} in the backup: its manifest does not name it"
            for info in members
            if info.filename not in (MANIFEST, DATABASE_MEMBER) and not info.is_dir()
        ]
        target = folder / DATABASE_MEMBER
        if target.exists() and not force:
            raise ArchiveExists(
                f"{folder} already holds an archive; restore into an empty folder, or pass "
                "--force to replace it"
            )
        if folder.exists() and not folder.is_dir():
            raise ExportError(f"{folder} is a file, not a folder")
        make_folder(folder)
        _check_room(folder, member.size)
        with _scratch_folder(folder, RESTORE_SCRATCH) as scratch:
            copy = scratch / DATABASE_MEMBER
            _extract(archive, member, copy)
            refusal = sqlite_snapshot.not_a_clipper_archive(copy)
            if refusal:
                raise ExportError(f"refusing the backup: its database {refusal}")
            try:
                problems += sqlite_snapshot.integrity_problems(copy)
                described = sqlite_snapshot.describe(copy)
            except sqlite3.DatabaseError as exc:
                raise ExportError(
                    f"refusing the backup: its database is damaged beyond reading ({exc})"
                ) from None
            try:
                mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
                os.chmod(copy, mode if mode is not None else _usual_mode(scratch))
                # SQLite would replay a -wal or -journal left here into the restored file.
                _remove_companions(target)
                # The index describes the archive being replaced; it is rebuilt on open.
                shutil.rmtree(ArchiveLocation(folder, "").index_dir, ignore_errors=True)
                os.replace(copy, target)
            except OSError as exc:
                raise ExportError(f"cannot write in {folder}: {describe_os_error(exc)}") from exc
    counts = described["counts"]
    original_bytes = described["original_bytes"]
    return RestoreResult(
        folder,
        manifest,
        problems,
        counts=dict(counts) if isinstance(counts, dict) else {},
        original_bytes=original_bytes if isinstance(original_bytes, int) else 0,
    )
