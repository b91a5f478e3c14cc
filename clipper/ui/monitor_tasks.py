"""Polling while the window is open: a timer on the GUI thread asks for a poll of the feeds
whose time has come (each feed's own interval and backoff are the core's: `Monitor.
poll_due_feeds`) and of the watch folders; the poll runs on a worker of its own, one at a
time, so the window never waits for the network. A second worker answers the editor's
questions that need the network (is this dropped address a feed? following one fetches it
once), so that they never wait behind a long poll.

With the app's own worker, the poll itself runs in a child process (`poll_worker`: in a
thread, reading pages held the interpreter lock long enough to stall repaints). Tests pass
an `ImmediateExecutor`, so a poll is synchronous and in this process, and call `poll_due()`
rather than wait for the timer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor, PollOutcome
from clipper.ui.poll_worker import poll_in_child
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
        # With the app's own worker, a poll runs in a child process (see the module notes).
        self.in_process = executor is None
        self._cancel = threading.Event()
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
        return self._poll(None, all_feeds=False)

    def poll_all(self, feed_ids: Sequence[int] | None = None) -> bool:
        """Poll these feeds (default: every one) now, due or not."""
        return self._poll(list(feed_ids) if feed_ids is not None else None, all_feeds=True)

    def _poll(self, feed_ids: list[int] | None, all_feeds: bool) -> bool:
        if self.polling or self._closing:
            return False
        self.polling = True
        archive, cancel = self.archive, self._cancel

        def work() -> list[PollOutcome]:
            if self.in_process:
                monitor = Monitor(archive)
                if not all_feeds and not monitor.due_feeds() and not monitor.watch_folders():
                    return []  # nothing is due: no process is started for nothing
                location = archive.location
                return poll_in_child(
                    location.home, location.database_url, feed_ids, all_feeds, cancel
                )
            monitor = Monitor(archive)
            if all_feeds:
                outcomes = monitor.poll_feeds(feed_ids, cancelled=cancel.is_set)
            else:
                outcomes = monitor.poll_due_feeds(cancelled=cancel.is_set)
            if not cancel.is_set():
                outcomes += monitor.poll_watch_folders(cancelled=cancel.is_set)
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
        self._cancel.set()
        self.timer.stop()
        self._first.stop()
        self.lookups.shutdown()
        self.tasks.shutdown()
