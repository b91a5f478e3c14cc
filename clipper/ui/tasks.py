"""Running work off the GUI thread: one helper, with the executor as a parameter.

`TaskRunner.run(work, on_done, on_error)` runs `work()` on an executor and calls `on_done`
(or `on_error`) back on the GUI thread. The app gives it a one-thread executor, so archive
writes are serialized (SQLite has one writer); tests give it `ImmediateExecutor`, which
runs the work at once, so every flow is synchronous and deterministic (Picard's
FakeThreadPool idea).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


class Executor(Protocol):
    """What TaskRunner needs of an executor: accept a callable to run some time soon."""

    def submit(self, fn: Callable[[], None]) -> Any: ...

    def shutdown(self, wait: bool = True) -> None: ...


class ImmediateExecutor:
    """Runs each job right away on the calling thread (tests, and the CLI-like bench paths)."""

    def submit(self, fn: Callable[[], None]) -> None:
        fn()

    def shutdown(self, wait: bool = True) -> None:
        return None


def serial_executor(name: str) -> ThreadPoolExecutor:
    """One worker thread: jobs run one after another, in the order they were submitted."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)


class TaskRunner(QObject):
    """Runs callables on an executor and delivers their results on the GUI thread.

    Signals:
        busy_changed(bool): whether any job is queued or running.
    """

    busy_changed = Signal(bool)
    # Carries a zero-argument callable to run on the thread this object lives in.
    _deliver = Signal(object)

    def __init__(self, executor: Executor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = executor
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self._deliver.connect(self._on_deliver)

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run `work()` on the executor; `on_done(result)` or `on_error(exc)` on this thread."""
        if self._closed:
            # A job that finished while the window closed delivers its result afterwards, and
            # its follow-up (the counts after a listing, the index after the counts) lands
            # here: expected on every close, so not worth a line in the user's log.
            log.debug("task submitted after shutdown was ignored")
            return
        self._change_pending(+1)

        def job() -> None:
            try:
                result = work()
            except Exception as exc:
                log.debug("task failed", exc_info=True)
                error = exc  # `exc` is unbound when the except block ends
                self._post(lambda: self._finish(on_error, error, failed=True))
            else:
                self._post(lambda: self._finish(on_done, result, failed=False))

        self._executor.submit(job)

    def post(self, callback: Callable[[], None]) -> None:
        """Call `callback` on the GUI thread (from any thread): progress, streamed results."""
        self._post(callback)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        """Let queued jobs finish, then stop the worker; later submissions are ignored."""
        self._closed = True
        self._executor.shutdown(wait=True)

    def _post(self, callback: Callable[[], None]) -> None:
        try:
            self._deliver.emit(callback)
        except RuntimeError:  # the receiver is gone (window closed while a job ran)
            log.debug("result of a background task dropped: receiver deleted")

    def _finish(self, callback: Callable[[Any], None] | None, value: Any, failed: bool) -> None:
        self._change_pending(-1)
        if callback is not None:
            callback(value)
        elif failed:
            log.error("background task failed", exc_info=value)

    def _change_pending(self, delta: int) -> None:
        with self._lock:
            before = self._pending
            self._pending += delta
            after = self._pending
        if (before == 0) != (after == 0):
            self.busy_changed.emit(after > 0)

    @Slot(object)
    def _on_deliver(self, callback: Callable[[], None]) -> None:
        callback()
