"""Opening an archive's database: the URL and its driver, SQLite's pragmas and transactions,
recognising a Clipper archive (and repairing one an interrupted upgrade left behind), the
automatic schema upgrade, and database errors turned into the archive's own.

This is the only module that knows the database may be SQLite or PostgreSQL; everything else
speaks plain SQLAlchemy so a newsroom can point every desk at one PostgreSQL database.

SQLite transactions: the driver's own transaction handling is off (`isolation_level=None`)
and every transaction starts with an explicit BEGIN, so that a schema upgrade is one
transaction (pysqlite would commit each CREATE on its own, and a crash halfway left an
archive that no later upgrade could pass) and so that a write transaction takes the write
lock at once (`BEGIN IMMEDIATE`): two processes checking for a duplicate and then inserting
cannot both pass the check.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import sqlite3
import weakref
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session

from clipper.core.errors import ArchiveDamaged, ArchiveUnavailable, StorageError
from clipper.core.models import Base
from clipper.core.paths import MIGRATIONS_DIR

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option that marks a connection's transaction as a write (BEGIN IMMEDIATE).
WRITING = "clipper_writing"
POSTGRES_EXTRA = "pip install 'clipper[postgres]'"
# Tables an interrupted upgrade may leave half-filled that the upgrade fills again itself.
_DERIVED_TABLES = frozenset({"shingle_bands"})
_ALEMBIC_TMP = "_alembic_tmp_"
# What `make_engine` learnt of each engine: how to name its database, and whether read-only.
_PLACES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_READONLY: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def is_sqlite(url: str) -> bool:
    return database_url(url).get_backend_name() == "sqlite"


def database_url(url: str) -> URL:
    """The parsed URL; a plain `postgresql://` means psycopg 3, the driver Clipper ships."""
    if not url or not url.strip():
        raise ArchiveUnavailable("the database URL is empty")
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ArchiveUnavailable(
            f"{url!r} is not a database URL (use postgresql://USER@HOST/DATABASE)"
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def describe(url: str | URL) -> str:
    """The database as a user would name it: the SQLite file, or host/database on a server."""
    parsed = database_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or ":memory:")
    where = parsed.host or "localhost"
    if parsed.port:
        where += f":{parsed.port}"
    return f"{parsed.get_backend_name()} database {parsed.database or '?'} on {where}"


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite URL (None for an in-memory or non-SQLite database)."""
    parsed = database_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


# -- SQLite connections ------------------------------------------------------------------------


