"""`DossierStore`: ordered collections of clippings with a name and a description, the unit
of a clipping book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipper.core.errors import InvalidInput, NotFound
from clipper.core.models import Dossier, DossierItem, utcnow
from clipper.core.store.unit import Store
from clipper.core.views import Changed, DossierView, OpChanges


class DossierStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _view(session: Session, dossier: Dossier) -> DossierView:
        ids = session.scalars(
            select(DossierItem.clipping_id)
            .where(DossierItem.dossier_id == dossier.id)
            .order_by(DossierItem.position)
        )
        return DossierView(
            dossier.id, dossier.name, dossier.description, tuple(ids), dossier.created_at
        )

    @staticmethod
    def _find(session: Session, dossier: int | str) -> Dossier:
        if isinstance(dossier, int):
            found = session.get(Dossier, dossier)
        else:
            found = session.scalar(select(Dossier).where(Dossier.name == dossier))
        if found is None:
            raise NotFound(f"no dossier {dossier!r}")
        return found

    def all(self) -> list[DossierView]:
        with self._store.reading() as s:
            return [self._view(s, d) for d in s.scalars(select(Dossier).order_by(Dossier.name))]

    def get(self, dossier: int | str) -> DossierView:
        with self._store.reading() as s:
            return self._view(s, self._find(s, dossier))

    def create(
        self, name: str, description: str = "", *, created_at: dt.datetime | None = None
    ) -> Changed[DossierView]:
        if not name.strip():
            raise InvalidInput("a dossier needs a name")
        with self._store.writing() as s:
            if s.scalar(select(Dossier.id).where(Dossier.name == name.strip())) is not None:
                raise InvalidInput(f"a dossier called {name.strip()!r} already exists")
            dossier = Dossier(
                name=name.strip(),
                description=description.strip(),
                created_at=created_at or utcnow(),
            )
            s.add(dossier)
            s.flush()
            return Changed(self._view(s, dossier), OpChanges(dossiers=True))

    def update(
        self, dossier: int | str, name: str | None = None, description: str | None = None
    ) -> OpChanges:
        with self._store.writing() as s:
            found = self._find(s, dossier)
            if name is not None:
                if not name.strip():
                    raise InvalidInput("a dossier needs a name")
                found.name = name.strip()
            if description is not None:
                found.description = description.strip()
            try:
                s.flush()
            except IntegrityError as exc:
                raise InvalidInput(f"a dossier called {name!r} already exists") from exc
            return OpChanges(dossiers=True)

    def delete(self, dossier: int | str) -> OpChanges:
        with self._store.writing() as s:
            found = self._find(s, dossier)
            ids = list(
                s.scalars(select(DossierItem.clipping_id).where(DossierItem.dossier_id == found.id))
            )
            s.delete(found)
            s.flush()
            seq = self._store.log_change(s, ids, "dossier")
            return OpChanges(dossiers=True, seq=seq)

    def add(
        self, dossier: int | str, clipping_ids: Sequence[int], position: int | None = None
    ) -> OpChanges:
        """Insert clippings at `position` (default: the end); ones already there move."""
        with self._store.writing() as s:
            found = self._find(s, dossier)
            for cid in clipping_ids:
                self._store.require_clipping(s, cid)
            order = [cid for cid in self._view(s, found).clipping_ids if cid not in clipping_ids]
            at = len(order) if position is None else max(0, min(position, len(order)))
            order[at:at] = list(dict.fromkeys(clipping_ids))
            self._write_order(s, found.id, order)
            seq = self._store.log_change(s, clipping_ids, "dossier")
            return OpChanges(dossiers=True, seq=seq)

    def remove(self, dossier: int | str, clipping_ids: Sequence[int]) -> OpChanges:
        with self._store.writing() as s:
            found = self._find(s, dossier)
            order = [cid for cid in self._view(s, found).clipping_ids if cid not in clipping_ids]
            self._write_order(s, found.id, order)
            seq = self._store.log_change(s, clipping_ids, "dossier")
            return OpChanges(dossiers=True, seq=seq)

    def reorder(self, dossier: int | str, clipping_ids: Sequence[int]) -> OpChanges:
        with self._store.writing() as s:
            found = self._find(s, dossier)
            current = self._view(s, found).clipping_ids
            if sorted(current) != sorted(clipping_ids):
                raise InvalidInput("a new order must list exactly the dossier's clippings")
            self._write_order(s, found.id, list(clipping_ids))
            return OpChanges(dossiers=True)

    @staticmethod
    def _write_order(session: Session, dossier_id: int, order: Sequence[int]) -> None:
        session.execute(delete(DossierItem).where(DossierItem.dossier_id == dossier_id))
        session.add_all(
            DossierItem(dossier_id=dossier_id, clipping_id=cid, position=i)
            for i, cid in enumerate(order)
        )
