"""`SearchIndex`: the Whoosh index beside the archive, kept as a cache of it.

The archive's change log (a `ports.ChangeFeed`) is the index's only input. The index records
the last sequence number it applied (in a state file, see `state`) and catches up on open
and whenever asked. An index that is missing, damaged or built with an older schema is
rebuilt into a temporary folder beside it and swapped in (`writer.build_index`); a transient
failure to open it (a file that vanished because another process committed meanwhile) is
retried first.

Writing: one writer at a time, in this process (a lock) and across processes (Whoosh's
write lock, whose holder re-reads the state file, so the command line and the app can both
catch up on the same folder); see `writer`. Commits do not merge big segments; small ones
are folded a size tier at a time, by the commit or, where a window has idle time, by
`fold_small_segments()` then (a catch-up waiting for the lock stops it). Errors while writing
are raised after the half-written segments are thrown away, never swallowed.

Searching: each thread keeps its own view (`searcher.IndexView`) and opens a fresh one when
the index changed (a directory listing tells), so commits made by a worker thread or another
process show up on the next search; per-segment data is cached across views, segments being
immutable. The query side is in `searcher`; this module is the lifecycle and thin public
query methods. A blank query is a listing, which is the archive's job, not the index's.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import whoosh
from whoosh import index as whoosh_index
from whoosh.index import LockError

from clipper.core.paths import ArchiveLocation
from clipper.core.search.engine import ColumnsCache, IdsPlan, Plan
from clipper.core.search.errors import IndexDamaged, IndexUnusable
from clipper.core.search.ports import ChangeFeed, DocumentSource, IndexFilter, TagLookup
from clipper.core.search.query import QuerySyntaxError, parse
from clipper.core.search.results import Hit, SearchResults, mark_text
from clipper.core.search.schema import SCHEMA_VERSION
from clipper.core.search.searcher import IndexView, make_hits, open_view
from clipper.core.search.state import (
    STATE_FILENAME,
    IndexState,
    read_state,
    remaining_gaps,
    write_state,
)
from clipper.core.search.writer import (
    FOLD_AT,
    FOLD_BACKSTOP,
    INDEX_NAME,
    WRITER_TIMEOUT,
    IndexWriter,
    WriteLock,
    build_index,
    rebuild_lock,
    remove_leftovers,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

# Changes that do not alter what the index holds for a clipping.
NO_REINDEX_OPS = frozenset({"link", "unlink", "dossier"})
# How long a catch-up waits for another writer before leaving the work to it.
CATCH_UP_WAIT = 0.5
OPEN_ATTEMPTS = 4
REAPPEAR_ATTEMPTS = 20

__all__ = [
    "FOLD_AT",
    "STATE_FILENAME",
    "IndexState",
    "IndexWork",
    "SearchIndex",
    "build_index",
    "pending_work",
    "read_state",
]


@dataclass(frozen=True)
class IndexWork:
    """What the index has to do before it answers: a rebuild of `items` clippings, or a
    catch-up of about `items` changes."""

    rebuild: bool
    items: int


def pending_work(
    index_dir: Path, feed: ChangeFeed, documents: DocumentSource, index: SearchIndex | None
) -> IndexWork:
    """A cheap estimate, read from the state file, so a window can say why searches wait.
    (A damaged index is found only by opening it: that rebuild is not foreseen here.)"""
    state = index.state if index is not None else read_state(index_dir)
    last = feed.last_seq()
    if state is None or state.schema != SCHEMA_VERSION or state.seq > last:
        return IndexWork(rebuild=True, items=documents.count_live())
    return IndexWork(rebuild=False, items=last - state.seq)


# Code that only reads index files: an error raised inside it is damage to them.
_READING_CODE = (
    str(Path(whoosh.__file__).parent),
    *(
        str(Path(__file__).with_name(name))
        for name in ("engine.py", "codec.py", "schema.py", "searcher.py", "segments.py")
    ),
)


def raised_reading_index(error: BaseException) -> bool:
    """Whether `error` was raised in Whoosh's code or this package's index readers (not in
    the archive's, which a search also calls: an archive error is no reason to rebuild)."""
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    return last is not None and last.tb_frame.f_code.co_filename.startswith(_READING_CODE)


def _query_tree(query: str) -> Any:
    tree = parse(query)
    if tree is None:
        raise QuerySyntaxError("there is nothing to search for")
    return tree


def _marking_tree(query: str) -> Any:
    """The query's tree for marking its words in a text: None for a blank or malformed query,
    which marks nothing (the reader shows a text whatever the search box holds)."""
    try:
        return parse(query)
    except QuerySyntaxError:
        return None


def is_blank(query: str) -> bool:
    """A query of spaces only: a listing, not a search. (Anything else is searched for, or
    is a QuerySyntaxError that says why it cannot be.)"""
    return not query.strip()


class SearchIndex:
    """A Whoosh index that mirrors the live clippings of an archive. See the module notes.

    It reads the archive through `feed`, `documents` and `tags` only. `worker_location`
    lets big batches be indexed by worker processes that open the archive themselves
    (`parallel`, False in tests that must stay in one process, or no location, keeps
    indexing in this process); `cancelled` stops a rebuild between chunks.
    """

    def __init__(
        self,
        index_dir: Path,
        sources: _Sources,
        ix: Any,
        state: IndexState,
    ) -> None:
        self.index_dir = index_dir
        self._sources = sources
        self.feed = sources.feed
        self.documents = sources.documents
        self.tags = sources.tags
        self._ix = ix
        self._state = state
        self._identity = _folder_identity(index_dir)
        self._write_lock = WriteLock()
        # Set by a caller that folds small segments in idle time (`fold_small_segments`):
        # a catch-up's commit then folds only at FOLD_BACKSTOP.
        self.folds_when_idle = False
        self._view_lock = threading.Lock()
        self._local = threading.local()
        self._views: list[IndexView] = []
        self._columns = ColumnsCache()
        self._closed = False
        self._just_built: tuple[str, int] | None = None

    @property
    def parallel(self) -> bool:
        return self._sources.parallel

    @parallel.setter
    def parallel(self, allowed: bool) -> None:
        self._sources.parallel = allowed

    @property
    def worker_location(self) -> ArchiveLocation | None:
        return self._sources.worker_location

    @worker_location.setter
    def worker_location(self, location: ArchiveLocation | None) -> None:
        self._sources.worker_location = location

    # -- opening, rebuilding, closing ---------------------------------------------------------

    @classmethod
    def open(
        cls,
        index_dir: Path,
        feed: ChangeFeed,
        documents: DocumentSource,
        tags: TagLookup,
        *,
        worker_location: ArchiveLocation | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        parallel: bool = True,
    ) -> SearchIndex:
        """Open the index (rebuilding it first when it is missing, damaged or outdated),
        then catch up with the archive."""
        index_dir = Path(index_dir)
        sources = _Sources(feed, documents, tags, worker_location, cancelled, parallel)
        remove_leftovers(index_dir)
        try:
            index = _open_existing(index_dir, sources)
        except IndexUnusable as problem:
            # A new archive has no index yet: only a broken one is worth a warning.
            level = logging.WARNING if index_dir.exists() else logging.INFO
            log.log(level, "search index at %s: %s; rebuilding it", index_dir, problem)
            index = _rebuild_and_open(index_dir, sources)
        index.catch_up()
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
            with rebuild_lock(self.index_dir):
                count = self._sources.build(self.index_dir)
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

    # -- views --------------------------------------------------------------------------------

    def _current_ix(self) -> Any:
        identity = _folder_identity(self.index_dir)
        if identity != self._identity:
            # Another process swapped in a rebuilt index.
            with self._write_lock:
                if _folder_identity(self.index_dir) != self._identity:
                    self._reopen()
        return self._ix

    def _view(self) -> IndexView:
        if self._closed:
            raise RuntimeError("the search index is closed")
        ix = self._current_ix()
        view: IndexView | None = getattr(self._local, "view", None)
        if view is not None and view.ix is ix and view.searcher.up_to_date():
            return view
        try:
            fresh = open_view(ix, view, self._columns)
        finally:
            self._drop_view(view)
        with self._view_lock:
            self._views.append(fresh)
        self._local.view = fresh
        return fresh

    def _drop_view(self, view: IndexView | None) -> None:
        """Forget this thread's old view without closing it (its readers are closed or
        reused by then)."""
        with self._view_lock:
            if view is not None and view in self._views:
                self._views.remove(view)
        self._local.view = None

    def _forget_view(self) -> None:
        view = getattr(self._local, "view", None)
        self._drop_view(view)
        if view is not None:
            with contextlib.suppress(Exception):
                view.searcher.close()

    def _retrying(self, action: Callable[[], T]) -> T:
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
        except Exception as error:
            if not raised_reading_index(error):
                raise
            # Whatever Whoosh raises while reading (struct.error, an unpickling error,
            # EOFError, a KeyError from a damaged table...) only damage explains.
            log.warning(
                "reading the search index failed (%s: %s); rebuilding it",
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
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
        last = self.feed.last_seq()
        if last < self._state.seq:
            log.warning(
                "the search index claims change %d but the archive's log ends at %d; rebuilding it",
                self._state.seq,
                last,
            )
            return self.rebuild()
        if last == self._state.seq and not (
            self._state.gaps and self.feed.changes_with_seqs(self._state.gap_seqs)
        ):
            return 0
        wait = WRITER_TIMEOUT if timeout is None else timeout
        if not self._write_lock.acquire_waiting(wait):
            log.info("another thread is writing the search index; catch-up skipped")
            return 0
        try:
            try:
                writer = self._new_writer(wait)
            except LockError:
                log.info("another process is writing the search index; catch-up skipped")
                return 0
            try:
                return self._apply_changes(writer)
            except BaseException as error:
                writer.abort()
                if not isinstance(error, IndexDamaged) and not (
                    isinstance(error, Exception) and raised_reading_index(error)
                ):
                    raise
                log.warning("the search index is damaged (%s); rebuilding it", error)
            return self.rebuild()
        finally:
            self._write_lock.release()

    def _new_writer(self, wait: float = WRITER_TIMEOUT) -> IndexWriter:
        return IndexWriter(
            self._current_ix(),
            self.index_dir,
            self._columns,
            self.documents,
            self.worker_location,
            self.parallel,
            wait,
        )

    def _apply_changes(self, writer: IndexWriter) -> int:
        state = read_state(self.index_dir) or self._state
        last = self.feed.last_seq()
        if state.seq > last:
            raise IndexDamaged(f"the state file claims change {state.seq}, the log ends at {last}")
        late = self.feed.changes_with_seqs(state.gap_seqs) if state.gaps else []
        changes = self.feed.changes_since(state.seq)
        new_state = IndexState(
            SCHEMA_VERSION,
            changes[-1].seq if changes else state.seq,
            state.build,
            remaining_gaps(state, late, changes, time.time()),
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
        writer.commit(new_state, FOLD_BACKSTOP if self.folds_when_idle else FOLD_AT)
        self._state = new_state
        log.debug("index caught up to change %d (%d clippings)", new_state.seq, len(ids))
        return len(ids)

    @contextlib.contextmanager
    def _writer(self, wait: float = WRITER_TIMEOUT) -> Iterator[IndexWriter]:
        writer = self._new_writer(wait)
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise

    def fold_small_segments(self, stop: Callable[[], bool] = lambda: False) -> int:
        """For idle time: fold the small segments catch-ups left, a size tier a session (see
        `writer.foldable`); a catch-up coming meanwhile, `stop()` or a writer in another
        process stops it between clippings. Returns how many clippings were re-indexed."""

        def give_way() -> bool:
            return self._write_lock.wanted() or stop()

        folded = 0
        while not give_way():
            try:
                with self._write_lock, self._writer(CATCH_UP_WAIT) as writer:
                    count = writer.fold_tier(read_state(self.index_dir) or self._state, give_way)
            except LockError:
                break
            if count is None:
                break
            folded += count
        return folded

    def maintain(self, max_segments: int = 6) -> int:
        """Merge segments for faster searches; for idle time (it can take a while): the
        smaller ones are re-indexed into one. Returns how many clippings were re-indexed."""
        with self._write_lock, self._writer() as writer:
            segments = sorted(writer.whoosh.segments, key=lambda s: s.doc_count())
            if len(segments) <= max_segments:
                writer.cancel()
                return 0
            count = writer.rewrite(segments[: len(segments) - max_segments + 1])
            self._state = read_state(self.index_dir) or self._state
            writer.commit(self._state)
            return count or 0

    # -- searching ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        flt: IndexFilter | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> SearchResults:
        """One page of results for a query (see `query` for the language) within a filter.
        A blank query is a QuerySyntaxError here: listing is the archive's job."""
        if page < 1 or page_size < 1:
            raise ValueError("page and page_size start at 1")
        self._just_built = None
        tree = _query_tree(query)
        flt = flt or IndexFilter()

        def run() -> SearchResults:
            view = self._view()
            compiled, filters, matches = view.match(tree, flt, self.tags)
            total = sum(len(scores) for _leaf, scores in matches)
            wanted = page * page_size
            ranked = view.ranked(matches, wanted)[(page - 1) * page_size : wanted]
            suggestion = None
            if compiled.unknown_words:
                suggestion = view.suggestion(query, compiled.unknown_words, filters, self.tags)
            return SearchResults(
                total=total,
                hits=make_hits(self.documents, ranked, compiled.highlight),
                facets=view.facets(matches, self.tags),
                suggestion=suggestion,
                page=page,
                page_size=page_size,
            )

        return self._retrying(run)

    def ranked_ids(
        self, query: str, flt: IndexFilter | None = None, limit: int | None = None
    ) -> list[tuple[int, float]]:
        """Every clipping a query finds within a filter (or its first `limit`), best first, with
        its score; no snippets, facets or spelling suggestion (a column's order, an export)."""
        tree = _query_tree(query)
        flt = flt or IndexFilter()

        def rank() -> list[tuple[int, float]]:
            view = self._view()
            _compiled, _filters, matches = view.match(tree, flt, self.tags)
            return [(cid, round(score, 4)) for cid, score in view.ranked(matches, limit)]

        return self._retrying(rank)

    def hits_for(self, query: str, ranked: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits with the query's snippets (none for a blank query) for these clippings, in
        this order; clippings gone since are left out."""
        tree = parse(query)
        spec = None if tree is None else self._view().compile(tree, self.tags).highlight
        return make_hits(self.documents, ranked, spec)

    def highlight(
        self, query: str, text: str, language: str | None
    ) -> tuple[tuple[str, bool], ...]:
        """`text` (a clipping's, in `language`) as runs with the words `query` matches marked
        (see `results.mark_text`); a blank or malformed query marks nothing."""
        tree = _marking_tree(query)
        if tree is None:
            return ((text, False),)
        spec = self._retrying(lambda: self._view().compile(tree, self.tags).highlight)
        return mark_text(text, spec, language)

    def facets_for(self, ids: Sequence[int]) -> dict[str, list[tuple[str, int]]]:
        """Facet counts of these clippings (a listing's)."""

        def count() -> dict[str, list[tuple[str, int]]]:
            view = self._view()
            plan: Plan = IdsPlan(frozenset(ids))
            return view.facets(view.evaluate(plan), self.tags)

        return self._retrying(count)

    def more_like(self, clipping_id: int, limit: int = 10) -> list[int]:
        """Clippings whose text is most like this one's (its most telling words), best first."""
        doc = self.documents.index_documents([clipping_id]).get(clipping_id)
        if doc is None:
            return []
        return list(self._retrying(lambda: self._view().more_like(doc, limit)))

    # -- parity -------------------------------------------------------------------------------

    def parity_problems(self) -> list[str]:
        """How the index differs from the archive's live clippings; empty when they agree.
        Damage found on the way is reported, not repaired (`rebuild` repairs)."""

        def check() -> list[str]:
            return self._view().parity_problems(
                self.feed, self.documents, read_state(self.index_dir), self.index_dir
            )

        try:
            return check()
        except FileNotFoundError:
            self._forget_view()
            return check()
        except IndexDamaged as damage:
            return [f"the index is damaged: {damage}"]
        except Exception as error:
            if not raised_reading_index(error):
                raise
            return [f"the index is damaged: {type(error).__name__}: {error}"]


def _open_existing(index_dir: Path, sources: _Sources) -> SearchIndex:
    """The index as it is on disk, checked (its state, then every segment's columns read),
    or IndexUnusable saying why not."""
    last_error = ""
    for attempt in range(OPEN_ATTEMPTS):
        state = read_state(index_dir)
        if state is None:
            raise IndexUnusable("it is missing (or has no state file)")
        if state.schema != SCHEMA_VERSION:
            raise IndexUnusable(
                f"it was built with schema version {state.schema}, not {SCHEMA_VERSION}"
            )
        last = sources.feed.last_seq()
        if state.seq > last:
            # A damaged state file, or an archive restored from an older backup: either
            # way the index cannot know what it holds, and would wait for that change.
            raise IndexUnusable(
                f"it claims to have applied change {state.seq}, but the archive's log "
                f"ends at {last}"
            )
        problem = ""
        # Whoosh leaves files open when it fails to read a damaged index; they are
        # closed when the traceback goes, inside this block, without a warning each.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                ix = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
                index = SearchIndex(index_dir, sources, ix, state)
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


def _rebuild_and_open(index_dir: Path, sources: _Sources) -> SearchIndex:
    """Build the index from the archive (unless another process just did), then open it."""
    with rebuild_lock(index_dir):
        # Another process may have rebuilt it while we waited for the lock.
        with contextlib.suppress(IndexUnusable):
            return _open_existing(index_dir, sources)
        count = sources.build(index_dir)
    index = _open_existing(index_dir, sources)
    index._just_built = (index._state.build, count)
    return index


@dataclass
class _Sources:
    """What an index reads the archive through, and how it may build."""

    feed: ChangeFeed
    documents: DocumentSource
    tags: TagLookup
    worker_location: ArchiveLocation | None
    cancelled: Callable[[], bool]
    parallel: bool

    def build(self, index_dir: Path) -> int:
        # `build_index` is looked up in this module at call time, so tests can replace it.
        return build_index(
            index_dir,
            self.feed,
            self.documents,
            self.worker_location,
            self.parallel,
            self.cancelled,
        )


def _folder_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)
