"""`SearchIndex`: the Whoosh index beside the archive, kept as a cache of it.

The archive's `changes` log is the index's only input. The index records the last sequence
number it applied (in a small state file, written atomically after each commit, with the
schema version and a build id) and catches up on open and whenever asked. An index that is
missing, damaged or built with an older schema is rebuilt into a temporary folder beside it
and swapped in; a transient failure to open it (a file that vanished because another
process committed meanwhile) is retried first.

Writing: one writer at a time, in this process (a lock) and across processes (Whoosh's
write lock, whose holder re-reads the state file, so the command line and the app can both
catch up on the same folder). New and changed clippings are written as fresh segments by
`SegmentBuilder`; big batches are split over separate worker processes (see `parallel`),
never a fork of this one. Commits do not merge big segments: merging happens in
`maintain()`, for when nobody is waiting. Errors while writing are raised after the
half-written segments are thrown away, never swallowed.

Searching: each thread keeps its own searcher and opens a fresh one when the index changed
(a directory listing tells), so commits made by a worker thread or another process show up
on the next search; per-segment data is cached across searchers, segments being immutable.
Evaluation is in `engine`; snippets are cut from the archive's text of the page shown only.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import json
import logging
import os
import shutil
import threading
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.util.filelock import FileLock
from whoosh.writing import SegmentWriter

from clipper.core.search.analysis import WORDS, stem_language, stemmed_positions
from clipper.core.search.codec import ClipperCodec
from clipper.core.search.engine import (
    NOTHING,
    ColumnsCache,
    DatePlan,
    IdsPlan,
    IndexDamaged,
    IntersectPlan,
    Plan,
    SegmentColumns,
    SegmentEvaluator,
    Statistics,
    TermPlan,
    UnionPlan,
    deleted_docnums,
)
from clipper.core.search.query import Compiled, Compiler, QuerySyntaxError, parse
from clipper.core.search.results import (
    FACET_KINDS,
    Hit,
    SearchResults,
    make_snippet,
    plain_snippet,
)
from clipper.core.search.schema import (
    SCHEMA_VERSION,
    build_schema,
    date_number,
    primary_language,
)
from clipper.core.search.segments import SegmentBuilder, delete_segment_files
from clipper.core.text import name_key
from clipper.core.views import (
    ChangeRecord,
    ClippingDetail,
    ClippingFilter,
    HitText,
    IndexDocument,
)

if TYPE_CHECKING:
    from clipper.core.archive import Archive

log = logging.getLogger(__name__)

STATE_FILENAME = "clipper-index.json"
INDEX_NAME = "MAIN"
# Changes that do not alter what the index holds for a clipping.
NO_REINDEX_OPS = frozenset({"link", "unlink", "dossier"})
# From this many clippings on, indexing is split over worker processes.
PARALLEL_MIN_DOCUMENTS = 3000
READ_CHUNK = 500
WRITER_TIMEOUT = 120.0
# How long a catch-up waits for another writer before leaving the work to it.
CATCH_UP_WAIT = 0.5
OPEN_ATTEMPTS = 4
REAPPEAR_ATTEMPTS = 20
# Commits never merge big segments; once there are this many segments, the small ones
# (single clippings caught up one by one) are merged, which is cheap.
MAX_SEGMENTS = 16
SMALL_SEGMENT_DOCUMENTS = 2000


# How long a missing change number is looked for again (see IndexState), and how far below
# the newest change a rebuild looks for missing ones.
GAP_PATIENCE = 600.0
GAP_LOOKBACK = 1000


def _remaining_gaps(
    state: IndexState,
    late: Sequence[ChangeRecord],
    changes: Sequence[ChangeRecord],
    now: float,
) -> tuple[tuple[int, float], ...]:
    """The gaps still open after a catch-up that found `late` (committed since) and
    `changes` (above the old high-water mark)."""
    found = {c.seq for c in late}
    kept = [(seq, since) for seq, since in state.gaps if seq not in found]
    kept = [(seq, since) for seq, since in kept if now - since < GAP_PATIENCE]
    if changes:
        present = {c.seq for c in changes}
        kept += [(seq, now) for seq in range(state.seq + 1, changes[-1].seq) if seq not in present]
    return tuple(kept)


class IndexUnusable(Exception):
    """The index on disk cannot be used as it is: missing, damaged or outdated."""


@dataclass(frozen=True)
class IndexState:
    """What the index has applied: every change up to `seq`, except the `gaps`.

    A gap is a change number below `seq` that was not in the log when the index caught up,
    with the time it was first missed. SQLite commits change numbers in order and leaves
    none; on a server database a transaction can commit after a later-numbered one, so a
    catch-up looks for its gaps again until they appear or GAP_PATIENCE has passed (a
    rolled-back transaction leaves a number that never comes).
    """

    schema: int
    seq: int
    build: str
    gaps: tuple[tuple[int, float], ...] = ()

    @property
    def gap_seqs(self) -> list[int]:
        return [seq for seq, _since in self.gaps]


@dataclass(frozen=True)
class IndexWork:
    """What the index has to do before it answers: a rebuild of `items` clippings, or a
    catch-up of about `items` changes."""

    rebuild: bool
    items: int


def pending_work(index_dir: Path, archive: Archive, index: SearchIndex | None) -> IndexWork:
    """A cheap estimate, read from the state file, so a window can say why searches wait.
    (A damaged index is found only by opening it: that rebuild is not foreseen here.)"""
    state = index.state if index is not None else read_state(index_dir)
    if state is None or state.schema != SCHEMA_VERSION:
        return IndexWork(rebuild=True, items=archive.count())
    return IndexWork(rebuild=False, items=max(0, archive.last_seq() - state.seq))


def read_state(index_dir: Path) -> IndexState | None:
    try:
        data = json.loads((index_dir / STATE_FILENAME).read_text(encoding="utf-8"))
        gaps = tuple((int(seq), float(since)) for seq, since in data.get("gaps", ()))
        return IndexState(int(data["schema"]), int(data["seq"]), str(data["build"]), gaps)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("unreadable index state in %s: %s", index_dir, exc)
        return None


def write_state(index_dir: Path, state: IndexState) -> None:
    """Replace the state file atomically (write aside, flush to disk, rename over)."""
    target = index_dir / STATE_FILENAME
    temporary = index_dir / f".{STATE_FILENAME}.{os.getpid()}.{threading.get_ident()}"
    payload = {
        "schema": state.schema,
        "seq": state.seq,
        "build": state.build,
        "gaps": [list(gap) for gap in state.gaps],
    }
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


@dataclass
class _Leaf:
    reader: Any
    offset: int
    columns: SegmentColumns


@dataclass
class _View:
    """One thread's searcher and what goes with it."""

    ix: Any
    searcher: Any
    leaves: list[_Leaf]
    stats: Statistics

    # The compiler's view of the terms (query.Lexicon), over every segment.

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return int(self.searcher.doc_frequency(fieldname, term))

    def with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        found: set[str] = set()
        for leaf in self.leaves:
            found.update(leaf.columns.lexicon(leaf.reader, fieldname).with_prefix(prefix))
        return sorted(found)

    def within(self, fieldname: str, word: str, distance: int) -> set[str]:
        found: set[str] = set()
        for leaf in self.leaves:
            found.update(leaf.columns.lexicon(leaf.reader, fieldname).within(word, distance))
        return found


