"""Writing the search index: one writing session on the live index (`IndexWriter`), a full
build beside it that is swapped in (`build_index`), and the locks that keep writers apart.

This is the only module that uses Whoosh's writer internals (`_close_segment`,
`_commit_toc`, `_finish`): new clippings go in as ready-made segments from `SegmentBuilder`
(or from worker processes, see `parallel`), and deletions through Whoosh's own writer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.util.filelock import FileLock
from whoosh.writing import SegmentWriter

from clipper.core.paths import ArchiveLocation
from clipper.core.search.checksums import record_checksums
from clipper.core.search.codec import ClipperCodec
from clipper.core.search.engine import ColumnsCache, segment_deletions
from clipper.core.search.errors import IndexBuildCancelled
from clipper.core.search.parallel import build_segments, worker_count
from clipper.core.search.ports import ChangeFeed, DocumentSource
from clipper.core.search.schema import SCHEMA_VERSION, build_schema
from clipper.core.search.segments import SegmentBuilder, add_documents, delete_segment_files
from clipper.core.search.state import GAP_LOOKBACK, IndexState, write_state

log = logging.getLogger(__name__)

INDEX_NAME = "MAIN"
# From this many clippings on, indexing is split over worker processes.
PARALLEL_MIN_DOCUMENTS = 3000
WRITER_TIMEOUT = 120.0
# Commits never merge big segments. Small ones (clippings caught up a few at a time) are
# folded tier by tier: once FOLD_AT segments hold 1-9 clippings, or 10-99, 100-999 or
# 1,000-1,999, those are re-indexed into one, so a tier holds FOLD_AT segments at most and a
# clipping is re-indexed a few times at most. (Folding every small segment once the index
# had 16 segments in all re-indexed all of them at every commit of an archive of 26 big
# segments: catching up one clipping took up to 1.3 s at 200,000.)
SMALL_SEGMENT_DOCUMENTS = 2000
FOLD_AT = 4
# Where folds run in idle time (the window's), a catch-up's commit folds a tier only once it
# holds this many segments: the clipping just added is found without waiting for a fold (a
# fold of four segments of 10-99 clippings re-indexes up to 400), and the segments stay
# bounded when the window is never idle.
FOLD_BACKSTOP = 4 * FOLD_AT


def foldable(segments: Sequence[Any], coming: int, at: int = FOLD_AT) -> list[Any]:
    """The small segments a commit adding `coming` new ones folds into its own (see FOLD_AT):
    those of the smallest size tier that reaches `at` segments, counting the new ones as the
    smallest (they are a catch-up's few clippings)."""
    tiers: dict[int, list[Any]] = {}
    for segment in segments:
        size = segment.doc_count_all()
        if size < SMALL_SEGMENT_DOCUMENTS:
            tiers.setdefault(len(str(size)), []).append(segment)
    for tier in sorted(tiers):
        waiting = len(tiers[tier]) + (coming if tier == 1 else 0)
        if waiting >= at:
            return tiers[tier]
    return []


def use_workers(allowed: bool, count: int) -> bool:
    """Worker processes pay off for big batches, and only with more than one core. (They
    also need the archive's location, to open it themselves.)"""
    return allowed and count >= PARALLEL_MIN_DOCUMENTS and worker_count() > 1


class WriteLock:
    """The index's write lock within this process (re-entrant), which knows whether a
    catch-up is waiting for it: a fold in idle time gives way to one (`wanted`)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._waiting = 0
        self._count_lock = threading.Lock()

    def __enter__(self) -> WriteLock:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def acquire_waiting(self, timeout: float) -> bool:
        """Acquire it within `timeout` seconds, counted as waiting meanwhile."""
        with self._count_lock:
            self._waiting += 1
        try:
            return self._lock.acquire(timeout=timeout)
        finally:
            with self._count_lock:
                self._waiting -= 1

    def release(self) -> None:
        self._lock.release()

    def wanted(self) -> bool:
        return self._waiting > 0


class IndexWriter:
    """One writing session on the live index: holds Whoosh's write lock until commit or
    abort. Deletions go through Whoosh's writer; additions are new segments."""

    def __init__(
        self,
        ix: Any,
        index_dir: Path,
        columns: ColumnsCache,
        documents: DocumentSource,
        worker_location: ArchiveLocation | None,
        parallel_allowed: bool,
        wait: float = WRITER_TIMEOUT,
    ) -> None:
        self.index_dir = index_dir
        self._columns = columns
        self._documents = documents
        self._worker_location = worker_location
        self._parallel = parallel_allowed
        try:
            self.whoosh = SegmentWriter(
                ix, timeout=wait, delay=0.05, compound=False, codec=ClipperCodec()
            )
        except LockError as exc:
            raise LockError(
                f"the search index at {index_dir} stayed locked by another writer for {wait:.0f} s"
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
                columns = self._columns.of_segment(writer.storage, writer.schema, segment)
                for cid in ids:
                    docnum = columns.docnum_of(cid)
                    if docnum is not None and not segment.is_deleted(docnum):
                        writer.delete_document(base + docnum)
                base += segment.doc_count_all()
        self.build(ids)

    def build(self, ids: Sequence[int], cancelled: Callable[[], bool] = lambda: False) -> None:
        """Index these clippings into the session's new segments; IndexBuildCancelled when
        `cancelled()` turns true on the way."""
        location = self._worker_location
        if location is not None and use_workers(self._parallel, len(ids)):
            self.new_segments += build_segments(
                self.index_dir, INDEX_NAME, location, ids, cancelled=cancelled
            )
            return
        if self._builder is None:
            self._builder = SegmentBuilder(self.whoosh.storage, INDEX_NAME, self.whoosh.schema)
        add_documents(self._builder, self._documents, ids, cancelled)

    def rewrite(
        self, segments: Sequence[Any], cancelled: Callable[[], bool] = lambda: False
    ) -> int | None:
        """Re-index the live clippings of these segments from the archive into the session's
        new segment, in their place (quicker than Whoosh's own merge, and the same result);
        how many, or None when `cancelled()` turned true (abort the session then)."""
        ids = self.live_ids(segments)
        self.drop_segments(segments)
        try:
            self.build(ids, cancelled)
        except IndexBuildCancelled:
            return None
        return len(ids)

    def fold_tier(self, state: IndexState, cancelled: Callable[[], bool]) -> int | None:
        """The session of a fold in idle time: the smallest tier of FOLD_AT small segments
        re-indexed into one and committed with `state` (the index's, unchanged); how many
        clippings, or None, the session aborted, when no tier needs it or `cancelled()`."""
        segments = foldable(self.whoosh.segments, 0)
        count = self.rewrite(segments, cancelled) if segments else None
        if count is None:
            self.abort()
            return None
        self.commit(state)
        return count

    def live_ids(self, segments: Sequence[Any]) -> list[int]:
        """The clippings these segments hold and have not deleted."""
        ids: list[int] = []
        for segment in segments:
            cids = self._columns.of_segment(self.whoosh.storage, self.whoosh.schema, segment).ids
            deleted = segment_deletions(segment)
            ids.extend(cids[d] for d in range(segment.doc_count_all()) if d not in deleted)
        return sorted(ids)

    def drop_segments(self, segments: Sequence[Any]) -> None:
        self._dropped |= {s.segment_id() for s in segments}

    def commit(self, state: IndexState, fold_at: int = FOLD_AT) -> None:
        """Write the session's segments and `state`; a tier of small segments that reaches
        `fold_at` segments is folded into the new one first."""
        writer = self.whoosh
        kept = [s for s in writer.segments if s.segment_id() not in self._dropped]
        coming = len(self.new_segments) + (self._builder is not None)
        folded = foldable(kept, coming, fold_at)
        if folded:
            # Re-read from the archive into the new segment, as `maintain` does.
            self.build(self.live_ids(folded))
            kept = [s for s in kept if s not in folded]
        if self._builder is not None:
            self.new_segments += self._builder.finish()
        writer._close_segment()
        record_checksums(self.index_dir, writer.storage, self.new_segments)
        # Writes the new table of contents and removes the files no segment uses any more.
        writer._commit_toc(kept + self.new_segments)
        writer._finish()
        self.closed = True
        write_state(self.index_dir, state)

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


@contextlib.contextmanager
def rebuild_lock(index_dir: Path) -> Iterator[None]:
    """Only one process rebuilds a given index at a time; others wait, then use its work."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir.parent / f".{index_dir.name}.rebuild.lock"))
    lock.acquire(blocking=True)
    try:
        yield
    finally:
        lock.release()


def remove_leftovers(index_dir: Path) -> bool:
    """Remove what a killed build or swap left beside the index (a half-built folder, a
    retired one), unless another process or thread is building right now. Returns whether
    it looked."""
    if not index_dir.parent.is_dir():
        return False
    lock = FileLock(str(index_dir.parent / f".{index_dir.name}.rebuild.lock"))
    try:
        if not lock.acquire(blocking=False):
            return False
    except OSError as exc:
        # A read-only folder (a mounted backup, a colleague's archive): nothing can be
        # removed there anyway, and the index is still worth reading.
        log.debug("not looking for a killed rebuild's leftovers: %s", exc)
        return False
    try:
        _remove_leftovers(index_dir)
    finally:
        lock.release()
    return True


def _remove_leftovers(index_dir: Path) -> None:
    """Call with the rebuild lock held: nobody else builds, so these are garbage."""
    for pattern in (f".{index_dir.name}.building-*", f".{index_dir.name}.old-*"):
        for stale in index_dir.parent.glob(pattern):
            log.info("removing %s, left by a rebuild that did not finish", stale)
            _remove(stale)


def _remove(path: Path) -> None:
    """Remove a folder or a file (what was at the index's place may have been either)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def build_index(
    index_dir: Path,
    feed: ChangeFeed,
    documents: DocumentSource,
    worker_location: ArchiveLocation | None,
    parallel_allowed: bool,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Build a complete index of the archive in a temporary folder beside `index_dir`, then
    swap it in. Returns the number of clippings indexed. Call with the rebuild lock held."""
    started = time.perf_counter()
    _remove_leftovers(index_dir)
    temporary = index_dir.parent / f".{index_dir.name}.building-{uuid.uuid4().hex[:8]}"
    temporary.mkdir(parents=True)
    try:
        # Changes after this point are applied by the next catch-up (re-applying one that
        # the build already saw does no harm).
        seq = feed.last_seq()
        ids = documents.live_ids()
        ix = whoosh_index.create_in(str(temporary), build_schema(), indexname=INDEX_NAME)
        if worker_location is not None and use_workers(parallel_allowed, len(ids)):
            segments = build_segments(
                temporary, INDEX_NAME, worker_location, ids, cancelled=cancelled
            )
        else:
            builder = SegmentBuilder(ix.storage, INDEX_NAME, ix.schema)
            try:
                add_documents(builder, documents, ids, cancelled)
            except BaseException:
                builder.discard()
                raise
            segments = builder.finish()
        writer = SegmentWriter(ix, compound=False, codec=ClipperCodec())
        writer._close_segment()
        record_checksums(temporary, ix.storage, segments)
        writer._commit_toc(segments)
        writer._finish()
        # Numbers missing below `seq` may belong to transactions still committing.
        since = time.time()
        gaps = tuple((g, since) for g in feed.missing_seqs(max(0, seq - GAP_LOOKBACK), seq))
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
    _remove(retired)


def _try_for(acquire: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not acquire():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
