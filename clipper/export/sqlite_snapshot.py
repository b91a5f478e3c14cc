"""The SQLite-specific part of backups, kept here and nowhere else: a consistent copy through
SQLite's online backup API, and the checks and counts read from such a copy.

A database from a backup to restore is untrusted: it is opened with `trusted_schema` off (no
function in a view or trigger runs), and `not_a_clipper_archive` checks its schema is
Clipper's before anything else reads it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from clipper.core.db import alembic_config
from clipper.core.models import Base

log = logging.getLogger(__name__)

# A copy with more than this share of free pages is compacted. SQLite builds with
# secure_delete zero the pages they free, so an archive whose trash was purged can be mostly
# zeros, and a backup of it would pack like a zip bomb (which restore refuses).
COMPACT_FREE_SHARE = 0.25

# Tables counted into a backup's manifest (names from clipper.core.models).
COUNTED_TABLES = ("clippings", "originals", "notes", "links", "tags", "dossiers", "changes")
# Tables every Clipper archive has had since the first revision.
CORE_TABLES = frozenset({"clippings", "originals", "tags", "changes", "alembic_version"})


def sqlite_file(database_url: str) -> Path | None:
    """The database file behind a SQLAlchemy URL, or None when it is not a SQLite file."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        # Nothing in the file's own schema (a view, a trigger) may call a function.
        connection.execute("PRAGMA trusted_schema=OFF")
        yield connection
    finally:
        connection.close()


def snapshot(source: Path, destination: Path) -> None:
    """Copy a live database to `destination` in one step of the backup API.

    Copying every page in one step holds one read transaction throughout, so the copy is the
    database as of one moment even while the app keeps writing (WAL lets writers go on).
    The copy is switched to a rollback journal so it is one self-contained file, and
    compacted when it is mostly free pages.
    """
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    with _connect(source) as src, _connect(destination) as dst:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        free = dst.execute("PRAGMA freelist_count").fetchone()[0]
    if pages and free / pages > COMPACT_FREE_SHARE:
        _compact(destination)


def _compact(path: Path) -> None:
    """Rewrite the copy without its free pages (beside it, private like it). A copy that
    cannot be compacted (a damaged archive) is kept as the page copy it is."""
    compact = path.with_name(path.name + ".compact")
    try:
        os.close(os.open(compact, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        with _connect(path) as connection:
            connection.execute("VACUUM INTO ?", (str(compact),))
        os.replace(compact, path)
    except sqlite3.DatabaseError as exc:
        log.warning("the backup keeps the archive's free pages: compacting failed (%s)", exc)
    finally:
        compact.unlink(missing_ok=True)


def integrity_problems(path: Path) -> list[str]:
    with _connect(path) as connection:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else [f"sqlite integrity: {row}" for row in rows]
        for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points to a missing {parent} row")
    return problems


def describe(path: Path) -> dict[str, object]:
    """Row counts, bytes of originals and the schema revision of a database copy."""
    with _connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in COUNTED_TABLES
            if table in tables
        }
        original_bytes = 0
        if "originals" in tables:
            original_bytes = connection.execute(
                "SELECT coalesce(sum(length(data)), 0) FROM originals"
            ).fetchone()[0]
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return {"counts": counts, "original_bytes": original_bytes, "schema_revision": revision}


def known_revisions() -> frozenset[str]:
    """Every schema revision this Clipper's migrations know (older ones upgrade on open)."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(revision.revision for revision in script.walk_revisions())


def not_a_clipper_archive(path: Path) -> str | None:
    """Why the database at `path` is not a Clipper archive this version can open, or None.

    It must be SQLite, with Clipper's tables, a schema revision of Clipper's migrations, and
    nothing Clipper never makes (other tables, views, triggers: a trigger would run on the
    archive's own writes).
    """
    try:
        with _connect(path) as connection:
            objects = connection.execute("SELECT type, name FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:
        return f"is not a SQLite database ({exc})"
    tables = {name for kind, name in objects if kind == "table"}
    if not tables.issuperset(CORE_TABLES):
        return "is not a Clipper archive (it lacks Clipper's tables)"
    try:
        with _connect(path) as connection:
            query = "SELECT version_num FROM alembic_version"
            revisions = [row[0] for row in connection.execute(query)]
    except sqlite3.DatabaseError as exc:
        return f"is not a Clipper archive (its schema revision cannot be read: {exc})"
    if len(revisions) != 1:
        return "is not a Clipper archive (it has no single schema revision)"
    if revisions[0] not in known_revisions():
        return (
            f"has schema revision {str(revisions[0])[:40]!r}, which this Clipper does not know "
            "(made by a newer Clipper?)"
        )
    active = sorted(name for kind, name in objects if kind in ("trigger", "view"))
    if active:
        return f"is not a Clipper archive (it has views or triggers: {', '.join(active[:5])})"
    known = set(Base.metadata.tables) | CORE_TABLES
    foreign = sorted(t for t in tables if t not in known and not t.startswith("sqlite_"))
    if foreign:
        return f"is not a Clipper archive (it has other tables: {', '.join(foreign[:5])})"
    return None