def _sqlite_on_connect(readonly: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        # The driver must not open or commit transactions by itself (see the module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not readonly:
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across application crashes in WAL mode; only power loss may
            # roll back the last commits, never corrupt the file.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _sqlite_begin(conn: Connection) -> None:
    writing = conn.get_execution_options().get(WRITING, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _readonly_file(path: Path) -> bool:
    """An existing database this process may not write (WAL also needs its folder)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _wal_has_data(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _readonly_sqlite_url(path: Path) -> str:
    # Without a -wal file there is nothing SQLite would need to write down to read; it may
    # then treat the file as immutable and create no -shm either.
    flags = "mode=ro" if _wal_has_data(path) else "mode=ro&immutable=1"
    return f"sqlite:///file:{quote(str(path.resolve()))}?{flags}&uri=true"


def _checked_sqlite_file(path: Path) -> None:
    """A clear refusal for a database path that cannot be an archive's file."""
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ArchiveUnavailable(f"{folder} is not a folder, so it cannot hold {path.name}")
    if path.exists() and not path.is_file():
        raise ArchiveUnavailable(f"{path} is not a database file")
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveUnavailable(
                f"cannot create the folder {folder}: {exc.strerror or exc}"
            ) from None


# -- errors ------------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__


def _translate(
    place: str, exc: BaseException, connecting: bool, readonly_because: str | None = None
) -> Exception | None:
    """The archive's error for a database error from the environment, or None for the rest
    (constraint violations, bugs) which keep their own."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary == sqlite3.SQLITE_FULL:
            return StorageError(f"the disk holding {place} is full: nothing was stored")
        if primary == sqlite3.SQLITE_READONLY:
            if readonly_because:
                return StorageError(f"{place} can only be read now: {readonly_because}")
            return StorageError(f"{place} is read-only: the archive can be read but not changed")
        if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return ArchiveDamaged(
                f"{place} is damaged or not a database ({_first_line(exc)}); "
                "restore a backup (clipper restore)"
            )
        if primary == sqlite3.SQLITE_IOERR:
            return StorageError(f"cannot read or write {place}: {_first_line(exc)}")
        if primary == sqlite3.SQLITE_CANTOPEN:
            return ArchiveUnavailable(f"cannot open {place}: {_first_line(exc)}")
        if primary == sqlite3.SQLITE_BUSY:
            return StorageError(f"{place} stayed locked by another program: try again")
        return None
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate is not None:
        if sqlstate.startswith("53"):  # insufficient resources: disk full, out of memory
            return StorageError(f"the server holding {place} cannot store more: {_first_line(exc)}")
        if sqlstate == "25006":  # read-only transaction
            return StorageError(f"{place} is read-only: the archive can be read but not changed")
        if sqlstate.startswith(("08", "28", "3D", "57P")):
            return ArchiveUnavailable(f"cannot use {place}: {_first_line(exc)}")
        return None
    if connecting and type(exc).__module__.startswith("psycopg"):
        # psycopg raises OperationalError without a SQLSTATE when no server answers.
        return ArchiveUnavailable(f"cannot connect to {place}: {_first_line(exc)}")
    return None


def _on_error(place: str, readonly_because: str | None) -> Any:
    def handle_error(context: ExceptionContext) -> None:
        translated = _translate(
            place,
            context.original_exception,
            connecting=context.connection is None,
            readonly_because=readonly_because,
        )
        if translated is not None:
            log.debug("database error on %s", place, exc_info=context.original_exception)
            raise translated from context.original_exception

    return handle_error


# -- engines -----------------------------------------------------------------------------------


def make_engine(
    url: str, *, readonly: bool | None = None, readonly_because: str | None = None
) -> Engine:
    """An engine for `url`: SQLite with foreign keys, WAL and explicit transactions (opened
    read-only when the file may not be written, or `readonly=True`); any other database as
    SQLAlchemy connects to it. Raises ArchiveUnavailable for a URL, driver or file that
    cannot be used."""
    parsed = database_url(url)
    place = describe(parsed)
    path = sqlite_path(parsed)
    try:
        if parsed.get_backend_name() == "sqlite":
            if path is not None:
                _checked_sqlite_file(path)
                readonly = _readonly_file(path) if readonly is None else readonly
            target = _readonly_sqlite_url(path) if readonly and path else parsed
            engine = create_engine(
                target,
                connect_args={
                    "check_same_thread": False,
                    "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                },
            )
            event.listen(engine, "connect", _sqlite_on_connect(bool(readonly)))
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except NoSuchModuleError:
        raise ArchiveUnavailable(
            f"{parsed.render_as_string()!r}: Clipper does not know the database kind "
            f"{parsed.drivername!r}"
        ) from None
    except ImportError as exc:
        hint = POSTGRES_EXTRA if parsed.get_backend_name() == "postgresql" else "install it"
        raise ArchiveUnavailable(
            f"the driver for {place} is not installed ({exc.name or exc}): {hint}"
        ) from None
    except ArgumentError as exc:
        raise ArchiveUnavailable(f"{parsed.render_as_string()!r} cannot be used: {exc}") from None
    event.listen(engine, "handle_error", _on_error(place, readonly_because))
    _PLACES[engine] = place
    _READONLY[engine] = bool(readonly)
    return engine


def is_readonly(engine: Engine) -> bool:
    return _READONLY.get(engine, False)


def place_of(engine: Engine) -> str:
    return _PLACES.get(engine) or str(engine.url)


@contextlib.contextmanager
def writing_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose transactions are writes (SQLite: BEGIN IMMEDIATE)."""
    with engine.connect() as conn:
        yield conn.execution_options(**{WRITING: True})


def mark_writing(session: Session) -> None:
    """Make the session's transaction a write from its start (call right after begin)."""
    session.connection(execution_options={WRITING: True})


def _dialect_name(session: Session | Connection) -> str:
    if isinstance(session, Connection):
        return session.dialect.name
    return session.get_bind().dialect.name


def serialize_writers(session: Session | Connection, name: str) -> None:
    """Let one desk at a time run the rest of this transaction (a schema upgrade, the
    gazetteer's region sync). SQLite's write lock already does; PostgreSQL needs a lock."""
    if _dialect_name(session) == "postgresql":
        key = zlib.crc32(f"clipper:{name}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def race_savepoint(session: Session) -> contextlib.AbstractContextManager[object]:
    """Where an insert may lose a race to another desk's and fail on a unique key: a
    savepoint to roll back to on a server database. SQLite needs none: its write transactions
    hold the lock from their start, so a check before the insert sees everything committed
    (and SQLite may roll a whole transaction back on a full disk, savepoints and all)."""
    if _dialect_name(session) == "sqlite":
        return contextlib.nullcontext()
    return session.begin_nested()


def insert_if_absent(session: Session, model: type[Base], values: Mapping[str, Any]) -> bool:
    """INSERT the row unless one with the same unique key is there, or being inserted by
    another desk (which the database then waits for): insert-or-get without a race. True
    when this call inserted it."""
    dialect = _dialect_name(session)
    if dialect == "postgresql":
        statement: Any = pg_dialect.insert(model).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_dialect.insert(model).values(**values).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"insert-or-get on {dialect}")
    # RETURNING, not rowcount: no row comes back for a conflict, on every driver.
    key = inspect(model).primary_key
    return session.execute(statement.returning(*key)).first() is not None


# -- the schema --------------------------------------------------------------------------------


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migrations this Clipper ships, read once: they do not change while it runs, and
    reading them (16 ms) was paid two or three times by every opening of an archive."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str | None:
    return _scripts().get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def _clipper_names() -> set[str]:
    """Every table and index name Clipper's newest schema has, and the version table."""
    names = {"alembic_version"}
    for table in Base.metadata.tables.values():
        names.add(table.name)
        names.update(str(index.name) for index in table.indexes if index.name)
    return names


def _sqlite_objects(conn: Connection) -> dict[str, tuple[str, str | None]]:
    """Tables and indexes by name: (type, the table an index belongs to)."""
    rows = conn.exec_driver_sql(
        "SELECT name, type, tbl_name FROM sqlite_master"
        " WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'"
    )
    return {name: (kind, table) for name, kind, table in rows}


def _expected_sqlite_objects(revision: str | None) -> set[str]:
    """The tables and indexes an archive has at `revision`, from the migrations themselves."""
    if revision is None:
        return set()
    scratch = create_engine("sqlite://")
    event.listen(scratch, "connect", _sqlite_on_connect(False))
    event.listen(scratch, "begin", _sqlite_begin)
    try:
        with scratch.connect() as conn, conn.begin():
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            return set(_sqlite_objects(conn))
    finally:
        scratch.dispose()


def _repair_interrupted_upgrade(conn: Connection, place: str, revision: str | None) -> None:
    """Drop what an upgrade that was killed halfway (before upgrades were one transaction)
    left behind: tables and indexes of a later revision than the one recorded. Refuses when
    one of them holds data that the upgrade would not make again."""
    objects = _sqlite_objects(conn)
    expected = _expected_sqlite_objects(revision)
    clipper_names = _clipper_names()
    missing = sorted(expected - set(objects) - {"alembic_version"})
    if missing:
        raise ArchiveDamaged(f"{place} is damaged: it lacks {', '.join(missing)}; restore a backup")
    debris = {
        name: kind
        for name, (kind, _table) in objects.items()
        if name not in expected and (name in clipper_names or name.startswith(_ALEMBIC_TMP))
    }
    if not debris:
        return
    for name, kind in debris.items():
        if kind != "table" or name in _DERIVED_TABLES:
            continue
        original = name.removeprefix(_ALEMBIC_TMP)
        if name.startswith(_ALEMBIC_TMP) and original in objects:
            continue  # a copy being made of a table that is still there
        if conn.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first() is not None:
            raise ArchiveUnavailable(
                f"{place} was left half-upgraded and its table {name} holds data; "
                "restore a backup, or open it with the Clipper that made it"
            )
    log.warning(
        "%s: removing what an interrupted upgrade left behind: %s",
        place,
        ", ".join(sorted(debris)),
    )
    for name, kind in sorted(debris.items(), key=lambda item: item[1] != "index"):
        if kind == "index":
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name, kind in debris.items():
        if kind == "table":
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')


def _recognise(conn: Connection, place: str) -> str | None:
    """The archive's schema revision (None for an empty database); refuses a database that is
    not a Clipper archive or is one from a newer Clipper."""
    tables = set(inspect(conn).get_table_names())
    revision = MigrationContext.configure(conn).get_current_revision()
    if revision is None:
        foreign = sorted(tables - _clipper_names())
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise ArchiveUnavailable(
                f"{place} is not a Clipper archive (it holds other tables: {shown}); "
                "point Clipper at an empty database or an archive of its own"
            )
        return None
    if revision not in _known_revisions():
        raise ArchiveUnavailable(
            f"{place} is not an archive this Clipper can open (schema revision {revision!r}: "
            "made by a newer Clipper, or by another program)"
        )
    return revision


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """The engine of an archive's database, its schema checked (and brought to the newest
    revision when `migrate`, in one transaction; a read-only archive is never upgraded)."""
    engine = make_engine(url)
    place = place_of(engine)
    try:
        try:
            with engine.connect() as conn:
                revision = _recognise(conn, place)
        except StorageError as exc:
            # SQLite in WAL mode writes its -shm and -wal files just to open a database: on a
            # full disk even reading fails. A cleanly closed archive can still be read.
            path = sqlite_path(url)
            if path is None or not path.exists() or _wal_has_data(path):
                raise
            engine.dispose()
            reason = str(exc)
            if shutil.disk_usage(path.parent).free < 1 << 20:
                reason = "the disk holding it is full"
            log.info("%s opened for reading only: %s", place, reason)
            engine = make_engine(url, readonly=True, readonly_because=reason)
            with engine.connect() as conn:
                revision = _recognise(conn, place)
        head = head_revision()
        if revision != head and migrate:
            if is_readonly(engine):
                raise ArchiveUnavailable(
                    f"{place} is read-only and was made by an older Clipper: it needs an "
                    "upgrade that cannot be written"
                )
            upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_pending(url: str) -> str | None:
    """The schema revision of an archive that opening it will upgrade (it was made by an
    older Clipper), else None: new, current, or not readable here (opening it says why). An
    upgrade runs once, and on a large archive it can take minutes (0008 re-keys every
    clipping: 2.5 minutes at 200,000), so the window says so while it runs."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        return None  # a new archive: nothing to upgrade (and no file made by asking)
    try:
        engine = make_engine(url)
    except Exception:
        return None
    try:
        with engine.connect() as conn:
            revision = _recognise(conn, place_of(engine))
    except Exception:
        return None
    finally:
        engine.dispose()
    return revision if revision is not None and revision != head_revision() else None


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest migration in one transaction, on the archive's own
    connection: a crash leaves the archive as it was. One desk at a time upgrades a shared
    database; the others wait and find it done."""
    revision = current_revision(engine)
    if revision == head_revision():
        return
    place = place_of(engine)
    sqlite = engine.dialect.name == "sqlite"
    if revision is not None:
        log.warning(
            "upgrading %s for this version of Clipper (once; on a large archive this takes "
            "a few minutes)",
            place,
        )
    with writing_connection(engine) as conn:
        raw = conn.connection.dbapi_connection
        if sqlite:
            # Off outside the transaction (SQLite ignores it inside one): a migration that
            # rebuilds a table must not cascade the DROP into its children. Checked below.
            raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                serialize_writers(conn, "schema upgrade")
                revision = _recognise(conn, place)
                if sqlite:
                    _repair_interrupted_upgrade(conn, place, revision)
                cfg = alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise ArchiveDamaged(
                            f"{place}: the upgrade would leave {len(broken)} row(s) pointing "
                            "at nothing; nothing was changed"
                        )
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    log.info("archive schema upgraded to %s", head_revision())


def integrity_problems(engine: Engine) -> list[str]:
    """The database engine's own consistency checks (SQLite: integrity and foreign keys)."""
    if engine.dialect.name != "sqlite":
        return []
    problems: list[str] = []
    with engine.connect() as conn:
        result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        if result != ["ok"]:
            more = f" (and {len(result) - 1} more)" if len(result) > 1 else ""
            problems.append(f"the database file is damaged: {result[0]}{more}")
        for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} points to a missing {parent} row")
    return problems
