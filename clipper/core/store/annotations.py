"""`NoteStore` and `LinkStore`: an editor's notes on a clipping, and links between two
clippings with a note saying why they belong together."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from clipper.core.errors import InvalidInput, NotFound
from clipper.core.models import Link, Note, utcnow
from clipper.core.store.unit import Store
from clipper.core.views import Changed, OpChanges
from clipper.core.vocabulary import LINK_KINDS


class NoteStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        clipping_id: int,
        text_: str,
        *,
        created_at: dt.datetime | None = None,
        updated_at: dt.datetime | None = None,
    ) -> Changed[int]:
        """A new note on a clipping; the value is the note's id."""
        if not text_.strip():
            raise InvalidInput("a note cannot be empty")
        with self._store.writing() as s:
            self._store.require_clipping(s, clipping_id)
            now = created_at or utcnow()
            note = Note(
                clipping_id=clipping_id,
                text=text_.strip(),
                created_at=now,
                updated_at=updated_at or now,
            )
            s.add(note)
            s.flush()
            seq = self._store.log_change(s, [clipping_id], "note")
            return Changed(
                note.id, OpChanges(clippings=frozenset({clipping_id}), notes=True, seq=seq)
            )

    def edit(self, note_id: int, text_: str) -> OpChanges:
        """Change a note's text; an empty text deletes the note."""
        if not text_.strip():
            return self.delete(note_id)
        with self._store.writing() as s:
            note = s.get(Note, note_id)
            if note is None:
                raise NotFound(f"no note with id {note_id}")
            note.text, note.updated_at = text_.strip(), utcnow()
            seq = self._store.log_change(s, [note.clipping_id], "note")
            return OpChanges(clippings=frozenset({note.clipping_id}), notes=True, seq=seq)

    def delete(self, note_id: int) -> OpChanges:
        with self._store.writing() as s:
            note = s.get(Note, note_id)
            if note is None:
                raise NotFound(f"no note with id {note_id}")
            clipping_id = note.clipping_id
            s.delete(note)
            s.flush()
            seq = self._store.log_change(s, [clipping_id], "note")
            return OpChanges(clippings=frozenset({clipping_id}), notes=True, seq=seq)


class LinkStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def link(
        self,
        a: int,
        b: int,
        note: str = "",
        kind: str | None = None,
        *,
        created_at: dt.datetime | None = None,
    ) -> OpChanges:
        """Link two clippings with a note saying why; linking again updates the note."""
        if a == b:
            raise InvalidInput("a clipping cannot be linked to itself")
        if kind is not None and kind not in LINK_KINDS:
            raise InvalidInput(f"unknown link kind {kind!r}: use one of {', '.join(LINK_KINDS)}")
        low, high = sorted((a, b))
        with self._store.writing() as s:
            self._store.require_clipping(s, low)
            self._store.require_clipping(s, high)
            existing = s.scalar(select(Link).where(Link.low_id == low, Link.high_id == high))
            if existing is None:
                s.add(
                    Link(
                        low_id=low,
                        high_id=high,
                        note=note.strip(),
                        kind=kind,
                        created_at=created_at or utcnow(),
                    )
                )
            else:
                existing.note, existing.kind = note.strip(), kind
            seq = self._store.log_change(s, [low, high], "link")
            return OpChanges(clippings=frozenset({low, high}), links=True, seq=seq)

    def unlink(self, a: int, b: int) -> OpChanges:
        low, high = sorted((a, b))
        with self._store.writing() as s:
            deleted = s.execute(delete(Link).where(Link.low_id == low, Link.high_id == high))
            if not deleted.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"clippings {a} and {b} are not linked")
            seq = self._store.log_change(s, [low, high], "unlink")
            return OpChanges(clippings=frozenset({low, high}), links=True, seq=seq)
