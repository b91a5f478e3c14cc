"""Saved searches: a query with its facets under a name, how many clippings are new in it
since the editor last opened it, and a digest's selection (its new clippings since a moment).

"New" means imported after the moment: the clippings imported since are few, so the saved
search runs restricted to them (`ClippingFilter.ids`) rather than over the whole archive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from clipper.core.archive import Archive, InvalidInput
from clipper.core.search.query import parse
from clipper.core.store.saved import SavedSearchView
from clipper.core.views import ClippingFilter


@dataclass(frozen=True)
class SavedSearchStatus:
    """A saved search and how many of its clippings are new since it was last opened."""

    search: SavedSearchView
    new: int


@dataclass(frozen=True)
class SavedRun:
    """The clippings of a saved search (all, or those new since `since`), best first."""

    search: SavedSearchView
    since: dt.datetime | None
    ids: tuple[int, ...]


def check_search(query: str, facets: ClippingFilter) -> None:
    """QuerySyntaxError for a malformed query; InvalidInput for a search of nothing."""
    if parse(query) is None and facets == ClippingFilter():
        raise InvalidInput("a saved search needs a query or a facet (a tag, a source...)")


def new_ids(archive: Archive, search: SavedSearchView, since: dt.datetime) -> list[int]:
    """The search's clippings imported after `since`, best first."""
    recent = archive.stores.saved.imported_after(since)
    if not recent:
        return []
    flt = replace(search.facets, ids=tuple(recent))
    return [cid for cid, _score in archive.ranked_ids(search.query, flt)]


def statuses(archive: Archive) -> list[SavedSearchStatus]:
    return [
        SavedSearchStatus(search, len(new_ids(archive, search, search.opened_at)))
        for search in archive.stores.saved.all()
    ]


def run(
    archive: Archive, name: str, since: dt.datetime | None = None, mark_opened: bool = True
) -> SavedRun:
    """Run a saved search (only what is new since `since`, when given); running it is
    opening it, so its clippings stop being new unless `mark_opened` is False."""
    search = archive.stores.saved.get(name)
    if since is None:
        ids = tuple(cid for cid, _score in archive.ranked_ids(search.query, search.facets))
    else:
        ids = tuple(new_ids(archive, search, since))
    if mark_opened:
        search = archive.stores.saved.mark_opened(name)
    return SavedRun(search, since, ids)


def digest_ids(archive: Archive, name: str, since: dt.datetime | None = None) -> list[int]:
    """A digest's clippings: the saved search's new ones since `since` (default: since the
    editor last opened it), newest first."""
    search = archive.stores.saved.get(name)
    ids = new_ids(archive, search, since or search.opened_at)
    if not ids:
        return []
    return archive.list_ids(ClippingFilter(ids=tuple(ids)), sort="published", descending=True)
