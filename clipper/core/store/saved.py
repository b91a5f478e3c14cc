"""`SavedSearchStore`: named searches (a query and its facets) with the time the editor last
opened each, and which clippings were imported since a moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipper.core.errors import InvalidInput, NotFound
from clipper.core.models import Clipping, SavedSearch, utcnow
from clipper.core.store.unit import Store
from clipper.core.views import ClippingFilter

# The facets a saved search keeps: the `ClippingFilter` fields a search page can set.
FACET_FIELDS = ("tag_ids", "source", "language", "date_from", "date_to", "dossier_id")


@dataclass(frozen=True)
class SavedSearchView:
    id: int
    name: str
    query: str
    facets: ClippingFilter
    created_at: dt.datetime
    opened_at: dt.datetime


def facets_to_json(flt: ClippingFilter) -> dict[str, Any]:
    if flt.in_trash or flt.ids is not None:
        raise InvalidInput("a saved search cannot be of the trash or of chosen clippings")
    data: dict[str, Any] = {}
    if flt.tag_ids:
        data["tag_ids"] = list(flt.tag_ids)
    if flt.source:
        data["source"] = flt.source
    if flt.language:
        data["language"] = flt.language
    if flt.date_from:
        data["date_from"] = flt.date_from.isoformat()
    if flt.date_to:
        data["date_to"] = flt.date_to.isoformat()
    if flt.dossier_id is not None:
        data["dossier_id"] = flt.dossier_id
    return data


def facets_from_json(data: dict[str, Any]) -> ClippingFilter:
    def day(value: object) -> dt.date | None:
        return dt.date.fromisoformat(str(value)) if value else None

    dossier = data.get("dossier_id")
    return ClippingFilter(
        tag_ids=tuple(int(t) for t in data.get("tag_ids") or ()),
        source=data.get("source") or None,
        language=data.get("language") or None,
        date_from=day(data.get("date_from")),
        date_to=day(data.get("date_to")),
        dossier_id=int(dossier) if dossier is not None else None,
    )


def _view(saved: SavedSearch) -> SavedSearchView:
    return SavedSearchView(
        id=saved.id,
        name=saved.name,
        query=saved.query,
        facets=facets_from_json(dict(saved.facets or {})),
        created_at=saved.created_at,
        opened_at=saved.opened_at,
    )


class SavedSearchStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _find(session: Session, name: str) -> SavedSearch:
        found = session.scalar(select(SavedSearch).where(SavedSearch.name == name.strip()))
        if found is None:
            raise NotFound(f"no saved search called {name!r}")
        return found

    def add(self, name: str, query: str, facets: ClippingFilter | None = None) -> SavedSearchView:
        """Save a search; it counts as opened now (only later clippings are new)."""
        name = " ".join(name.split())
        if not name:
            raise InvalidInput("a saved search needs a name")
        if len(name) > 200:
            raise InvalidInput("a saved search's name is 200 characters at most")
        data = facets_to_json(facets or ClippingFilter())
        with self._store.writing() as s:
            if s.scalar(select(SavedSearch.id).where(SavedSearch.name == name)) is not None:
                raise InvalidInput(f"a saved search called {name!r} already exists")
            now = utcnow()
            saved = SavedSearch(
                name=name, query=query.strip(), facets=data, created_at=now, opened_at=now
            )
            s.add(saved)
            s.flush()
            return _view(saved)

    def all(self) -> list[SavedSearchView]:
        with self._store.reading() as s:
            return [_view(x) for x in s.scalars(select(SavedSearch).order_by(SavedSearch.name))]

    def get(self, name: str) -> SavedSearchView:
        with self._store.reading() as s:
            return _view(self._find(s, name))

    def remove(self, name: str) -> SavedSearchView:
        with self._store.writing() as s:
            saved = self._find(s, name)
            view = _view(saved)
            s.delete(saved)
            return view

    def mark_opened(self, name: str, at: dt.datetime | None = None) -> SavedSearchView:
        """The editor has seen the search: its clippings so far are no longer new."""
        with self._store.writing() as s:
            saved = self._find(s, name)
            saved.opened_at = at or utcnow()
            return _view(saved)

    def imported_after(self, since: dt.datetime) -> list[int]:
        """The live clippings imported after `since` (UTC), oldest first: the candidates for
        a saved search's new clippings (few, so the search is then run on them alone)."""
        with self._store.reading() as s:
            return list(
                s.scalars(
                    select(Clipping.id)
                    .where(Clipping.imported_at > since, Clipping.trashed_at.is_(None))
                    .order_by(Clipping.id)
                )
            )