class SearchIndex:
    """A Whoosh index that mirrors the live clippings of an archive. See the module notes.

    `parallel` allows worker processes for big batches (False in tests that must stay in
    one process).
    """

    def __init__(
        self, index_dir: Path, archive: Archive, ix: Any, state: IndexState, parallel: bool
    ) -> None:
        self.index_dir = index_dir
        self.archive = archive
        self.parallel = parallel
        self._ix = ix
        self._state = state
        self._identity = _folder_identity(index_dir)
        self._write_lock = threading.RLock()
        self._view_lock = threading.Lock()
        self._local = threading.local()
        self._views: list[_View] = []
        self._columns = ColumnsCache()
        self._closed = False
        self._just_built: tuple[str, int] | None = None

    # -- opening, rebuilding, closing ---------------------------------------------------------

    @classmethod
    def open(cls, index_dir: Path, archive: Archive, parallel: bool = True) -> SearchIndex:
        """Open the index (rebuilding it first when it is missing, damaged or outdated),
        then catch up with the archive."""
        index_dir = Path(index_dir)
        try:
            index = cls._open_existing(index_dir, archive, parallel)
        except IndexUnusable as problem:
            # A new archive has no index yet: only a broken one is worth a warning.
            level = logging.WARNING if index_dir.exists() else logging.INFO
            log.log(level, "search index at %s: %s; rebuilding it", index_dir, problem)
            index = cls._rebuild_and_open(index_dir, archive, parallel)
        index.catch_up()
        return index

    @classmethod
    def _open_existing(cls, index_dir: Path, archive: Archive, parallel: bool) -> SearchIndex:
        last_error = ""
        for attempt in range(OPEN_ATTEMPTS):
            state = read_state(index_dir)
            if state is None:
                raise IndexUnusable("it is missing (or has no state file)")
            if state.schema != SCHEMA_VERSION:
                raise IndexUnusable(
                    f"it was built with schema version {state.schema}, not {SCHEMA_VERSION}"
                )
            problem = ""
            # Whoosh leaves files open when it fails to read a damaged index; they are
            # closed when the traceback goes, inside this block, without a warning each.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                try:
                    ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
                    index = cls(index_dir, archive, ix, state, parallel)
                    index._view()  # opens every segment and reads its columns: the check
                    return index
                except FileNotFoundError as exc:
                    # Another process may have committed (or swapped in a rebuild) between
                    # our reading the table of contents and opening the files it names.
                    last_error = str(exc)
                except Exception as exc:
                    problem = f"it cannot be read ({type(exc).__name__}: {exc})"
                gc.collect()
            if problem:
                raise IndexUnusable(problem)
            time.sleep(0.05 * (attempt + 1))
        raise IndexUnusable(f"files kept vanishing while opening it ({last_error})")

    @classmethod
    def _rebuild_and_open(cls, index_dir: Path, archive: Archive, parallel: bool) -> SearchIndex:
        with _rebuild_lock(index_dir):
            # Another process may have rebuilt it while we waited for the lock.
            with contextlib.suppress(IndexUnusable):
                return cls._open_existing(index_dir, archive, parallel)
            count = build_index(index_dir, archive, parallel)
        index = cls._open_existing(index_dir, archive, parallel)
        index._just_built = (index._state.build, count)
        return index

    def rebuild(self) -> int:
        """Rebuild the whole index from the archive (beside it, then swapped in); returns
        how many clippings it holds. An index this object built on opening, and that nothing
        has used since, is not built twice (`clipper reindex` of an outdated index)."""
        with self._write_lock:
            just_built, self._just_built = self._just_built, None
            state = read_state(self.index_dir)
            if just_built is not None and state is not None and state.build == just_built[0]:
                self.catch_up(timeout=None)
                return self.document_count()
            with _rebuild_lock(self.index_dir):
                count = build_index(self.index_dir, self.archive, self.parallel)
            self._reopen()
        return count

    def _reopen(self) -> None:
        state = read_state(self.index_dir)
        for _attempt in range(REAPPEAR_ATTEMPTS):
            if state is not None:
                break
            # Another process is between the two renames of a swap.
            time.sleep(0.05)
            state = read_state(self.index_dir)
        if state is None:
            raise IndexDamaged(f"the index at {self.index_dir} vanished")
        self._ix = whoosh_index.open_dir(str(self.index_dir), indexname=INDEX_NAME)
        self._state = state
        self._identity = _folder_identity(self.index_dir)
        self._columns = ColumnsCache()
        self._drop_views()

    def close(self) -> None:
        self._closed = True
        self._drop_views()

    def _drop_views(self) -> None:
        with self._view_lock:
            views, self._views = self._views, []
        for view in views:
            with contextlib.suppress(Exception):
                view.searcher.close()
        self._local = threading.local()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def applied_seq(self) -> int:
        """The last archive change this index has applied."""
        return self._state.seq

    @property
    def state(self) -> IndexState:
        return self._state

    # -- searchers ----------------------------------------------------------------------------

    def _current_ix(self) -> Any:
        identity = _folder_identity(self.index_dir)
        if identity != self._identity:
            # Another process swapped in a rebuilt index.
            with self._write_lock:
                if _folder_identity(self.index_dir) != self._identity:
                    self._reopen()
        return self._ix

    def _view(self) -> _View:
        if self._closed:
            raise RuntimeError("the search index is closed")
        ix = self._current_ix()
        view: _View | None = getattr(self._local, "view", None)
        if view is not None and view.ix is ix and view.searcher.up_to_date():
            return view
        if view is not None:
            with contextlib.suppress(Exception):
                view.searcher.close()
        # Not `searcher.refresh()`: Whoosh reuses a segment's old reader there, and with it
        # the segment's old set of deleted documents. Opening readers is cheap with
        # uncompounded segments, and the columns are cached by segment anyway.
        searcher = ix.searcher()
        leaves = [
            _Leaf(reader, offset, self._columns.get(reader))
            for reader, offset in searcher.reader().leaf_readers()
            if reader.segment() is not None  # an empty index has an EmptyReader
        ]
        self._columns.keep_only(leaf.columns.segment_id for leaf in leaves)
        fresh = _View(ix, searcher, leaves, Statistics(searcher))
        with self._view_lock:
            if view is not None and view in self._views:
                self._views.remove(view)
            self._views.append(fresh)
        self._local.view = fresh
        return fresh

    def _forget_view(self) -> None:
        view = getattr(self._local, "view", None)
        if view is not None:
            with self._view_lock:
                if view in self._views:
                    self._views.remove(view)
            with contextlib.suppress(Exception):
                view.searcher.close()
            self._local.view = None

    def _retrying(self, action: Any) -> Any:
        """Run a read; if index files vanished under it (a merge or a swap by another
        process), open fresh readers and run it once more; if they turn out damaged,
        rebuild the index and run it once more."""
        try:
            return action()
        except FileNotFoundError:
            log.info("index files changed during a search; retrying with fresh readers")
            self._forget_view()
            return action()
        except IndexDamaged as damage:
            log.warning("the search index is damaged (%s); rebuilding it", damage)
        self.rebuild()
        return action()

    def document_count(self) -> int:
        return int(self._retrying(lambda: self._view().searcher.doc_count()))

    def segment_count(self) -> int:
        return len(self._retrying(lambda: self._view().leaves))

    # -- catching up --------------------------------------------------------------------------

    def catch_up(self, timeout: float | None = CATCH_UP_WAIT) -> int:
        """Apply the archive's changes since the last one applied; returns how many
        clippings were (re)indexed or removed. Safe to call from any thread.

        When another thread or process is already writing the index (a big batch can take
        minutes), this waits `timeout` seconds at most and then returns 0 without applying
        anything: that writer applies the changes, and searches meanwhile see the index as
        it was. `timeout=None` waits as long as a writer may (WRITER_TIMEOUT).
        """
        if self.archive.last_seq() <= self._state.seq and not (
            self._state.gaps and self.archive.changes_with_seqs(self._state.gap_seqs)
        ):
            return 0
        wait = WRITER_TIMEOUT if timeout is None else timeout
        if not self._write_lock.acquire(timeout=wait):
            log.info("another thread is writing the search index; catch-up skipped")
            return 0
        try:
            try:
                writer = _IndexWriter(self, wait)
            except LockError:
                log.info("another process is writing the search index; catch-up skipped")
                return 0
            try:
                return self._apply_changes(writer)
            except BaseException:
                writer.abort()
                raise
        finally:
            self._write_lock.release()

    def _apply_changes(self, writer: _IndexWriter) -> int:
        state = read_state(self.index_dir) or self._state
        late = self.archive.changes_with_seqs(state.gap_seqs) if state.gaps else []
        changes = self.archive.changes_since(state.seq)
        new_state = IndexState(
            SCHEMA_VERSION,
            changes[-1].seq if changes else state.seq,
            state.build,
            _remaining_gaps(state, late, changes, time.time()),
        )
        ids = list(
            dict.fromkeys(c.clipping_id for c in late + changes if c.op not in NO_REINDEX_OPS)
        )
        if not ids:
            # Nothing the index holds changed (or another process caught up already).
            writer.cancel()
            if new_state != state:
                write_state(self.index_dir, new_state)
            self._state = new_state
            return 0
        writer.replace(ids)
        writer.commit(new_state)
        self._state = new_state
        log.debug("index caught up to change %d (%d clippings)", new_state.seq, len(ids))
        return len(ids)

    @contextlib.contextmanager
    def _writer(self, wait: float = WRITER_TIMEOUT) -> Iterator[_IndexWriter]:
        writer = _IndexWriter(self, wait)
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise

    def maintain(self, max_segments: int = 6) -> int:
        """Merge segments for faster searches; for idle time (it can take a while).

        The smaller segments are re-indexed from the archive into one new segment, which is
        quicker than Whoosh's own merge and gives the same result. Returns how many
        clippings were re-indexed.
        """
        with self._write_lock, self._writer() as writer:
            segments = sorted(writer.whoosh.segments, key=lambda s: s.doc_count())
            if len(segments) <= max_segments:
                writer.cancel()
                return 0
            merged = segments[: len(segments) - max_segments + 1]
            ids = writer.live_ids(merged)
            writer.drop_segments(merged)
            writer.build(ids)
            state = read_state(self.index_dir) or self._state
            writer.commit(state)
            self._state = state
            return len(ids)

    # -- searching ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        flt: ClippingFilter | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> SearchResults:
        """One page of results for a query (see `query` for the language) within a filter.

        A blank query lists the clippings the filter selects, newest first (a dossier in its
        own order), as the library view does; that listing also serves the trash, which a
        query cannot search since the index holds live clippings only.
        """
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        self._just_built = None
        flt = flt or ClippingFilter()
        tree = _parse_within(query, flt)
        if tree is None:
            return self._retrying(lambda: self._listing(flt, page, page_size))
        return self._retrying(lambda: self._search(query, tree, flt, page, page_size))

    def ranked_ids(self, query: str, flt: ClippingFilter | None = None) -> list[tuple[int, float]]:
        """Every clipping a query finds within a filter, best first, with its score, and no
        snippets: to order all the hits by a column, or to take them all (an export)."""
        flt = flt or ClippingFilter()
        tree = _parse_within(query, flt)
        if tree is None:
            return [(cid, 0.0) for cid in self.archive.list_ids(flt)]

        def rank() -> list[tuple[int, float]]:
            _compiled, _filters, matches = self._match(self._view(), tree, flt)
            found = [
                (score, leaf.columns.ids[docnum], leaf.columns.dates[docnum])
                for leaf, scores in matches
                for docnum, score in scores.items()
            ]
            found.sort(key=_best_first)
            return [(cid, round(score, 4)) for score, cid, _date in found]

        return self._retrying(rank)

    def hits_for(self, query: str, ranked: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits with the query's snippets for these clippings (from `ranked_ids`), in this
        order; clippings gone since are left out."""
        tree = parse(query)
        spec = None if tree is None else Compiler(self._view(), self._tag_ids).compile(tree)
        return self._hits(ranked, spec.highlight if spec is not None else None)

    def _match(
        self, view: _View, tree: Any, flt: ClippingFilter
    ) -> tuple[Compiled, list[Plan], list[tuple[_Leaf, dict[int, float]]]]:
        """The compiled query, the filter's plans, and each segment's matches with scores."""
        compiled = Compiler(view, self._tag_ids).compile(tree)
        filters = self._filter_plans(flt)
        plan: Plan = IntersectPlan((compiled.plan, *filters)) if filters else compiled.plan
        return compiled, filters, self._evaluate(view, plan)

    def _search(
        self, query: str, tree: Any, flt: ClippingFilter, page: int, page_size: int
    ) -> SearchResults:
        view = self._view()
        compiled, filters, matches = self._match(view, tree, flt)
        total = sum(len(scores) for _leaf, scores in matches)
        wanted = page * page_size
        best: list[tuple[float, int, int]] = []
        for leaf, scores in matches:
            for docnum, score in heapq.nlargest(wanted, scores.items(), key=itemgetter(1)):
                best.append((score, leaf.columns.ids[docnum], leaf.columns.dates[docnum]))
        best.sort(key=_best_first)
        ranked = best[(page - 1) * page_size : wanted]
        hits = self._hits([(cid, score) for score, cid, _date in ranked], compiled.highlight)
        suggestion = None
        if compiled.unknown_words:
            suggestion = self._suggestion(query, compiled.unknown_words, view, filters)
        return SearchResults(
            total=total,
            hits=hits,
            facets=self._facets(matches),
            suggestion=suggestion,
            page=page,
            page_size=page_size,
        )

    def _listing(self, flt: ClippingFilter, page: int, page_size: int) -> SearchResults:
        ids = self.archive.list_ids(flt)
        total = len(ids)
        shown = ids[(page - 1) * page_size : page * page_size]
        facets: dict[str, list[tuple[str, int]]] = {kind: [] for kind in FACET_KINDS}
        if flt.in_trash:
            hits = self._trashed_hits(shown)
        else:
            view = self._view()
            facets = self._facets(self._evaluate(view, IdsPlan(frozenset(ids))))
            hits = self._hits([(cid, 0.0) for cid in shown], None)
        return SearchResults(
            total=total,
            hits=hits,
            facets=facets,
            suggestion=None,
            page=page,
            page_size=page_size,
        )

    def _evaluate(self, view: _View, plan: Plan) -> list[tuple[_Leaf, dict[int, float]]]:
        return [
            (leaf, SegmentEvaluator(leaf.reader, leaf.columns, view.stats).run(plan))
            for leaf in view.leaves
        ]

    def _tag_ids(self, kind: str, name: str) -> set[int] | None:
        tag = self.archive.find_tag(kind, name)
        if tag is None:
            return None
        return self.archive.tag_descendants(tag.id)

    def _filter_plans(self, flt: ClippingFilter) -> list[Plan]:
        plans: list[Plan] = []
        if flt.tag_ids:
            refs = self.archive.tag_names(flt.tag_ids)
            for tag_id in flt.tag_ids:
                ref = refs.get(tag_id)
                if ref is None:
                    return [NOTHING]
                covered = sorted(self.archive.tag_descendants(tag_id))
                plans.append(
                    UnionPlan(tuple(TermPlan(ref.kind, str(t), scored=False) for t in covered))
                )
        if flt.source:
            plans.append(TermPlan("srckey", name_key(flt.source), scored=False))
        if flt.language:
            plans.append(TermPlan("lang", primary_language(flt.language), scored=False))
        if flt.date_from or flt.date_to:
            plans.append(
                DatePlan(
                    date_number(flt.date_from) if flt.date_from else None,
                    date_number(flt.date_to) if flt.date_to else None,
                )
            )
        if flt.dossier_id is not None:
            plans.append(IdsPlan(frozenset(self.archive.dossier(flt.dossier_id).clipping_ids)))
        if flt.ids is not None:
            plans.append(IdsPlan(frozenset(flt.ids)))
        return plans

    def _hits(self, ranked: Sequence[tuple[int, float]], spec: Any) -> list[Hit]:
        """Hits for the page shown, with snippets cut from the archive's text."""
        documents = self.archive.hit_texts([cid for cid, _score in ranked])
        hits = []
        for cid, score in ranked:
            doc = documents.get(cid)
            if doc is None:
                continue  # trashed or purged since the index last caught up
            hits.append(_hit(cid, doc, round(score, 4), spec))
        return hits

    def _trashed_hits(self, shown: Sequence[int]) -> list[Hit]:
        """Rows of the trash listing (the index holds live clippings only)."""
        from clipper.core.archive import NotFound

        hits = []
        for cid in shown:
            try:
                detail = self.archive.get(cid)
            except NotFound:
                continue
            hits.append(_hit(cid, detail, 0.0, None))
        return hits

    def _facets(self, matches: list[tuple[_Leaf, dict[int, float]]]) -> dict[str, Any]:
        topics: Counter[int] = Counter()
        regions: Counter[int] = Counter()
        sources: Counter[str | None] = Counter()
        months: Counter[int] = Counter()
        languages: Counter[str | None] = Counter()
        for leaf, scores in matches:
            if not scores:
                continue
            columns = leaf.columns
            docnums = list(scores)
            topics.update(chain.from_iterable(map(columns.topics.__getitem__, docnums)))
            regions.update(chain.from_iterable(map(columns.regions.__getitem__, docnums)))
            sources.update(map(columns.sources.__getitem__, docnums))
            languages.update(map(columns.languages.__getitem__, docnums))
            months.update(date // 100 for date in map(columns.dates.__getitem__, docnums))
        names = self.archive.tag_names(set(topics) | set(regions)) if topics or regions else {}

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
            "source": by_count(sources),
            "month": sorted(
                ((f"{m // 100:04d}-{m % 100:02d}", n) for m, n in months.items() if m),
                reverse=True,
            ),
            "language": by_count(languages),
        }

    def _suggestion(
        self,
        query: str,
        unknown: list[tuple[int, int, str]],
        view: _View,
        filters: list[Plan],
    ) -> str | None:
        """The query with each unknown word replaced by the likeliest known word, if that
        query finds something."""
        corrected = query
        changed = False
        for start, end, word in sorted(unknown, reverse=True):
            better = self._correction(word, view)
            if better:
                corrected = corrected[:start] + better + corrected[end:]
                changed = True
        if not changed:
            return None
        tree = parse(corrected)
        if tree is None:
            return None
        compiled = Compiler(view, self._tag_ids).compile(tree)
        plan: Plan = IntersectPlan((compiled.plan, *filters)) if filters else compiled.plan
        if any(scores for _leaf, scores in self._evaluate(view, plan)):
            return corrected
        return None

    def _correction(self, word: str, view: _View) -> str | None:
        reader = view.searcher.reader()
        for distance in (1, 2) if len(word) >= 5 else (1,):
            candidates = view.within("spell", word, distance)
            candidates.discard(word)
            scored = [
                (sum(reader.doc_frequency("content", s) for s in WORDS.stems(c)), c)
                for c in candidates
            ]
            scored = [(frequency, c) for frequency, c in scored if frequency]
            if scored:
                return max(scored, key=lambda item: (item[0], [-ord(ch) for ch in item[1]]))[1]
        return None

    def more_like(self, clipping_id: int, limit: int = 10) -> list[int]:
        """Clippings whose text is most like this one's (its most telling words), best first."""
        documents = self.archive.index_documents([clipping_id])
        doc = documents.get(clipping_id)
        if doc is None:
            return []
        return list(self._retrying(lambda: self._more_like(doc, limit)))

    def _more_like(self, doc: IndexDocument, limit: int) -> list[int]:
        view = self._view()
        stats = view.stats
        total = max(stats.doc_count, 1)
        language = stem_language(doc.language)
        # The candidates: every word of the title and standfirst (counted double) and the
        # body's most repeated words; looking up how rare every word of a long article is
        # would cost more than the search itself.
        lead, _next = stemmed_positions((doc.title, doc.standfirst), language)
        body, _next = stemmed_positions((doc.body, *doc.notes), language)
        counts: Counter[str] = Counter({t: 2 * len(p) for t, p in lead.items()})
        counts.update(
            dict(heapq.nlargest(MORE_LIKE_CANDIDATES, ((t, len(p)) for t, p in body.items()),
                                key=itemgetter(1)))
        )  # fmt: skip
        most = max(total * MORE_LIKE_MAX_SHARE, 5)
        weighted = []
        for term, count in counts.items():
            if len(term) < 3 or term.isdigit():
                continue
            frequency = view.searcher.doc_frequency("content", term)
            # Words in more than a tenth of the archive say little about a story.
            if frequency < 2 or frequency > most:
                continue
            weighted.append((count * stats.idf("content", term), term))
        top = heapq.nlargest(MORE_LIKE_TERMS, weighted)
        if not top:
            return []
        heaviest = top[0][0]
        plan = UnionPlan(tuple(TermPlan("content", t, boost=w / heaviest) for w, t in top))
        best: list[tuple[float, int]] = []
        for leaf, scores in self._evaluate(view, plan):
            for docnum, score in heapq.nlargest(limit + 1, scores.items(), key=itemgetter(1)):
                cid = leaf.columns.ids[docnum]
                if cid != doc.id:
                    best.append((score, cid))
        best.sort(key=lambda item: (-item[0], item[1]))
        return [cid for _score, cid in best[:limit]]

    # -- parity -------------------------------------------------------------------------------

    def parity_problems(self) -> list[str]:
        """How the index differs from the archive's live clippings; empty when they agree.
        Damage found on the way is reported, not repaired (`rebuild` repairs)."""
        try:
            return self._parity_problems()
        except FileNotFoundError:
            self._forget_view()
            return self._parity_problems()
        except IndexDamaged as damage:
            return [f"the index is damaged: {damage}"]

    def _parity_problems(self) -> list[str]:
        problems: list[str] = []
        last = self.archive.last_seq()
        state = read_state(self.index_dir)
        if state is None or state.seq < last:
            seen = state.seq if state else "none"
            problems.append(f"index has applied changes up to {seen}, the archive is at {last}")
        view = self._view()
        indexed: dict[int, str] = {}
        for leaf in view.leaves:
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
        live = self.archive.live_ids()
        live_set = set(live)
        for cid in sorted(set(indexed) - live_set):
            problems.append(f"clipping {cid} is in the index but not live in the archive")
        for cid in sorted(live_set - set(indexed)):
            problems.append(f"clipping {cid} is live in the archive but missing from the index")
        common = [cid for cid in live if cid in indexed]
        for start in range(0, len(common), READ_CHUNK):
            chunk = common[start : start + READ_CHUNK]
            for cid, doc in self.archive.index_documents(chunk).items():
                if doc.fingerprint != indexed[cid]:
                    problems.append(f"clipping {cid}: the index holds an older version")
        return problems


MORE_LIKE_TERMS = 25
MORE_LIKE_CANDIDATES = 60
MORE_LIKE_MAX_SHARE = 0.1


def _parse_within(query: str, flt: ClippingFilter) -> Any:
    """The query's tree, None for a blank query (a listing); the trash is only listed."""
    tree = parse(query)
    if tree is not None and flt.in_trash:
        raise QuerySyntaxError(
            "the trash cannot be searched, only listed: clear the search field to see it"
        )
    return tree


def _best_first(hit: tuple[float, int, int]) -> tuple[float, int, int]:
    """Sort key for (score, clipping id, date): higher scores first; on equal scores, the
    newer clipping, then the later-added one."""
    score, clipping_id, date = hit
    return (-score, -date, -clipping_id)


def _snippet_text(doc: HitText | IndexDocument | ClippingDetail) -> str:
    return f"{doc.standfirst}\n\n{doc.body}" if doc.standfirst else doc.body


def _hit(cid: int, doc: HitText | ClippingDetail, score: float, spec: Any) -> Hit:
    """A hit row: the clipping's fields and a snippet of its text (marked per `spec`)."""
    fragments = make_snippet(_snippet_text(doc), spec, doc.language)
    return Hit(
        id=cid,
        title=doc.title,
        source=doc.source,
        published=doc.published,
        score=score,
        snippet=plain_snippet(fragments),
        fragments=fragments,
    )


def _folder_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)


