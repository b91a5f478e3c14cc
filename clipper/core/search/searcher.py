"""The query side of the search index, over one consistent view of it (`IndexView`: one
thread's Whoosh searcher, its segments with their cached columns, and the collection
statistics): matching a query within a filter, ranking, facets, "did you mean", more like
this, and the parity check against the archive.

Evaluation is in `engine`; a filter arrives resolved (`ports.IndexFilter`); tags, documents
and changes are read through the ports only.
"""

from __future__ import annotations

import contextlib
import heapq
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.structfile import StructFile
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from clipper.core.search.analysis import stem_language, stemmed_positions
from clipper.core.search.checksums import damaged_files
from clipper.core.search.engine import (
    NOTHING,
    ColumnsCache,
    DatePlan,
    FacetCodes,
    Found,
    IdsPlan,
    IntersectPlan,
    Plan,
    SegmentColumns,
    SegmentEvaluator,
    Statistics,
    TermPlan,
    UnionPlan,
    deleted_docnums,
)
from clipper.core.search.ports import ChangeFeed, DocumentSource, IndexFilter, TagLookup
from clipper.core.search.query import Compiled, Compiler, HighlightSpec, parse
from clipper.core.search.results import Hit, make_hit
from clipper.core.search.schema import date_number, primary_language
from clipper.core.search.segments import READ_CHUNK
from clipper.core.search.state import IndexState
from clipper.core.text import name_key
from clipper.core.views import IndexDocument

MORE_LIKE_TERMS = 25
MORE_LIKE_CANDIDATES = 60
MORE_LIKE_MAX_SHARE = 0.1
# ... and in no more than this many clippings whatever the archive's size: the search reads
# every posting of its words, so without a bound it grew with the archive (a word in a tenth
# of 200,000 clippings is 20,000 postings); a word that common is no story's own.
MORE_LIKE_MAX_DOCS = 2000

# Each segment's matches: the segment and which of its documents match, with their scores.
Matches = list[tuple["Leaf", Found]]


@dataclass
class Leaf:
    reader: Any
    offset: int
    columns: SegmentColumns


class PositionedFile(StructFile):
    """A file read at positions with one system call each (`os.pread`), for a segment's
    term table. Whoosh looks a term up in its hashed table with half a dozen small reads
    at scattered places, each a seek and a read of a buffered file (the read refilling
    8 KB of buffer); more like this makes some 2,000 such lookups. Mapping the tables into
    memory instead was as fast, but every page a lookup touched stayed in the process's
    memory (276 MB more after 280 searches at 200,000 clippings)."""

    def __init__(self, handle: StructFile) -> None:
        super().__init__(handle.file, name=handle._name, onclose=handle.onclose)
        self._fd = handle.file.fileno()

    def get(self, position: int, length: int) -> bytes:
        return os.pread(self._fd, length, position)


