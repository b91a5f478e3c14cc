"""Polling feeds and watch folders in a child process, so the GUI thread never waits for it.

A poll reads each new entry's page through the import pipeline (extraction, suggestions, near
duplicates): pure Python that, in a thread of the app, holds the interpreter lock long enough
to stall repaints (measured: heartbeat gaps of 384 ms while 20 entries were read). A child has
its own interpreter; it opens the archive, polls (storing what arrives in the inbox, as
`clipper feeds poll` beside the open window does), and sends the outcomes back.

As `import_worker`: `python -m clipper.ui.poll_worker`, the job pickled on stdin, the answer
pickled on stdout; one byte on stdin (or stdin closing, should the app die) cancels the poll
between entries. No Qt here: the child imports only the core.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from clipper.core.monitor import PollOutcome

log = logging.getLogger(__name__)

CANCEL = b"c"
CANCEL_POLL_SECONDS = 0.2


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
    child = subprocess.Popen(
        [sys.executable, "-m", "clipper.ui.poll_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    done = threading.Event()

    def watch_for_cancel() -> None:
        while not done.is_set():
            if cancelled.wait(CANCEL_POLL_SECONDS):
                _send_cancel(child)
                return

    watcher = threading.Thread(target=watch_for_cancel, name="poll-cancel", daemon=True)
    try:
        pickle.dump(PollJob(str(home), database_url, feed_ids, all_feeds), child.stdin)
        child.stdin.flush()
        watcher.start()
        try:
            kind, payload = pickle.load(child.stdout)
        except EOFError:
            raise RuntimeError(
                f"the polling process ended unexpectedly (exit code {child.wait()})"
            ) from None
        if kind == "error":
            raise RuntimeError(str(payload))
        return list(payload)
    finally:
        done.set()
        _send_cancel(child)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.warning("the polling process did not stop; killing it")
            child.kill()
            child.wait()
        child.stdout.close()


_cancel_lock = threading.Lock()


def _send_cancel(child: subprocess.Popen[bytes]) -> None:
    with _cancel_lock:
        if child.stdin is None or child.stdin.closed:
            return
        try:
            child.stdin.write(CANCEL)
            child.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            log.debug("the polling process had already stopped")


def _watch_stdin(stdin: BinaryIO, cancel: threading.Event) -> None:
    stdin.read(1)
    cancel.set()


def child_main() -> int:
    """The child: read the job, poll, send the outcomes, exit."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.WARNING, format="poll worker: %(levelname)s %(message)s")
    stdin = sys.stdin.buffer
    job: PollJob = pickle.load(stdin)
    cancel = threading.Event()
    threading.Thread(target=_watch_stdin, args=(stdin, cancel), daemon=True).start()

    def send(kind: str, payload: Any) -> None:
        pickle.dump((kind, payload), channel, protocol=pickle.HIGHEST_PROTOCOL)
        channel.flush()

    from clipper.core.archive import Archive
    from clipper.core.monitor import Monitor
    from clipper.core.paths import ArchiveLocation

    try:
        archive = Archive(ArchiveLocation(home=Path(job.home), database_url=job.database_url))
    except Exception as exc:
        send("error", f"the poll could not open the archive: {exc}")
        return 1
    try:
        monitor = Monitor(archive)
        if job.feed_ids is None and not job.all_feeds:
            outcomes = monitor.poll_due_feeds(cancelled=cancel.is_set)
        else:
            outcomes = monitor.poll_feeds(job.feed_ids, cancelled=cancel.is_set)
        if not cancel.is_set():
            outcomes += monitor.poll_watch_folders(cancelled=cancel.is_set)
        send("done", outcomes)
    except BrokenPipeError:
        return 1
    except Exception as exc:
        log.exception("the polling process failed")
        send("error", f"the poll stopped: {exc}")
    finally:
        archive.close()
    return 0


if __name__ == "__main__":
    exit_code = child_main()
    sys.stderr.flush()
    os._exit(exit_code)