# -- writing --------------------------------------------------------------------------------


class _IndexWriter:
    """One writing session on the live index: holds Whoosh's write lock until commit or
    abort. Deletions go through Whoosh's writer; additions are new segments."""

    def __init__(self, index: SearchIndex, wait: float = WRITER_TIMEOUT) -> None:
        self.index = index
        ix = index._current_ix()
        try:
            self.whoosh = SegmentWriter(
                ix, timeout=wait, delay=0.05, compound=False, codec=ClipperCodec()
            )
        except LockError as exc:
            raise LockError(
                f"the search index at {index.index_dir} stayed locked by another writer for "
                f"{wait:.0f} s"
            ) from exc
        self.new_segments: list[Any] = []
        self._builder: SegmentBuilder | None = None
        self._dropped: set[str] = set()
        self.closed = False

    def replace(self, ids: Sequence[int]) -> None:
        """Remove these clippings from the index and add back the ones still live."""
        writer = self.whoosh
        if writer.segments:
            # Found through the clipping-id column rather than one term query per id.
            base = 0
            for segment in writer.segments:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                try:
                    columns = self.index._columns.get(reader)
                finally:
                    reader.close()
                for cid in ids:
                    docnum = columns.docnum_of(cid)
                    if docnum is not None and not segment.is_deleted(docnum):
                        writer.delete_document(base + docnum)
                base += segment.doc_count_all()
        self.build(ids)

    def build(self, ids: Sequence[int]) -> None:
        index = self.index
        if _use_workers(index.parallel, len(ids)):
            from clipper.core.search.parallel import build_segments

            self.new_segments += build_segments(
                index.index_dir, INDEX_NAME, index.archive.location, ids
            )
            return
        if self._builder is None:
            self._builder = SegmentBuilder(self.whoosh.storage, INDEX_NAME, self.whoosh.schema)
        add_documents(self._builder, index.archive, ids)

    def live_ids(self, segments: Sequence[Any]) -> list[int]:
        ids: list[int] = []
        wanted = {s.segment_id() for s in segments}
        searcher = self.whoosh.searcher()
        for reader, _offset in searcher.reader().leaf_readers():
            if reader.segment().segment_id() not in wanted:
                continue
            cids = SegmentColumns(reader).ids
            deleted = deleted_docnums(reader)
            ids.extend(cids[d] for d in range(reader.doc_count_all()) if d not in deleted)
        return sorted(ids)

    def drop_segments(self, segments: Sequence[Any]) -> None:
        self._dropped |= {s.segment_id() for s in segments}

    def commit(self, state: IndexState) -> None:
        writer = self.whoosh
        kept = [s for s in writer.segments if s.segment_id() not in self._dropped]
        coming = len(self.new_segments) + (self._builder is not None)
        if len(kept) + coming > MAX_SEGMENTS:
            # Clippings caught up one at a time leave one small segment each: fold those
            # into the new segment (re-read from the archive, as `maintain` does).
            small = [s for s in kept if s.doc_count_all() < SMALL_SEGMENT_DOCUMENTS]
            if len(small) > 1:
                self.build(self.live_ids(small))
                kept = [s for s in kept if s not in small]
        if self._builder is not None:
            self.new_segments += self._builder.finish()
        writer._close_segment()
        # Writes the new table of contents and removes the files no segment uses any more.
        writer._commit_toc(kept + self.new_segments)
        writer._finish()
        self.closed = True
        write_state(self.index.index_dir, state)

    def cancel(self) -> None:
        """End a session that changed nothing: release the lock, remove the empty files."""
        if not self.closed:
            self.closed = True
            self._cancel_whoosh()

    def abort(self) -> None:
        """Undo an unfinished session after an error: release the lock, delete new files."""
        if self.closed:
            return
        self.closed = True
        try:
            if self._builder is not None:
                self._builder.discard()
            if self.new_segments:
                delete_segment_files(self.whoosh.storage, self.new_segments)
        finally:
            self._cancel_whoosh()

    def _cancel_whoosh(self) -> None:
        writer = self.whoosh
        writer.cancel()
        # Whoosh leaves the files of the writer's own (empty) segment for the next commit to
        # clean up; remove them now.
        delete_segment_files(writer.storage, [writer.newsegment])


