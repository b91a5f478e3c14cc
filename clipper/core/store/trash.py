"""`TrashStore`: moving clippings into and out of the trash, and deleting them for good."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select

from clipper.core.errors import InvalidInput
from clipper.core.models import Clipping, utcnow
from clipper.core.store.unit import Store
from clipper.core.views import OpChanges
from clipper.core.vocabulary import ChangeOp


class TrashStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def trash(self, clipping_ids: Sequence[int], *, at: dt.datetime | None = None) -> OpChanges:
        changed, seq = self._set_trashed(clipping_ids, at or utcnow(), "trash")
        return OpChanges(clippings=changed, removed=changed, trash=True, seq=seq)

    def restore(self, clipping_ids: Sequence[int]) -> OpChanges:
        changed, seq = self._set_trashed(clipping_ids, None, "restore")
        return OpChanges(clippings=changed, added=changed, trash=True, seq=seq)

    def _set_trashed(
        self, clipping_ids: Sequence[int], trashed_at: dt.datetime | None, op: ChangeOp
    ) -> tuple[frozenset[int], int | None]:
        """Move clippings into (a time) or out of (None) the trash; those already there stay.
        Returns the ids that moved and the last change-log number written."""
        with self._store.writing() as s:
            changed = []
            for cid in clipping_ids:
                clipping = self._store.require_clipping(s, cid)
                if (clipping.trashed_at is None) != (trashed_at is None):
                    clipping.trashed_at = trashed_at
                    changed.append(cid)
            return frozenset(changed), self._store.log_change(s, changed, op)

    def purge(self, clipping_ids: Sequence[int]) -> OpChanges:
        """Delete trashed clippings for good, with their notes, links and originals."""
        with self._store.writing() as s:
            for cid in clipping_ids:
                if self._store.require_clipping(s, cid).trashed_at is None:
                    raise InvalidInput(f"clipping {cid} is not in the trash; trash it first")
            s.execute(delete(Clipping).where(Clipping.id.in_(clipping_ids)))
            seq = self._store.log_change(s, clipping_ids, "purge")
            return OpChanges(
                clippings=frozenset(clipping_ids),
                removed=frozenset(clipping_ids),
                trash=True,
                links=True,
                notes=True,
                dossiers=True,
                seq=seq,
            )

    def empty(self) -> OpChanges:
        with self._store.reading() as s:
            ids = list(s.scalars(select(Clipping.id).where(Clipping.trashed_at.is_not(None))))
        return self.purge(ids) if ids else OpChanges()
