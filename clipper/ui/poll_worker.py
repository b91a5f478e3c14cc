"""Polling feeds and watch folders in a child process, so the GUI thread never waits for it.

A poll reads each new entry's page through the import pipeline (extraction, suggestions, near
duplicates): pure Python that, in a thread of the app, holds the interpreter lock long enough
to stall repaints (measured: heartbeat gaps of 384 ms while 20 entries were read). A child has
its own interpreter; it opens the archive, polls (storing what arrives in the inbox, as
`clipper feeds poll` beside the open window does), and sends the outcomes back.

As `import_worker`: `python -m clipper.ui.poll_worker`, run through `child_process`; a cancel
stops the poll between entries. No Qt here: the child imports only the core.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from clipper.core.monitor import PollOutcome
from clipper.ui.child_process import ChildEnded, ChildSide, exit_child, messages_from_child

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollJob:
    home: str
    database_url: str
    # None: the feeds that are due; else these feeds, due or not.
    feed_ids: list[int] | None
    all_feeds: bool = False


def poll_in_child(
    home: Path,
    database_url: str,
    feed_ids: list[int] | None,
    all_feeds: bool,
    cancelled: threading.Event,
) -> list[PollOutcome]:
    """Poll in a child process and return its outcomes (RuntimeError saying why not). Runs on
    the poller's worker thread, which mostly sleeps in the read."""
    job = PollJob(str(home), database_url, feed_ids, all_feeds)
    try:
        for kind, payload in messages_from_child(
            "clipper.ui.poll_worker", job, cancelled, "polling"
        ):
            if kind == "error":
                raise RuntimeError(str(payload))
            if kind == "done":
                return list(payload)
    except ChildEnded as ended:
        raise RuntimeError(str(ended)) from None
    raise AssertionError("unreachable: the child's messages end with done")


def child_main() -> int:
    """The child: read the job, poll, send the outcomes, exit."""
    side = ChildSide.start("poll worker")
    job: PollJob = side.job
    cancel = side.cancel

    from clipper.core.archive import Archive
    from clipper.core.monitor import Monitor
    from clipper.core.paths import ArchiveLocation

    try:
        archive = Archive(ArchiveLocation(home=Path(job.home), database_url=job.database_url))
    except Exception as exc:
        side.send("error", f"the poll could not open the archive: {exc}")
        return 1
    try:
        monitor = Monitor(archive)
        if job.feed_ids is None and not job.all_feeds:
            outcomes = monitor.poll_due_feeds(cancelled=cancel.is_set)
        else:
            outcomes = monitor.poll_feeds(job.feed_ids, cancelled=cancel.is_set)
        if not cancel.is_set():
            outcomes += monitor.poll_watch_folders(cancelled=cancel.is_set)
        side.send("done", outcomes)
    except BrokenPipeError:
        return 1
    except Exception as exc:
        log.exception("the polling process failed")
        side.send("error", f"the poll stopped: {exc}")
    finally:
        archive.close()
    return 0


if __name__ == "__main__":
    exit_child(child_main())
