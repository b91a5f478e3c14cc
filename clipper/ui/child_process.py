"""Work in a child process of the app: the one way the import, the polls and the exports leave
the app's interpreter.

A child is `python -m <module>`, started with `subprocess` (not multiprocessing, which would
re-import the app's main script). The job goes in pickled on stdin; messages come back
pickled on stdout as (kind, payload) pairs, the last one of kind "done"; one byte on stdin,
or stdin closing should the app die, cancels the job. Payloads are plain data or classes of
the core: the child's module is `__main__` there, its own classes would not unpickle.

The app's side (`messages_from_child`) runs on a worker thread, which mostly sleeps in the
read; the child's side (`ChildSide.start`) is the first thing a child's main does.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, NoReturn

log = logging.getLogger(__name__)

CANCEL = b"c"
CANCEL_POLL_SECONDS = 0.2
# How long a child has to stop once cancelled, before it is killed.
STOP_SECONDS = 10


class ChildEnded(RuntimeError):
    """The child ended before it said "done" (it crashed, or was killed)."""


def messages_from_child(
    module: str, job: object, cancelled: threading.Event, what: str
) -> Iterator[tuple[str, Any]]:
    """Run `python -m module` on `job`; yield its messages up to and with "done".

    `what` names the process in errors ("the import process ended unexpectedly"). Closing
    the iterator early (a caller that stops at an error) cancels the child and waits for it.
    """
    child = subprocess.Popen(
        [sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdin is not None and child.stdout is not None
    send_lock = threading.Lock()
    stop_watching = threading.Event()

    def watch_for_cancel() -> None:
        # The reading thread blocks in pickle.load; this one passes a cancel on, and ends a
        # child that does not stop (stuck in a library call): the read then ends too.
        while not stop_watching.is_set():
            if cancelled.wait(CANCEL_POLL_SECONDS):
                _send_cancel(child, send_lock, what)
                try:
                    child.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    log.warning("the %s process did not stop when cancelled; killing it", what)
                    child.kill()
                return

    watcher = threading.Thread(target=watch_for_cancel, name=f"{what}-cancel", daemon=True)
    try:
        pickle.dump(job, child.stdin)
        child.stdin.flush()
        watcher.start()
        while True:
            try:
                kind, payload = pickle.load(child.stdout)
            except EOFError:
                raise ChildEnded(
                    f"the {what} process ended unexpectedly (exit code {child.wait()})"
                ) from None
            yield kind, payload
            if kind == "done":
                return
    finally:
        stop_watching.set()
        _send_cancel(child, send_lock, what)  # closes stdin: a child still working stops
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the %s process did not stop; killing it", what)
            child.kill()
            child.wait()
        child.stdout.close()


def _send_cancel(child: subprocess.Popen[bytes], lock: threading.Lock, what: str) -> None:
    """Tell the child to stop (from the watcher or on the way out, whichever comes first)."""
    with lock:
        if child.stdin is None or child.stdin.closed:
            return
        try:
            child.stdin.write(CANCEL)
            child.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            log.debug("the %s process had already stopped", what)


@dataclass
class ChildSide:
    """A child's end: its job, the event a cancel sets, and `send` for its messages."""

    job: Any
    cancel: threading.Event
    channel: BinaryIO

    @classmethod
    def start(cls, name: str) -> ChildSide:
        """Read the job from stdin and start watching stdin for a cancel."""
        # Only pickles go to the app on the real stdout; anything printed lands on stderr.
        channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        logging.basicConfig(level=logging.WARNING, format=f"{name}: %(levelname)s %(message)s")
        stdin = sys.stdin.buffer
        job = pickle.load(stdin)
        cancel = threading.Event()
        threading.Thread(target=_watch_stdin, args=(stdin, cancel), daemon=True).start()
        return cls(job, cancel, channel)

    def send(self, kind: str, payload: Any = None) -> None:
        """One message to the app; BrokenPipeError when the app is gone."""
        pickle.dump((kind, payload), self.channel, protocol=pickle.HIGHEST_PROTOCOL)
        self.channel.flush()


def _watch_stdin(stdin: BinaryIO, cancel: threading.Event) -> None:
    stdin.read(1)  # a cancel byte, or end of file when the app closes the pipe or dies
    cancel.set()


def exit_child(code: int) -> NoReturn:
    """End the child without an interpreter shutdown: the stdin watcher thread may be blocked
    in a read, and finalizing around it aborts the process with a fatal error."""
    sys.stderr.flush()
    os._exit(code)
