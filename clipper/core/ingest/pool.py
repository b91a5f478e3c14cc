"""Reading import inputs on every core: worker processes turn items into drafts ahead of the
batch, which stores them in the items' order.

Reading an item (decoding, sniffing, trafilatura, the cleaner, the suggestions that need no
archive, the index's analysis of its words) is pure Python and depends on the item alone,
so a process pool reads several at once while the batch driver looks for duplicates and
stores. Workers never copy the batch's process (its threads, its open database
connections): they are forked from a fork server that has imported the readers and loaded
their models once (`clipper.core.forkserver`, `ingest.warm`), or spawned where there is none
(Windows). Starting workers still costs a second or two, so small batches are read in the
process itself (`workers_for`).

A worker that dies (a reader crashing the interpreter, the system killing it for memory)
breaks the whole pool and every item it was reading. The item at the head is then read again
alone in a fresh pool: if that one dies too it is the cause and gets one error line; the other
items are read again as usual. A batch never stops for one bad input.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from clipper.core import forkserver
from clipper.core.drafts import ClippingDraft
from clipper.core.forkserver import MIN_ITEMS_FOR_WORKERS, workers_for
from clipper.core.ingest.base import IngestError, InputItem
from clipper.core.search.analysis import WORDS, WordEntries, stem_language

__all__ = ["MIN_ITEMS_FOR_WORKERS", "Read", "read_in_order", "read_safely", "workers_for"]

log = logging.getLogger(__name__)

# Items handed out ahead of the one being stored, per worker: enough that a slow page at the
# head of the queue leaves no worker idle (2 did: the batch read 200 pages 1.3 times faster
# than one process, 8 makes it 1.5), few enough that a cancelled batch wastes little.
AHEAD_PER_WORKER = 8


@dataclass(frozen=True)
class Read:
    """What reading one item gave: a draft, or the one line saying why there is none (and,
    for a reader's bug, the traceback to log)."""

    draft: ClippingDraft | None = None
    error: str | None = None
    trace: str | None = None
    # The draft's words as the index analyses them, worked out in the worker: this process
    # learns them (`analysis.WordCache.learn`) instead of stemming them again to index it.
    words: WordEntries | None = None


Reader = Callable[[InputItem, str], ClippingDraft]


def read_safely(reader: Reader, item: InputItem, ocr: str) -> Read:
    """One item through `reader`, every failure turned into a Read with its line; a draft
    comes with the analyses of its words (`Read.words`)."""
    try:
        draft = reader(item, ocr)
    except IngestError as exc:
        return Read(error=str(exc))
    except Exception as exc:  # a reader bug must not stop the batch; the caller logs it
        return Read(error=f"{item.label}: {exc}", trace=traceback.format_exc())
    try:
        texts = (draft.title, draft.standfirst, draft.body)
        words = WORDS.entries(texts, stem_language(draft.language))
    except Exception:  # only time saved is lost: the batch analyses the words itself
        log.warning("the words of %s were not analysed ahead", item.label, exc_info=True)
        words = None
    return Read(draft=draft, words=words)


def read_in_order(
    items: Iterable[InputItem],
    reader: Reader,
    ocr: str,
    workers: int,
) -> Generator[tuple[InputItem, Read | None], None, None]:
    """Each item with what reading it gave, in the items' order, read by `workers` processes
    ahead of the caller. Closing the iterator (a cancelled batch) stops the workers."""
    source = iter(items)
    pending: deque[tuple[InputItem, Future[Read]]] = deque()
    pool = _new_pool(workers)

    def submit(item: InputItem) -> Future[Read]:
        try:
            return pool.submit(read_safely, reader, item, ocr)
        except (OSError, RuntimeError) as exc:
            # No process could be started (no memory, no fork server socket in a full or
            # read-only temporary folder): the item is read here, the batch goes on.
            log.warning("reading %s in this process: no worker could start (%s)", item.label, exc)
            done: Future[Read] = Future()
            done.set_result(read_safely(reader, item, ocr))
            return done

    def fill() -> None:
        while len(pending) < workers * AHEAD_PER_WORKER:
            item = next(source, None)
            if item is None:
                return
            pending.append((item, submit(item)))

    try:
        fill()
        while pending:
            item, future = pending.popleft()
            try:
                read = future.result()
                if read.words is not None:
                    WORDS.learn(read.words)
            except BrokenProcessPool:
                _stop(pool)
                read = _read_alone(reader, item, ocr)
                pool = _new_pool(workers)
                again = [queued for queued, _future in pending]
                pending.clear()
                pending.extend((queued, submit(queued)) for queued in again)
            yield item, read
            fill()
    finally:
        _stop(pool, now=bool(pending))


def _read_alone(reader: Reader, item: InputItem, ocr: str) -> Read:
    """Read one item in a pool of its own: the suspect of a pool that broke."""
    pool = _new_pool(1)
    try:
        read = pool.submit(read_safely, reader, item, ocr).result()
    except BrokenProcessPool:
        log.warning("reading %s stopped its process", item.label)
        _stop(pool)
        return Read(error=f"{item.label}: reading it stopped the process that read it")
    _stop(pool, now=False)
    return read


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers, mp_context=forkserver.context(), initializer=_watch_batch, initargs=(os.getpid(),)
    )


# How often a worker checks that the batch that started it is still there.
WATCH_SECONDS = 1.0


def _watch_batch(batch_pid: int) -> None:
    """In each worker: end when the batch's process is gone. A batch killed outright (the
    window kills an import process that does not stop when cancelled, the system kills it)
    cannot stop its workers, and a worker waiting for its next item would wait for ever,
    keeping the fork server alive with it."""
    if os.name != "posix":
        return  # os.kill(pid, 0) is a test only on POSIX; elsewhere it would end the process

    def watch() -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            try:
                os.kill(batch_pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                continue  # there, and someone else's: not ours to judge

    threading.Thread(target=watch, name="batch-watch", daemon=True).start()


def _stop(pool: ProcessPoolExecutor, now: bool = True) -> None:
    """Stop a pool. At the end of a batch its workers are idle and simply exit; `now` (a
    cancelled batch, a broken pool) drops queued reads and ends running ones: a cancel must
    not wait for a slow page, and an exiting interpreter would wait for its workers."""
    if not now:
        pool.shutdown(wait=True)
        return
    # The executor keeps no public handle on its processes.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            if process.is_alive():
                process.terminate()
            process.join(timeout=5)