class TermTableStorage:
    """An index's storage whose segments' term tables open as `PositionedFile`s; everything
    else as the storage itself does."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    def open_file(self, name: str, **kwargs: Any) -> Any:
        handle = self._storage.open_file(name, **kwargs)
        if name.endswith(W3Codec.TERMS_EXT) and not kwargs and _positioned(handle):
            return PositionedFile(handle)
        return handle


def _positioned(handle: Any) -> bool:
    # os.pread is POSIX only; a storage in memory has no file descriptor.
    return hasattr(os, "pread") and type(handle) is StructFile and handle.is_real


def open_searcher(ix: Any, previous: Sequence[Leaf] = ()) -> Any:
    """A Whoosh searcher over the index as it is now, reusing the segment readers of
    `previous` (this thread's last view) for segments that have not changed since.

    Opening a segment's reader reads its term table's directory: at 26 segments that was
    40 ms of every search after a commit. A segment's files never change; its set of deleted
    documents only grows, so the segment id and the number of deleted documents say whether
    an old reader still sees it right. (Whoosh's own `Searcher.refresh` reuses a reader by
    segment id alone, and keeps the old set of deleted documents with it.) The readers of
    `previous` that are not reused are closed; `previous`'s searcher must not be closed
    after this, as it would close the reused ones."""
    toc = ix._read_toc()  # the segments of the latest generation, as `ix.reader()` reads them
    reusable = {_reader_key(leaf.reader.segment()): leaf.reader for leaf in previous}
    readers = []
    storage = TermTableStorage(ix.storage)
    try:
        for segment in toc.segments:
            reader = reusable.pop(_reader_key(segment), None)
            if reader is None:
                reader = SegmentReader(storage, toc.schema, segment, generation=toc.generation)
            readers.append(reader)
    except BaseException:
        for reader in readers:
            reader.close()
        raise
    finally:
        for reader in reusable.values():
            reader.close()
    if not readers:
        return Searcher(EmptyReader(toc.schema), fromindex=ix)
    # A MultiReader even for one segment: its generation is the index's, which is how the
    # searcher knows it is up to date; a reused reader carries the generation it was opened at.
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix)


def _reader_key(segment: Any) -> tuple[str, int]:
    return segment.segment_id(), segment.deleted_count()


def open_view(ix: Any, previous: IndexView | None, columns: ColumnsCache) -> IndexView:
    """A view of the index as it is now, for the thread whose last view was `previous`
    (None, or older, or of another index swapped in since). Its readers of unchanged
    segments go on in the new view (see `open_searcher`), its others are closed (all of
    them, if this fails): `previous` is not to be used, nor closed, after this."""
    if previous is not None and previous.ix is not ix:
        with contextlib.suppress(Exception):
            previous.searcher.close()
        previous = None
    searcher = open_searcher(ix, previous.leaves if previous is not None else ())
    leaves = [
        Leaf(reader, offset, columns.get(reader))
        for reader, offset in searcher.reader().leaf_readers()
        if reader.segment() is not None  # an empty index has an EmptyReader
    ]
    columns.keep_only(leaf.columns.segment_id for leaf in leaves)
    segments = [(leaf.reader, leaf.columns) for leaf in leaves]
    return IndexView(ix, searcher, leaves, Statistics(searcher, segments))


@dataclass
class IndexView:
    """One thread's searcher and what goes with it."""

    ix: Any
    searcher: Any
    leaves: list[Leaf]
    stats: Statistics

    # The compiler's view of the terms (query.Lexicon), over every segment.

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self.stats.doc_frequency(fieldname, term)

    def with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        found: set[str] = set()
        for leaf in self.leaves:
            found.update(leaf.columns.lexicon(leaf.reader, fieldname).with_prefix(prefix))
        return sorted(found)

    def within(self, fieldname: str, word: str, distance: int) -> set[str]:
        found: set[str] = set()
        judged: dict[str, bool] = {}  # shared: a term of every segment is measured once
        for leaf in self.leaves:
            lexicon = leaf.columns.lexicon(leaf.reader, fieldname)
            found.update(lexicon.within(word, distance, judged))
        return found

    # -- matching -----------------------------------------------------------------------------

    def evaluate(self, plan: Plan) -> Matches:
        return [
            (leaf, SegmentEvaluator(leaf.reader, leaf.columns, self.stats).run(plan))
            for leaf in self.leaves
        ]

    def compile(self, tree: Any, tags: TagLookup) -> Compiled:
        return Compiler(self, lambda kind, name: tag_ids(tags, kind, name)).compile(tree)

    def match(
        self, tree: Any, flt: IndexFilter, tags: TagLookup
    ) -> tuple[Compiled, list[Plan], Matches]:
        """The compiled query, the filter's plans, and each segment's matches with scores."""
        compiled = self.compile(tree, tags)
        filters = filter_plans(flt)
        plan: Plan = IntersectPlan((compiled.plan, *filters)) if filters else compiled.plan
        return compiled, filters, self.evaluate(plan)

    def ranked(self, matches: Matches, wanted: int | None = None) -> list[tuple[int, float]]:
        """(clipping id, score) best first: all of them, or the first `wanted`.

        The order is total (score, then date, then clipping id: see `_best_first`), so the
        first `wanted` of each segment must be taken in that same order: taking them by
        score alone keeps an arbitrary few of the tied ones, and a filter-only query, where
        every score is 0, then shows the same clippings on every page."""
        scores, ids, dates = [], [], []
        for leaf, found in matches:
            docnums = _segment_best(found, wanted)
            scores.append(found.score[docnums])
            ids.append(leaf.columns.id_values[docnums])
            dates.append(leaf.columns.date_values[docnums])
        if not scores:
            return []
        all_scores, all_ids = np.concatenate(scores), np.concatenate(ids)
        order = _best_first(all_scores, all_ids, np.concatenate(dates))
        if wanted is not None:
            order = order[:wanted]
        return list(zip(all_ids[order].tolist(), all_scores[order].tolist(), strict=True))

    # -- facets -------------------------------------------------------------------------------

    def facets(self, matches: Matches, tags: TagLookup) -> dict[str, list[tuple[str, int]]]:
        """Facet counts of the matches. Each count is how many matches clicking the facet
        leaves (the query narrowed by `query.facet_term`): a topic or region counts the
        matches tagged with it or anything under it (`region:Sahel` finds Niger), a source
        those of that exact source, a month those dated within it (one known only to the
        year is in no month). The topics and regions offered are those applied to a match."""
        topics: Counter[int] = Counter()
        regions: Counter[int] = Counter()
        sources: Counter[str | None] = Counter()
        months: Counter[int] = Counter()
        languages: Counter[str | None] = Counter()
        for leaf, found in matches:
            docnums = found.docnums()
            if not len(docnums):
                continue
            codes = leaf.columns.facet_codes()
            count = FacetCodes.count
            topics.update(codes.topics.counts(found.hit, docnums))
            regions.update(codes.regions.counts(found.hit, docnums))
            sources.update(dict(count(codes.source_names, codes.sources, docnums)))
            languages.update(dict(count(codes.language_names, codes.languages, docnums)))
            month_values, month_counts = np.unique(codes.months[docnums], return_counts=True)
            months.update(dict(zip(month_values.tolist(), month_counts.tolist(), strict=True)))
        applied = set(topics) | set(regions)
        names = tags.names_of(applied) if applied else {}
        subtrees = tags.subtrees(names) if names else {}
        # A tag with others applied under it counts the matches carrying any of them once.
        for counts, entries_of in (
            (topics, lambda codes: codes.topics),
            (regions, lambda codes: codes.regions),
        ):
            for tag_id in list(counts):
                under = subtrees.get(tag_id, {tag_id}) & counts.keys()
                if len(under) > 1:
                    counts[tag_id] = sum(
                        entries_of(leaf.columns.facet_codes()).count_any(found.hit, under)
                        for leaf, found in matches
                        if found
                    )

        def by_count(counts: Counter[Any], label: Any = str) -> list[tuple[str, int]]:
            rows = [(label(value), count) for value, count in counts.items() if value]
            rows = [(value, count) for value, count in rows if value]
            return sorted(rows, key=lambda row: (-row[1], row[0].casefold()))

        def tag_name(tag_id: int) -> str | None:
            ref = names.get(tag_id)
            return ref.name if ref else None

        return {
            "topic": by_count(topics, tag_name),
            "region": by_count(regions, tag_name),
            "source": by_count(_by_source_key(sources)),
            "month": sorted(
                ((f"{m // 100:04d}-{m % 100:02d}", n) for m, n in months.items() if m),
                reverse=True,
            ),
            "language": by_count(languages),
        }

    # -- did you mean ------------------------------------------------------------------------

    def suggestion(
        self,
        query: str,
        unknown: list[tuple[int, int, str]],
        filters: list[Plan],
        tags: TagLookup,
    ) -> str | None:
        """The query with each unknown word replaced by the likeliest known word, if that
        query finds something."""
        corrected = query
        changed = False
        for start, end, word in sorted(unknown, reverse=True):
            better = self._correction(word)
            if better:
                corrected = corrected[:start] + better + corrected[end:]
                changed = True
        if not changed:
            return None
        tree = parse(corrected)
        if tree is None:
            return None
        compiled = self.compile(tree, tags)
        plan: Plan = IntersectPlan((compiled.plan, *filters)) if filters else compiled.plan
        if any(found for _leaf, found in self.evaluate(plan)):
            return corrected
        return None

    def _correction(self, word: str) -> str | None:
        frequency_of = self.stats.doc_frequency  # the segments' own term entries, remembered
        for distance in (1, 2) if len(word) >= 5 else (1,):
            candidates = self.within("words", word, distance)
            candidates.discard(word)
            scored = [(frequency_of("words", c), c) for c in candidates]
            scored = [(frequency, c) for frequency, c in scored if frequency]
            if scored:
                return max(scored, key=lambda item: (item[0], [-ord(ch) for ch in item[1]]))[1]
        return None

    # -- more like this ----------------------------------------------------------------------

    def more_like(self, doc: IndexDocument, limit: int) -> list[int]:
        """Clippings whose text is most like this one's (its most telling words), best first."""
        stats = self.stats
        total = max(stats.doc_count, 1)
        language = stem_language(doc.language)
        # The candidates: every word of the title and standfirst (counted double) and the
        # body's most repeated words; looking up how rare every word of a long article is
        # would cost more than the search itself.
        lead = stemmed_positions((doc.title, doc.standfirst), language)
        body = stemmed_positions((doc.body, *doc.notes), language)
        counts: Counter[str] = Counter({t: 2 * len(p) for t, p in lead.items()})
        counts.update(
            dict(heapq.nlargest(MORE_LIKE_CANDIDATES, ((t, len(p)) for t, p in body.items()),
                                key=itemgetter(1)))
        )  # fmt: skip
        most = max(min(total * MORE_LIKE_MAX_SHARE, MORE_LIKE_MAX_DOCS), 5)
        weighted = []
        for term, count in counts.items():
            stem = term.partition(":")[2]
            if len(stem) < 3 or stem.isdigit():
                continue
            frequency = stats.doc_frequency("content", term)
            # Words in more than a tenth of the archive (or MORE_LIKE_MAX_DOCS clippings) say
            # little about a story.
            if frequency < 2 or frequency > most:
                continue
            weighted.append((count * stats.idf("content", term), term))
        top = heapq.nlargest(MORE_LIKE_TERMS, weighted)
        if not top:
            return []
        heaviest = top[0][0]
        plan = UnionPlan(tuple(TermPlan("content", t, boost=w / heaviest) for w, t in top))
        best: list[tuple[float, int]] = []
        for leaf, found in self.evaluate(plan):
            docnums = found.docnums()
            scores, ids = found.score[docnums], leaf.columns.id_values[docnums]
            if len(scores) > limit + 1:  # only those scoring at least the (limit + 1)th best
                keep = scores >= np.partition(scores, len(scores) - limit - 1)[-limit - 1]
                scores, ids = scores[keep], ids[keep]
            # The limit + 1 best here, ties going to the lower clipping id as they do below.
            first = np.lexsort((ids, -scores))[: limit + 1]
            best += zip(scores[first].tolist(), ids[first].tolist(), strict=True)
        best = [(score, cid) for score, cid in best if cid != doc.id]
        best.sort(key=lambda item: (-item[0], item[1]))
        return [cid for _score, cid in best[:limit]]

    # -- parity -------------------------------------------------------------------------------

    def parity_problems(
        self,
        feed: ChangeFeed,
        documents: DocumentSource,
        state: IndexState | None,
        index_dir: Path,
    ) -> list[str]:
        """How this view of the index differs from the archive's live clippings, and which
        of its files are damaged (every byte is read against its checksum)."""
        problems: list[str] = []
        last = feed.last_seq()
        if state is None or state.seq != last:
            seen = state.seq if state else "none"
            problems.append(f"index has applied changes up to {seen}, the archive is at {last}")
        segments = [leaf.reader.segment() for leaf in self.leaves]
        problems += damaged_files(index_dir, self.ix.storage, segments)
        indexed: dict[int, str] = {}
        for leaf in self.leaves:
            reader = leaf.reader
            deleted = deleted_docnums(reader)
            for docnum in range(reader.doc_count_all()):
                if docnum in deleted:
                    continue
                stored = reader.stored_fields(docnum)
                cid = int(stored["id"])
                if cid in indexed:
                    problems.append(f"clipping {cid} is in the index twice")
                indexed[cid] = stored.get("fp", "")
        live = documents.live_ids()
        live_set = set(live)
        for cid in sorted(set(indexed) - live_set):
            problems.append(f"clipping {cid} is in the index but not live in the archive")
        for cid in sorted(live_set - set(indexed)):
            problems.append(f"clipping {cid} is live in the archive but missing from the index")
        common = [cid for cid in live if cid in indexed]
        for start in range(0, len(common), READ_CHUNK):
            chunk = common[start : start + READ_CHUNK]
            for cid, doc in documents.index_documents(chunk).items():
                if doc.fingerprint != indexed[cid]:
                    problems.append(f"clipping {cid}: the index holds an older version")
        return problems


def _by_source_key(sources: Counter[str | None]) -> Counter[str]:
    """Source counts merged by the source's key (what `source:=` matches), each under the
    name most matches have."""
    by_key: dict[str, Counter[str]] = {}
    for name, count in sources.items():
        if name:
            by_key.setdefault(name_key(name), Counter())[name] += count
    merged: Counter[str] = Counter()
    for names in by_key.values():
        label = min(names, key=lambda name: (-names[name], name))
        merged[label] = sum(names.values())
    return merged


def tag_ids(tags: TagLookup, kind: str, name: str) -> set[int] | None:
    """A `topic:`/`region:` term's tags: the tag and everything under it; None if unknown."""
    tag = tags.find(kind, name)
    if tag is None:
        return None
    return tags.descendants(tag.id)


def filter_plans(flt: IndexFilter) -> list[Plan]:
    """One plan per condition of a resolved filter (all must hold)."""
    plans: list[Plan] = []
    for kind, covered in flt.tag_sets:
        if not covered:
            return [NOTHING]
        plans.append(
            UnionPlan(tuple(TermPlan(kind, str(t), scored=False) for t in sorted(covered)))
        )
    if flt.source_key:
        plans.append(TermPlan("srckey", flt.source_key, scored=False))
    if flt.language:
        plans.append(TermPlan("lang", primary_language(flt.language), scored=False))
    if flt.date_from or flt.date_to:
        plans.append(
            DatePlan(
                date_number(flt.date_from) if flt.date_from else None,
                date_number(flt.date_to) if flt.date_to else None,
            )
        )
    if flt.ids is not None:
        plans.append(IdsPlan(flt.ids))
    return plans


def make_hits(
    documents: DocumentSource, ranked: Sequence[tuple[int, float]], spec: HighlightSpec | None
) -> list[Hit]:
    """Hits for the page shown, with snippets cut from the archive's text; clippings gone
    since the index last caught up are left out."""
    texts = documents.hit_texts([cid for cid, _score in ranked])
    return [
        make_hit(cid, texts[cid], round(score, 4), spec) for cid, score in ranked if cid in texts
    ]


def _segment_best(found: Found, wanted: int | None) -> np.ndarray:
    """The docnums of one segment that can be among the first `wanted` of the whole
    ranking: its first `wanted` in the ranking's own order (`_best_first`); all of them
    when `wanted` is None."""
    docnums = found.docnums()
    if wanted is None or len(docnums) <= wanted:
        return docnums
    scores = found.score[docnums]
    # Only those scoring at least the wanted-th best can be among the first, ties included.
    threshold = np.partition(scores, len(scores) - wanted)[len(scores) - wanted]
    return docnums[scores >= threshold]  # ordered and cut with every other segment's


def _best_first(scores: np.ndarray, ids: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """The order of hits (as positions in these arrays) best first: higher scores first; on
    equal scores, the newer clipping, then the later-added one."""
    return np.lexsort((-ids, -dates, -scores))
