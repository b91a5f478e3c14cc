"""The SQLite-specific part of backups, kept here and nowhere else: a consistent copy through
SQLite's online backup API, and the checks and counts read from such a copy.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

# Tables counted into a backup's manifest (names from clipper.core.models).
COUNTED_TABLES = ("clippings", "originals", "notes", "links", "tags", "dossiers", "changes")


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
        yield connection
    finally:
        connection.close()


def snapshot(source: Path, destination: Path) -> None:
    """Copy a live database to `destination` in one step of the backup API.

    Copying every page in one step holds one read transaction throughout, so the copy is the
    database as of one moment even while the app keeps writing (WAL lets writers go on).
    The copy is switched to a rollback journal so it is one self-contained file.
    """
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    with _connect(source) as src, _connect(destination) as dst:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")


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
