"""`Finder`: finding clippings, above the store and the search index.

A search first lets the index catch up with the archive, then asks it; a blank query is a
listing of the store (with the index's facet counts), and so is the trash, which the index
does not hold. A listing filter (`ClippingFilter`: tags, a dossier, a source…) is resolved
here into the index's terms (`search.ports.IndexFilter`: each tag with everything under it,
a dossier as its clippings), so the index knows nothing of tags' trees or dossiers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from clipper.core.errors import NotFound
from clipper.core.search import Hit, QuerySyntaxError, SearchIndex, SearchResults
from clipper.core.search.index import is_blank
from clipper.core.search.ports import IndexFilter
from clipper.core.search.results import FACET_KINDS, make_hit
from clipper.core.store import ClippingStore, DossierStore, TagStore
from clipper.core.text import name_key
from clipper.core.views import ClippingFilter

# Up to this many hits, the archive orders them by their ids; beyond, the whole library's
# order (one read, 0.1-0.3 s at 100,000 clippings) is filtered down to the hits.
SORT_BY_IDS_MAX = 500
# Every hit of a search: (clipping id, score), in order.
Ranked = list[tuple[int, float]]

TRASH_NOT_SEARCHABLE = "the trash cannot be searched, only listed: clear the search field to see it"


class Finder:
    """Searches and listings over the stores and the index (opened on first use)."""

    def __init__(
        self,
        clippings: ClippingStore,
        tags: TagStore,
        dossiers: DossierStore,
        index: Callable[[], SearchIndex],
    ) -> None:
        self._clippings = clippings
        self._tags = tags
        self._dossiers = dossiers
        self._index = index

    def _caught_up(self) -> SearchIndex:
        index = self._index()
        index.catch_up()
        return index

    def resolve(self, flt: ClippingFilter) -> IndexFilter:
        """The filter in the index's terms (see the module notes)."""
        names = self._tags.names_of(flt.tag_ids) if flt.tag_ids else {}
        tag_sets = []
        for tag_id in flt.tag_ids:
            ref = names.get(tag_id)
            if ref is None:
                # A tag that is gone matches nothing.
                tag_sets.append(("topic", frozenset[int]()))
            else:
                tag_sets.append((ref.kind, frozenset(self._tags.descendants(tag_id))))
        ids = None if flt.ids is None else frozenset(flt.ids)
        if flt.dossier_id is not None:
            members = frozenset(self._dossiers.get(flt.dossier_id).clipping_ids)
            ids = members if ids is None else ids & members
        return IndexFilter(
            tag_sets=tuple(tag_sets),
            source_key=name_key(flt.source) if flt.source else None,
            language=flt.language,
            date_from=flt.date_from,
            date_to=flt.date_to,
            ids=ids,
        )

    def search(
        self,
        query: str,
        flt: ClippingFilter | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> SearchResults:
        """One page of hits for a query within a filter; a blank query lists what the filter
        selects, newest first (a dossier in its own order), as the library view does."""
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        flt = flt or ClippingFilter()
        index = self._caught_up()
        if not is_blank(query):
            if flt.in_trash:
                raise QuerySyntaxError(TRASH_NOT_SEARCHABLE)
            return index.search(query, self.resolve(flt), page=page, page_size=page_size)
        ids = self._clippings.list_ids(flt)
        shown = ids[(page - 1) * page_size : page * page_size]
        if flt.in_trash:
            facets: dict[str, list[tuple[str, int]]] = {kind: [] for kind in FACET_KINDS}
            hits = self._trashed_hits(shown)
        else:
            facets = index.facets_for(ids)
            hits = index.hits_for("", [(cid, 0.0) for cid in shown])
        return SearchResults(
            total=len(ids),
            hits=hits,
            facets=facets,
            suggestion=None,
            page=page,
            page_size=page_size,
        )

    def _trashed_hits(self, shown: Sequence[int]) -> list[Hit]:
        """Rows of the trash listing, from the store (the index holds live clippings only)."""
        hits = []
        for cid in shown:
            try:
                detail = self._clippings.get(cid)
            except NotFound:
                continue  # purged since it was listed
            hits.append(make_hit(cid, detail, 0.0, None))
        return hits

    def ranked_ids(self, query: str, flt: ClippingFilter | None = None) -> Ranked:
        """Every hit of a search (id and score, best first) without snippets; a blank query
        gives the listing's order."""
        flt = flt or ClippingFilter()
        if is_blank(query):
            return [(cid, 0.0) for cid in self._clippings.list_ids(flt)]
        if flt.in_trash:
            raise QuerySyntaxError(TRASH_NOT_SEARCHABLE)
        return self._caught_up().ranked_ids(query, self.resolve(flt))

    def sorted_ranked(self, query: str, flt: ClippingFilter, sort: str, descending: bool) -> Ranked:
        """Every hit of a search (id, score), in the order of a list column instead of
        relevance (see `ClippingStore.list_ids` for the columns)."""
        ranked = self.ranked_ids(query, flt)
        score = dict(ranked)
        if len(ranked) <= SORT_BY_IDS_MAX:
            order = self._clippings.list_ids(
                ClippingFilter(ids=tuple(score)), sort=sort, descending=descending
            )
        else:
            everything = self._clippings.list_ids(
                ClippingFilter(), sort=sort, descending=descending
            )
            order = [cid for cid in everything if cid in score]
        return [(cid, score[cid]) for cid in order]

    def hits_for(self, query: str, ranked: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits with snippets of `query` for these clippings, in the order given."""
        return self._index().hits_for(query, ranked)

    def highlight(
        self, query: str, text: str, language: str | None = None
    ) -> tuple[tuple[str, bool], ...]:
        """A clipping's `text` as (text, marked?) runs, the words `query` matches marked, for
        the reader; a blank or malformed query gives one unmarked run."""
        return self._index().highlight(query, text, language)

    def more_like(self, clipping_id: int, limit: int = 10) -> list[int]:
        return self._caught_up().more_like(clipping_id, limit=limit)
