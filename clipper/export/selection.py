"""Which clippings an export covers: ids, a search, a dossier, or the whole archive."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from clipper.core.archive import Archive, NotFound
from clipper.core.views import ClippingFilter
from clipper.export.common import ExportError

log = logging.getLogger(__name__)

# A search result exported as a book: more than this is rarely what anyone meant.
DEFAULT_QUERY_LIMIT = 500


@dataclass(frozen=True)
class Selection:
    """The ids to export, in the order asked, and what the book would be called by default."""

    ids: tuple[int, ...]
    title: str
    description: str = ""
    whole_archive: bool = False


def parse_ids(text: str) -> tuple[int, ...]:
    """'3,1, 2' -> (3, 1, 2), keeping the order given and dropping repeats."""
    ids: list[int] = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise ExportError(f"{part!r} is not a clipping id (use numbers: --ids 12,15,31)")
        ids.append(int(part))
    if not ids:
        raise ExportError("--ids needs at least one clipping id")
    return tuple(dict.fromkeys(ids))


def select_ids(archive: Archive, ids: tuple[int, ...]) -> Selection:
    known = set(archive.list_ids(ClippingFilter(ids=ids))) | set(
        archive.list_ids(ClippingFilter(ids=ids, in_trash=True))
    )
    missing = [str(i) for i in ids if i not in known]
    if missing:
        raise ExportError(f"no clipping with id {', '.join(missing)}")
    if len(ids) == 1:
        return Selection(ids, archive.get(ids[0]).title)
    return Selection(ids, f"{len(ids)} clippings")


def select_dossier(archive: Archive, name_or_id: str) -> Selection:
    """A dossier by name, or by id when no dossier has that name."""
    try:
        dossier = archive.dossier(name_or_id)
    except NotFound:
        if not name_or_id.isdigit():
            raise ExportError(f"no dossier called {name_or_id!r}") from None
        try:
            dossier = archive.dossier(int(name_or_id))
        except NotFound:
            raise ExportError(f"no dossier called {name_or_id!r} or with that id") from None
    if not dossier.clipping_ids:
        raise ExportError(f"the dossier {dossier.name!r} is empty")
    return Selection(dossier.clipping_ids, dossier.name, dossier.description)


def select_query(archive: Archive, query: str, limit: int = DEFAULT_QUERY_LIMIT) -> Selection:
    """The best `limit` hits of a search, best first (the search index is caught up first)."""
    from clipper.core.search import QuerySyntaxError

    try:
        ranked = archive.ranked_ids(query)  # no snippets: the book does not show them
    except QuerySyntaxError as exc:
        raise ExportError(str(exc)) from exc
    ids = tuple(cid for cid, _score in ranked[:limit])
    if not ids:
        raise ExportError(f"nothing matches {query!r}")
    if len(ranked) > len(ids):
        log.warning("exporting the best %d of %d clippings for %r", len(ids), len(ranked), query)
    return Selection(ids, f"Clippings: {query}")


def select_all(archive: Archive, include_trash: bool = False) -> Selection:
    """Every live clipping, and the trashed ones too when asked (a full export keeps them)."""
    ids = archive.list_ids(sort="id", descending=False)
    if include_trash:
        ids += archive.list_ids(ClippingFilter(in_trash=True), sort="id", descending=False)
    # Oldest first, so that importing the export gives new ids in the same relative order.
    return Selection(tuple(sorted(ids)), "Clipper archive", whole_archive=True)