def _use_workers(allowed: bool, count: int) -> bool:
    """Worker processes pay off for big batches, and only with more than one core."""
    from clipper.core.search.parallel import worker_count

    return allowed and count >= PARALLEL_MIN_DOCUMENTS and worker_count() > 1


def add_documents(
    builder: SegmentBuilder,
    archive: Archive,
    ids: Sequence[int],
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Read the clippings from the archive in chunks and add the live ones to the builder;
    IndexBuildCancelled between chunks when `cancelled()` turns true."""
    added = 0
    for start in range(0, len(ids), READ_CHUNK):
        if cancelled():
            from clipper.core.search.parallel import IndexBuildCancelled

            raise IndexBuildCancelled("the search index build was cancelled")
        chunk = ids[start : start + READ_CHUNK]
        documents = archive.index_documents(chunk)
        for cid in chunk:
            doc = documents.get(cid)
            if doc is not None:
                builder.add_document(doc)
                added += 1
    return added


@contextlib.contextmanager
def _rebuild_lock(index_dir: Path) -> Iterator[None]:
    """Only one process rebuilds a given index at a time; others wait, then use its work."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir.parent / f".{index_dir.name}.rebuild.lock"))
    lock.acquire(blocking=True)
    try:
        yield
    finally:
        lock.release()


def build_index(index_dir: Path, archive: Archive, parallel: bool) -> int:
    """Build a complete index of the archive in a temporary folder beside `index_dir`, then
    swap it in. Returns the number of clippings indexed. Call with the rebuild lock held."""
    started = time.perf_counter()
    # Left over by a build or swap that was killed; nobody else builds while we hold the
    # rebuild lock, so they are garbage.
    for stale in index_dir.parent.glob(f".{index_dir.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in index_dir.parent.glob(f".{index_dir.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    temporary = index_dir.parent / f".{index_dir.name}.building-{uuid.uuid4().hex[:8]}"
    temporary.mkdir(parents=True)
    try:
        # Changes after this point are applied by the next catch-up (re-applying one that
        # the build already saw does no harm).
        seq = archive.last_seq()
        ids = archive.live_ids()
        ix = whoosh_index.create_in(str(temporary), build_schema(), indexname=INDEX_NAME)
        cancelled = archive.index_build_cancelled
        if _use_workers(parallel, len(ids)):
            from clipper.core.search.parallel import build_segments

            segments = build_segments(
                temporary, INDEX_NAME, archive.location, ids, cancelled=cancelled
            )
        else:
            builder = SegmentBuilder(ix.storage, INDEX_NAME, ix.schema)
            try:
                add_documents(builder, archive, ids, cancelled)
            except BaseException:
                builder.discard()
                raise
            segments = builder.finish()
        writer = SegmentWriter(ix, compound=False, codec=ClipperCodec())
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
        # Numbers missing below `seq` may belong to transactions still committing.
        since = time.time()
        gaps = tuple((g, since) for g in archive.missing_seqs(max(0, seq - GAP_LOOKBACK), seq))
        write_state(temporary, IndexState(SCHEMA_VERSION, seq, uuid.uuid4().hex, gaps))
        _swap_in(temporary, index_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    log.info(
        "rebuilt the search index: %d clippings in %.1f s",
        len(ids),
        time.perf_counter() - started,
    )
    return len(ids)


def _swap_in(built: Path, index_dir: Path) -> None:
    """Put the freshly built index where the old one was.

    The old index's write lock is held across the swap, so no writer in another process is
    half-way through a commit to the folder being replaced.
    """
    lock = None
    if index_dir.is_dir():
        lock = FileStorage(str(index_dir)).lock(f"{INDEX_NAME}_WRITELOCK")
        if not _try_for(lock.acquire, WRITER_TIMEOUT):
            raise LockError(f"the search index at {index_dir} stayed locked by another writer")
    try:
        retired = index_dir.parent / f".{index_dir.name}.old-{uuid.uuid4().hex[:8]}"
        if index_dir.exists():
            os.rename(index_dir, retired)
        os.rename(built, index_dir)
    finally:
        if lock is not None:
            lock.release()
    shutil.rmtree(retired, ignore_errors=True)


def _try_for(acquire: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not acquire():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
