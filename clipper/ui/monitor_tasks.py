"""Polling while the window is open: a timer on the GUI thread asks for a poll of the feeds
whose time has come (each feed's own interval and backoff are the core's: `Monitor.
poll_due_feeds`) and of the watch folders; the poll runs on a worker of its own, one at a
time, so the window never waits for the network. A second worker answers the editor's
questions that need the network (is this dropped address a feed? following one fetches it
once), so that they never wait behind a long poll.

Tests pass an `ImmediateExecutor`, so a poll is synchronous, and call `poll_due()` rather
than wait for the timer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor, PollOutcome
from clipper.ui.tasks import Executor, TaskRunner, serial_executor

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often the timer looks for due feeds (the shortest interval a feed may have is a minute).
POLL_TICK_MS = 60_000
# The first look, once the window is up (not during its start, which has enough to do).
FIRST_POLL_MS = 5_000


def outcome_line(outcome: PollOutcome) -> str | None:
    """One line for the status bar about a poll of one source, or None when it brought
    nothing and nothing went wrong."""
    if outcome.error:
        return f"{outcome.name}: {outcome.error}"
    if outcome.failed:
        return f"{outcome.name}: {outcome.failed[0]}"
    if outcome.arrived:
        count = len(outcome.arrived)
        return f"{outcome.name}: {count} new in the inbox"
    return None


class FeedPoller(QObject):
    """Polls due feeds and watch folders on its own worker, one poll at a time.

    Signals:
        polled(list): the PollOutcomes of a finished poll (on the GUI thread).
        poll_failed(str): a poll that could not run at all, in one line.
    """

    polled = Signal(list)
    poll_failed = Signal(str)

    def __init__(
        self, archive: Archive, executor: Executor | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.tasks = TaskRunner(executor or serial_executor("clipper-monitor"), self)
        self.lookups = TaskRunner(executor or serial_executor("clipper-lookup"), self)
        self.polling = False
        self._closing = False
        self.timer = QTimer(self, interval=POLL_TICK_MS)
        self.timer.timeout.connect(self.poll_due)
        self._first = QTimer(self, singleShot=True, interval=FIRST_POLL_MS)
        self._first.timeout.connect(self.poll_due)

    def start(self) -> None:
        self._first.start()
        self.timer.start()

    def poll_due(self) -> bool:
        """Poll what is due, unless a poll is running already; says if one started."""
        return self._poll(lambda monitor: monitor.poll_due_feeds(cancelled=self._cancelled))

    def poll_all(self, feed_ids: Sequence[int] | None = None) -> bool:
        """Poll these feeds (default: every one) now, due or not."""
        return self._poll(lambda monitor: monitor.poll_feeds(feed_ids, cancelled=self._cancelled))

    def _poll(self, feeds: Callable[[Monitor], list[PollOutcome]]) -> bool:
        if self.polling or self._closing:
            return False
        self.polling = True
        archive = self.archive

        def work() -> list[PollOutcome]:
            monitor = Monitor(archive)
            outcomes = feeds(monitor)
            if not self._cancelled():
                outcomes += monitor.poll_watch_folders(cancelled=self._cancelled)
            return outcomes

        self.tasks.run(work, self._on_done, self._on_failed)
        return True

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """The editor's network work (a feed to discover or follow), beside the polls."""
        self.lookups.run(work, on_done, on_error)

    def _cancelled(self) -> bool:
        return self._closing

    def _on_done(self, outcomes: list[PollOutcome]) -> None:
        self.polling = False
        self.polled.emit(outcomes)

    def _on_failed(self, exc: BaseException) -> None:
        self.polling = False
        log.warning("polling failed", exc_info=exc)
        self.poll_failed.emit(f"Polling the feeds failed: {exc}")

    def shutdown(self) -> None:
        """Stop the timer; a poll under way stops between entries."""
        self._closing = True
        self.timer.stop()
        self._first.stop()
        self.lookups.shutdown()
        self.tasks.shutdown()
