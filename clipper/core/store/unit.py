"""`Store`: the archive's database and its one write path.

The store owns the engine, the sessions and the write lock; every store class opens its
sessions through `reading()` and `writing()` here and appends to the change log with
`log_change`, so there is one way to write and one change log. Writes are serialized within
the process (SQLite has one writer); `batch()` makes every operation of a thread one
transaction.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from clipper.core import db
from clipper.core.errors import InvalidInput, NotFound
from clipper.core.models import Change, Clipping, utcnow
from clipper.core.paths import ArchiveLocation
from clipper.core.vocabulary import ChangeOp

T = TypeVar("T")


class Store:
    """An open archive database. `migrate=False` opens it as it is (an indexing worker reads
    an archive the app has already brought up to date)."""

    def __init__(self, location: ArchiveLocation, *, migrate: bool = True) -> None:
        self.location = location
        self.engine = db.open_database(location.database_url, migrate=migrate)
        # A read-only archive (its file or folder may not be written) is opened for reading.
        self.readonly = db.is_readonly(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        # The session of a `batch` running on this thread, if any.
        self._batch = threading.local()

    @classmethod
    def open_readonly(cls, location: ArchiveLocation) -> Store:
        """The store of an archive that is already open elsewhere, for reading only: no
        migration, no gazetteer sync (an indexing worker)."""
        return cls(location, migrate=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        batch = getattr(self._batch, "session", None)
        if batch is not None:
            # Inside a batch, reads must see the batch's own uncommitted writes.
            yield batch
            return
        with self._sessions() as session:
            yield session

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """One transaction, serialized with every other write of this process."""
        batch = getattr(self._batch, "session", None)
        if batch is not None:
            yield batch
            return
        with (
            _conflicts_said_plainly(),
            self._write_lock,
            self._sessions() as session,
            session.begin(),
        ):
            db.mark_writing(session)
            yield session

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Make every operation of this thread inside the block one transaction: all of them
        are committed at the end, or none if the block raises (an import that stops halfway
        leaves the archive as it was). Other threads' writes wait until the block ends.

        Reads on this thread see the batch's writes; the search index does not until the
        end, so do not search inside a batch. Nested batches join the outer one.
        """
        if getattr(self._batch, "session", None) is not None:
            yield
            return
        with (
            _conflicts_said_plainly(),
            self._write_lock,
            self._sessions() as session,
            session.begin(),
        ):
            db.mark_writing(session)
            self._batch.session = session
            try:
                yield
            finally:
                self._batch.session = None

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Make every read of this thread inside the block see the archive as it was when the
        block began, while other desks go on writing (a backup of a shared archive): one
        read-only REPEATABLE READ transaction on a server; on SQLite one read transaction,
        which sees one state of the file. Do not write inside it."""
        if getattr(self._batch, "session", None) is not None:
            yield
            return
        with self._sessions() as session:
            if self.engine.dialect.name == "postgresql":
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                session.execute(text("SET TRANSACTION READ ONLY"))
            # The snapshot starts with the transaction's first read: take it now.
            session.execute(select(func.count()).select_from(Change))
            self._batch.session = session
            try:
                yield
            finally:
                self._batch.session = None

    @staticmethod
    def log_change(session: Session, clipping_ids: Iterable[int], op: ChangeOp) -> int | None:
        """Append one row per clipping to the change log, in the caller's transaction;
        returns the last change number written (None when there was nothing to log).

        The numbers are the ones this transaction wrote (RETURNING), not the log's highest:
        on a shared server another desk may have committed a higher one meanwhile."""
        rows = [{"clipping_id": cid, "op": op, "at": utcnow()} for cid in clipping_ids]
        if not rows:
            return None
        written = session.scalars(insert(Change).returning(Change.seq), rows)
        return max(written)

    @staticmethod
    def require_clipping(session: Session, clipping_id: int) -> Clipping:
        clipping = session.get(Clipping, clipping_id)
        if clipping is None:
            raise NotFound(f"no clipping with id {clipping_id}")
        return clipping


@contextlib.contextmanager
def _conflicts_said_plainly() -> Iterator[None]:
    """A unique key or reference broken at commit is, in a working archive, another desk's
    change made at the same moment (two desks linking the same pair, naming a dossier alike):
    the change is not made, and the user is told so in a sentence. Stores that expect a
    conflict (a clipping's text, a source, a tag) resolve it before it gets here."""
    try:
        yield
    except IntegrityError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise InvalidInput(
            f"not stored: it conflicts with a change made at the same moment ({reason})"
        ) from exc


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of `size`: SQL `IN` lists stay short enough for every database."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
