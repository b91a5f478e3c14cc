"""`ChangeLog`: reading the archive's append-only log of changes, which the search index
follows (it is the index's `ChangeFeed`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from clipper.core.models import Change
from clipper.core.store.unit import Store, chunks
from clipper.core.views import ChangeRecord


class ChangeLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def last_seq(self) -> int:
        with self._store.reading() as s:
            return s.scalar(select(func.max(Change.seq))) or 0

    def changes_since(self, seq: int, limit: int | None = None) -> list[ChangeRecord]:
        with self._store.reading() as s:
            query = select(Change.seq, Change.clipping_id, Change.op).where(Change.seq > seq)
            query = query.order_by(Change.seq)
            if limit:
                query = query.limit(limit)
            return [ChangeRecord(*row) for row in s.execute(query)]

    def changes_with_seqs(self, seqs: Sequence[int]) -> list[ChangeRecord]:
        """The changes with these numbers that are in the log now (see IndexState.gaps)."""
        with self._store.reading() as s:
            return [
                ChangeRecord(*row)
                for chunk in chunks(list(seqs), 500)
                for row in s.execute(
                    select(Change.seq, Change.clipping_id, Change.op)
                    .where(Change.seq.in_(chunk))
                    .order_by(Change.seq)
                )
            ]

    def missing_seqs(self, after: int, upto: int) -> list[int]:
        """Change numbers in (after, upto] that are not in the log (yet)."""
        with self._store.reading() as s:
            present = set(
                s.scalars(select(Change.seq).where(Change.seq > after, Change.seq <= upto))
            )
        return [seq for seq in range(after + 1, upto + 1) if seq not in present]
