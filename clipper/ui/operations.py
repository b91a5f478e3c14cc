"""`OperationRunner`: runs the core's operations (`clipper.core.operations`) on the window's
one serialized writer, keeps the undo history and announces what each one changed.

Views refresh themselves from the `OpChanges` carried by `operation_did_execute` (Anki's
habit), never by poking each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from clipper.core.archive import Archive, ArchiveError
from clipper.core.operations import Operation, OpResult, UndoEntry, UndoHistory
from clipper.core.views import OpChanges
from clipper.ui.live_refresh import OwnWrites
from clipper.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class OperationRunner(QObject):
    """Runs operations on the writer, keeps the undo history, announces what changed.

    Signals:
        operation_did_execute(OpChanges, object): after every operation; the object is the
            `origin` the caller passed (a view may skip refreshing what it changed itself).
        operation_failed(str, str): the operation's label and the reason, for the status bar.
        history_changed(): the undo or redo label changed.
    """

    operation_did_execute = Signal(object, object)
    operation_failed = Signal(str, str)
    history_changed = Signal()

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.tasks = tasks
        self.history = UndoHistory()
        # What this writer wrote to the change log: live refresh leaves it out.
        self.own_writes = OwnWrites()

    def run(
        self,
        operation: Operation,
        origin: QObject | None = None,
        on_done: Callable[[OpResult], None] | None = None,
        record: bool = True,
        on_failed: Callable[[str, str], None] | None = None,
    ) -> None:
        """Run `operation` on the writer; record its inverse unless `record` is false."""
        archive = self.archive

        def done(result: OpResult) -> None:
            if record and self.history.record(operation, result):
                self.history_changed.emit()
            if on_done is not None:
                on_done(result)
            self.operation_did_execute.emit(result.changes, origin)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, ArchiveError):
                log.error("operation %r failed", operation.label, exc_info=exc)
            if on_failed is not None:
                on_failed(operation.label, str(exc))
            self.operation_failed.emit(operation.label, str(exc))

        own = self.own_writes

        def apply() -> OpResult:
            before = archive.last_seq()
            result = operation.apply(archive)
            own.note(before, result.changes)
            return result

        self.tasks.run(apply, done, failed)

    def record(self, label: str, inverse: Operation) -> None:
        """Put a change made in several operations on the history as one (an import batch
        stores its clippings one by one; undoing it trashes them all)."""
        self.history.push(label, inverse)
        self.history_changed.emit()

    def announce(self, changes: OpChanges, origin: QObject | None = None) -> None:
        """Tell the views about a change made outside `run` (an import stored a clipping)."""
        self.operation_did_execute.emit(changes, origin)

    def undo(self) -> None:
        self._replay(self.history.start_undo(), self.history.finish_undo)

    def redo(self) -> None:
        self._replay(self.history.start_redo(), self.history.finish_redo)

    def _replay(
        self, entry: UndoEntry | None, finish: Callable[[UndoEntry, OpResult], None]
    ) -> None:
        if entry is None:
            return
        self.history_changed.emit()

        def done(result: OpResult) -> None:
            finish(entry, result)
            self.history_changed.emit()

        self.run(entry.inverse, origin=self, on_done=done, record=False)
