"""Reading import inputs in a child process, so the GUI thread never waits for them.

Reading a clipping (decoding, cleaning, extracting HTML, suggesting regions and topics,
looking for near duplicates) is pure Python: in a thread of the app it holds the
interpreter lock for most of a long import, and every repaint of the window queues behind
it (measured: freezes of several seconds while 500 files import). A child process has its
own interpreter. It opens the archive for dry runs only (it never stores), streams each
outcome back, and the app's one writer stores the drafts.

The child is `python -m clipper.ui.import_worker`, started with `subprocess` (not
multiprocessing, which would re-import the app's main script): the job goes in pickled on
stdin, messages come back pickled on stdout, and one byte on stdin (or stdin closing,
should the app die) cancels the batch. No Qt here: the child imports only the core.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from clipper.core.ingest import ImportOutcome, InputItem

log = logging.getLogger(__name__)

CANCEL = b"c"
CANCEL_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Progress:
    number: int
    total: int
    label: str


@dataclass(frozen=True)
class ReadJob:
    home: str
    database_url: str
    inputs: list[InputItem | str]
    ocr: str = "auto"


def read_in_child(
    home: Path,
    database_url: str,
    inputs: Sequence[InputItem | str],
    cancelled: threading.Event,
    ocr: str = "auto",
) -> Iterator[Progress | ImportOutcome | str]:
    """Dry-run `inputs` in a child process; yields progress, outcomes and error messages
    (str) as they come. Runs on an app worker thread, which mostly sleeps in `read`."""
    child = subprocess.Popen(
        [sys.executable, "-m", "clipper.ui.import_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    stop_watching = threading.Event()

    def watch_for_cancel() -> None:
        # The reading thread blocks in pickle.load; this one passes a cancel on.
        while not stop_watching.is_set():
            if cancelled.wait(CANCEL_POLL_SECONDS):
                _send_cancel(child)
                return

    watcher = threading.Thread(target=watch_for_cancel, name="import-cancel", daemon=True)
    try:
        pickle.dump(ReadJob(str(home), database_url, list(inputs), ocr), child.stdin)
        child.stdin.flush()
        watcher.start()
        while True:
            try:
                kind, payload = pickle.load(child.stdout)
            except EOFError:
                code = child.wait()
                yield f"the import process ended unexpectedly (exit code {code})"
                return
            if kind == "done":
                return
            yield Progress(*payload) if kind == "progress" else payload
    finally:
        stop_watching.set()
        _send_cancel(child)  # closes stdin: a child still reading stops
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.warning("the import process did not stop; killing it")
            child.kill()
            child.wait()
        child.stdout.close()


_cancel_lock = threading.Lock()


def _send_cancel(child: subprocess.Popen[bytes]) -> None:
    """Tell the child to stop (from the watcher or on the way out, whichever comes first)."""
    with _cancel_lock:
        if child.stdin is None or child.stdin.closed:
            return
        try:
            child.stdin.write(CANCEL)
            child.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            log.debug("the import process had already stopped")


def _watch_stdin(stdin: BinaryIO, cancel: threading.Event) -> None:
    stdin.read(1)  # a cancel byte, or end of file when the app closes the pipe or dies
    cancel.set()


def child_main() -> int:
    """The child: read the job, dry-run it, stream the outcomes, exit."""
    # Only pickles go to the app on the real stdout; anything printed lands on stderr.
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    logging.basicConfig(level=logging.WARNING, format="import worker: %(levelname)s %(message)s")
    stdin = sys.stdin.buffer
    job: ReadJob = pickle.load(stdin)
    cancel = threading.Event()
    threading.Thread(target=_watch_stdin, args=(stdin, cancel), daemon=True).start()

    def send(kind: str, payload: Any) -> None:
        pickle.dump((kind, payload), channel, protocol=pickle.HIGHEST_PROTOCOL)
        channel.flush()

    from clipper.core.archive import Archive
    from clipper.core.ingest import import_inputs
    from clipper.core.paths import ArchiveLocation

    try:
        archive = Archive(ArchiveLocation(home=Path(job.home), database_url=job.database_url))
    except Exception as exc:
        send("error", f"the import could not open the archive: {exc}")
        send("done", None)
        return 1
    try:
        for outcome in import_inputs(
            archive,
            job.inputs,
            dry_run=True,
            # Plain tuples: this module is __main__ here, its classes would not unpickle.
            progress=lambda n, m, label: send("progress", (n, m, label)),
            cancelled=cancel.is_set,
            ocr=job.ocr,
        ):
            send("outcome", outcome)
    except BrokenPipeError:
        return 1  # the app is gone
    except Exception as exc:
        log.exception("the import process failed")
        send("error", f"the import stopped: {exc}")
    finally:
        archive.close()
    try:
        send("done", None)
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    exit_code = child_main()
    sys.stderr.flush()
    # No interpreter shutdown: the stdin watcher thread may be blocked in a read, and
    # finalizing around it aborts the process with a fatal error.
    os._exit(exit_code)
