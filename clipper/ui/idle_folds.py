"""Folding the search index's small segments while the editor is not writing.

Each catch-up of a few clippings leaves a small segment. Folding them in the catch-up's own
commit made the editor wait for it: the clipping just added was found only after a tier of
segments (up to hundreds of clippings) had been re-indexed. The window folds them instead
once the archive has been still for FOLD_IDLE_MS, on the indexer thread; a search that
needs the index meanwhile stops the fold between clippings (`SearchIndex.fold_small_segments`).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from clipper.core.archive import Archive
from clipper.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# How long the archive must be still before the index folds.
FOLD_IDLE_MS = 5000


class IdleFolds(QObject):
    """Starts a fold once the archive has been still for FOLD_IDLE_MS (`changed` restarts
    the wait); `start` once the index is open, `stop` when the window closes."""

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QObject) -> None:
        super().__init__(parent)
        self.archive = archive
        self.tasks = tasks
        self.started = False
        self.stopped = False
        self.folded = 0  # clippings re-indexed by folds so far (what the tests look at)
        self.timer = QTimer(self, singleShot=True, interval=FOLD_IDLE_MS)
        self.timer.timeout.connect(self._fold)

    def start(self) -> None:
        """The index is open: from now on its catch-ups leave the folding to idle time."""
        if self.stopped:
            return
        self.archive.index.folds_when_idle = True
        self.started = True
        self.timer.start()

    def changed(self) -> None:
        """The archive changed: wait for it to be still again."""
        if self.started and not self.stopped:
            self.timer.start()

    def stop(self) -> None:
        """The window closes: no new fold, and one under way ends at its next clipping."""
        self.stopped = True
        self.timer.stop()

    def _fold(self) -> None:
        index = self.archive.index

        def stopped() -> bool:  # asked on the indexer thread, between clippings
            return self.stopped

        def fold() -> int:
            index.catch_up()  # the changes first: the next search has nothing to wait for
            return index.fold_small_segments(stopped)

        self.tasks.run(fold, self._folded, self._failed)

    def _folded(self, count: int) -> None:
        self.folded += count
        if count:
            log.debug("folded %d clippings' small segments of the search index", count)

    def _failed(self, error: BaseException) -> None:
        # The index stays as it was, only slower to search; the next idle time tries again.
        log.warning("the search index's small segments could not be folded: %s", error)
