"""`ChangeLog`: reading the archive's append-only log of changes, which the search index
follows (it is the index's `ChangeFeed`) and a window polls to show other desks' changes
(`follow`, with a `ChangeCursor`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from clipper.core.models import Change
from clipper.core.store.unit import Store, chunks
from clipper.core.views import ChangeRecord

# How long a follower keeps looking for a change number it skipped: a transaction on a
# server that took a number and has not committed yet (or never will: rolled back).
GAP_PATIENCE = 600.0


@dataclass(frozen=True)
class ChangeCursor:
    """Where a follower of the log is: every change up to `seq` seen, except the numbers in
    `gaps` (with when each was first missed), which may still commit."""

    seq: int = 0
    gaps: tuple[tuple[int, float], ...] = ()


class ChangeLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def follow(
        self, cursor: ChangeCursor, now: float | None = None
    ) -> tuple[list[ChangeRecord], ChangeCursor]:
        """The changes a follower at `cursor` has not seen, and its cursor after them.

        On SQLite change numbers commit in order, so this is `changes_since(cursor.seq)`. On a
        server two desks' transactions can commit out of order: a number below the newest one
        seen may arrive later, so the numbers skipped are kept as gaps and looked for again
        (for GAP_PATIENCE seconds). Two indexed queries a call: cheap enough to poll."""
        now = time.time() if now is None else now
        late = self.changes_with_seqs([seq for seq, _since in cursor.gaps]) if cursor.gaps else []
        new = self.changes_since(cursor.seq)
        found = {change.seq for change in late}
        gaps = [(seq, since) for seq, since in cursor.gaps if seq not in found]
        seq = cursor.seq
        for change in new:
            gaps.extend((missing, now) for missing in range(seq + 1, change.seq))
            seq = change.seq
        kept = tuple((g, since) for g, since in gaps if now - since < GAP_PATIENCE)
        return sorted(late + new, key=lambda change: change.seq), ChangeCursor(seq, kept)

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
