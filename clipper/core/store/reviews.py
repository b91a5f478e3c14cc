"""`ReviewStore`: what imports left for the editor to review (a guessed title, suggested
tags with their score, a possible duplicate), kept in the archive until dealt with, so the
window's review cards come back after a restart. A row goes with its clipping.

Every change goes through `Store.writing()` and returns `OpChanges`; reviews are not
indexed and change no clipping, so those are empty: the window follows reviews through the
values returned here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from clipper.core.errors import NotFound
from clipper.core.models import Clipping, ReviewItem, utcnow
from clipper.core.store.unit import Store, chunks
from clipper.core.views import Changed, OpChanges, PendingReview, ReviewSuggestion


def _suggestions(raw: object) -> tuple[ReviewSuggestion, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for entry in raw:
        if isinstance(entry, dict) and entry.get("kind") and entry.get("name"):
            found.append(
                ReviewSuggestion(
                    kind=str(entry["kind"]),
                    name=str(entry["name"]),
                    code=str(entry["code"]) if entry.get("code") else None,
                    score=float(entry.get("score") or 0.0),
                    evidence=str(entry.get("evidence") or ""),
                    accepted=bool(entry.get("accepted")),
                )
            )
    return tuple(found)


def _stored(suggestions: Iterable[ReviewSuggestion]) -> list[dict[str, object]]:
    return [
        {
            "kind": s.kind,
            "name": s.name,
            "code": s.code,
            "score": s.score,
            "evidence": s.evidence,
            "accepted": s.accepted,
        }
        for s in suggestions
    ]


class ReviewStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- reading -----------------------------------------------------------------------------

    @staticmethod
    def _views(session: Session, where: object = None) -> list[PendingReview]:
        other = aliased(Clipping)
        query = (
            select(ReviewItem, Clipping.title, Clipping.trashed_at, other.title)
            .join(Clipping, Clipping.id == ReviewItem.clipping_id)
            .outerjoin(other, other.id == ReviewItem.duplicate_of)
            .order_by(ReviewItem.arrived_at.desc(), ReviewItem.id.desc())
        )
        if where is not None:
            query = query.where(where)  # type: ignore[arg-type]
        return [
            PendingReview(
                id=item.id,
                clipping_id=item.clipping_id,
                clipping_title=title,
                clipping_trashed=trashed_at is not None,
                label=item.label,
                title_guessed=item.title_guessed,
                suggestions=_suggestions(item.suggestions),
                duplicate_of=item.duplicate_of,
                duplicate_title=duplicate_title,
                similarity=item.similarity,
                held=item.held,
                arrived_at=item.arrived_at,
            )
            for item, title, trashed_at, duplicate_title in session.execute(query)
        ]

    def pending(self) -> list[PendingReview]:
        """Every review still waiting, newest first."""
        with self._store.reading() as s:
            return self._views(s)

    def get(self, review_id: int) -> PendingReview:
        with self._store.reading() as s:
            found = self._views(s, ReviewItem.id == review_id)
        if not found:
            raise NotFound(f"no review with id {review_id}")
        return found[0]

    def count(self) -> int:
        with self._store.reading() as s:
            return len(list(s.scalars(select(ReviewItem.id))))

    # -- changing ----------------------------------------------------------------------------

    def add(
        self,
        clipping_id: int,
        *,
        label: str = "",
        title_guessed: bool = False,
        suggestions: Sequence[ReviewSuggestion] = (),
        duplicate_of: int | None = None,
        similarity: float | None = None,
        held: bool = False,
        arrived_at: dt.datetime | None = None,
    ) -> Changed[PendingReview]:
        """What there is to review about a stored clipping (one row per clipping: a second
        call replaces the first)."""
        with self._store.writing() as s:
            # Light reads (not the ORM object with its source and tags): an import batch
            # adds one review per clipping it stores.
            row = s.execute(
                select(Clipping.title, Clipping.trashed_at).where(Clipping.id == clipping_id)
            ).first()
            if row is None:
                raise NotFound(f"no clipping with id {clipping_id}")
            duplicate_title = (
                s.scalar(select(Clipping.title).where(Clipping.id == duplicate_of))
                if duplicate_of is not None
                else None
            )
            s.execute(delete(ReviewItem).where(ReviewItem.clipping_id == clipping_id))
            item = ReviewItem(
                clipping_id=clipping_id,
                label=label,
                title_guessed=title_guessed,
                suggestions=_stored(suggestions),
                duplicate_of=duplicate_of,
                similarity=similarity,
                held=held,
                arrived_at=arrived_at or utcnow(),
            )
            s.add(item)
            s.flush()
            view = PendingReview(
                id=item.id,
                clipping_id=clipping_id,
                clipping_title=row.title,
                clipping_trashed=row.trashed_at is not None,
                label=label,
                title_guessed=title_guessed,
                suggestions=tuple(suggestions),
                duplicate_of=duplicate_of,
                duplicate_title=duplicate_title,
                similarity=similarity,
                held=held,
                arrived_at=item.arrived_at,
            )
            return Changed(view, OpChanges())

    def settle(
        self,
        review_id: int,
        *,
        accepted: Iterable[tuple[str, str]] = (),
        title: bool = False,
        duplicate: bool = False,
    ) -> Changed[PendingReview | None]:
        """Mark what the editor dealt with: suggestions accepted (by kind and name), the
        title confirmed, the duplicate question answered. A review with nothing left open
        is deleted; the value is what is left (None then)."""
        done = {(kind, name.casefold()) for kind, name in accepted}
        with self._store.writing() as s:
            item = s.get(ReviewItem, review_id)
            if item is None:
                raise NotFound(f"no review with id {review_id}")
            suggestions = [
                replace(sug, accepted=True) if (sug.kind, sug.name.casefold()) in done else sug
                for sug in _suggestions(item.suggestions)
            ]
            item.suggestions = _stored(suggestions)
            if title:
                item.title_guessed = False
            if duplicate:
                item.held = False
                item.duplicate_of = None
                item.similarity = None
            s.flush()
            [view] = self._views(s, ReviewItem.id == review_id)
            if not view.is_open:
                s.delete(item)
                return Changed(None, OpChanges())
            return Changed(view, OpChanges())

    def dismiss(self, review_ids: Sequence[int]) -> OpChanges:
        """Forget these reviews: the editor has seen them and wants nothing more."""
        with self._store.writing() as s:
            for chunk in chunks(list(review_ids), 500):
                s.execute(delete(ReviewItem).where(ReviewItem.id.in_(chunk)))
            return OpChanges()

    def put(self, review: PendingReview) -> OpChanges:
        """Write a review back as it was (undo); nothing if its clipping is gone."""
        with self._store.writing() as s:
            if s.get(Clipping, review.clipping_id) is None:
                return OpChanges()
            s.execute(delete(ReviewItem).where(ReviewItem.id == review.id))
            s.execute(delete(ReviewItem).where(ReviewItem.clipping_id == review.clipping_id))
            s.add(
                ReviewItem(
                    id=review.id,
                    clipping_id=review.clipping_id,
                    label=review.label,
                    title_guessed=review.title_guessed,
                    suggestions=_stored(review.suggestions),
                    duplicate_of=review.duplicate_of,
                    similarity=review.similarity,
                    held=review.held,
                    arrived_at=review.arrived_at,
                )
            )
            return OpChanges()
