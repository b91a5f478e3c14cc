"""Live refresh: the window shows what another desk (or a `clipper` command on the same
archive) imports, tags, links or trashes within a few seconds, without a restart.

`ChangeWatcher` polls the archive's change log at a low rate on a worker thread of its own
(`Archive.last_seq()` first, a one-row query; `changes_since` only when it moved), turns
what others changed into an `OpChanges` and announces it through the window's
`OperationRunner`, so the list, the sidebar counts, the open clipping and the review
cards refresh exactly as they do after one of the window's own operations. Changes the
window's own writer made were announced when they were made: `OwnWrites` remembers the
change numbers around each of them, and the watcher leaves those out.

Polling rather than LISTEN/NOTIFY works on every database the archive runs on. On
PostgreSQL two desks' transactions can commit out of order, so a change number the log
skipped is looked for again for a while (as the search index does with `IndexState.gaps`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from clipper.core.archive import Archive
from clipper.core.views import ChangeRecord, OpChanges
from clipper.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

POLL_MS = 2000
# A change number missing from the log (another desk's transaction, still open) is looked
# for again this long.
GAP_SECONDS = 600
OWN_WRITES_KEPT = 500

ADDING = {"add", "restore"}
REMOVING = {"trash", "purge"}
FLAGS = {
    "tag": "tags",
    "untag": "tags",
    "retag": "tags",
    "note": "notes",
    "link": "links",
    "unlink": "links",
    "dossier": "dossiers",
    "trash": "trash",
    "restore": "trash",
    "purge": "trash",
}


@dataclass(frozen=True)
class OwnWrite:
    """One operation of the window's writer: the change numbers it may have written (after
    `after`, up to `upto`) and the clippings it named. Empty `clippings`: every number in
    the range is its own (a dossier change names no clipping in its result)."""

    after: int
    upto: int
    clippings: frozenset[int]

    def wrote(self, record: ChangeRecord) -> bool:
        if not self.after < record.seq <= self.upto:
            return False
        return not self.clippings or record.clipping_id in self.clippings


class OwnWrites:
    """What the window's own writer wrote, noted on the writer thread, read on the watcher's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writes: deque[OwnWrite] = deque(maxlen=OWN_WRITES_KEPT)

    def note(self, after: int, changes: OpChanges) -> None:
        if changes.seq is None or changes.seq <= after:
            return
        named = changes.clippings | changes.added | changes.removed
        with self._lock:
            self._writes.append(OwnWrite(after, changes.seq, frozenset(named)))

    def wrote(self, record: ChangeRecord) -> bool:
        with self._lock:
            return any(write.wrote(record) for write in self._writes)

    def forget_upto(self, seq: int) -> None:
        """Writes wholly at or below `seq` can no longer explain a change still to come."""
        with self._lock:
            while self._writes and self._writes[0].upto <= seq:
                self._writes.popleft()


def foreign_changes(records: Iterable[ChangeRecord]) -> OpChanges:
    """What a view must refresh for these log records, as one operation's OpChanges."""
    clippings: set[int] = set()
    added: set[int] = set()
    removed: set[int] = set()
    flags: set[str] = set()
    for record in records:
        clippings.add(record.clipping_id)
        if record.op in ADDING:
            added.add(record.clipping_id)
        if record.op in REMOVING:
            removed.add(record.clipping_id)
        if record.op in FLAGS:
            flags.add(FLAGS[record.op])
    return OpChanges(
        clippings=frozenset(clippings),
        added=frozenset(added),
        removed=frozenset(removed),
        tags="tags" in flags,
        notes="notes" in flags,
        links="links" in flags,
        dossiers="dossiers" in flags,
        trash="trash" in flags,
    )


class ChangeWatcher(QObject):
    """Polls the change log and announces what others changed.

    Signals:
        changed(OpChanges): others changed the archive (after it is announced as an
            operation's changes).
    """

    changed = Signal(object)

    def __init__(
        self,
        archive: Archive,
        tasks: TaskRunner,
        own: OwnWrites,
        parent: QObject | None = None,
        interval_ms: int = POLL_MS,
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.tasks = tasks
        self.own = own
        # The last change number seen, read before the window first reads the archive, so
        # nothing written in between is missed.
        self.seen = archive.last_seq()
        self.gaps: dict[int, float] = {}
        self._polling = False
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def poll(self) -> None:
        """Look at the log once (on the watcher's thread); a poll still running is not
        started twice."""
        if self._polling:
            return
        self._polling = True
        seen, gaps = self.seen, dict(self.gaps)
        self.tasks.run(
            lambda: self._read(seen, gaps),
            self._on_read,
            self._on_failed,
        )

    def _read(
        self, seen: int, gaps: dict[int, float]
    ) -> tuple[int, dict[int, float], list[ChangeRecord]]:
        archive = self.archive
        last = archive.last_seq()
        records: list[ChangeRecord] = []
        if gaps:
            records += archive.changes_with_seqs(sorted(gaps))
        if last > seen:
            records += archive.changes_since(seen)
        now = time.monotonic()
        found = {record.seq for record in records}
        still = {seq: since for seq, since in gaps.items() if seq not in found}
        if last > seen:
            for seq in archive.missing_seqs(seen, last):
                still.setdefault(seq, now)
        still = {seq: since for seq, since in still.items() if now - since < GAP_SECONDS}
        return max(last, seen), still, records

    def _on_read(self, result: tuple[int, dict[int, float], list[ChangeRecord]]) -> None:
        self._polling = False
        last, gaps, records = result
        self.seen, self.gaps = last, gaps
        theirs = [record for record in records if not self.own.wrote(record)]
        self.own.forget_upto(min([*gaps, last + 1]) - 1)
        if theirs:
            log.debug("%d changes by others since the last look", len(theirs))
            self.changed.emit(foreign_changes(theirs))

    def _on_failed(self, exc: BaseException) -> None:
        self._polling = False
        log.warning("the change log could not be read: %s", exc)
