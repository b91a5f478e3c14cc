"""Exports and digests written in a child process, so the window never shares Qt with them.

A PDF book is laid out by QTextDocument. On a worker thread of the app that deadlocked (seen
with gdb in a test run): the worker, holding the interpreter lock, waited inside Qt for the
signal-slot mutex while the GUI thread, holding that mutex as it deleted a widget, waited
for the interpreter lock to ask Python for an override. A child process has its own Qt and
its own interpreter: it opens the archive read-only in practice (it only reads clippings),
lays out and writes the file as `clipper export` does, and reports progress and the outcome.

`python -m clipper.ui.export_worker`, run through `child_process`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from clipper.core.paths import ArchiveLocation
from clipper.export.common import ExportCancelled, ExportError, Progress
from clipper.export.jobs import DigestRequest, ExportOutcome, ExportRequest
from clipper.ui.child_process import ChildEnded, ChildSide, exit_child, messages_from_child

log = logging.getLogger(__name__)


def export_in_child(
    location: ArchiveLocation,
    request: ExportRequest | DigestRequest,
    progress: Progress,
    cancelled: threading.Event,
) -> ExportOutcome:
    """Carry out `request` in a child process; ExportError (ExportCancelled) says why not.
    Runs on an app worker thread, which mostly sleeps in the read."""
    job = (str(location.home), location.database_url, request)
    try:
        for kind, payload in messages_from_child(
            "clipper.ui.export_worker", job, cancelled, "export"
        ):
            if kind == "progress":
                progress(*payload)
            elif kind == "cancelled":
                raise ExportCancelled
            elif kind == "failed":
                raise ExportError(str(payload))
            elif kind == "done":
                assert isinstance(payload, ExportOutcome)
                return payload
    except ChildEnded as ended:
        if cancelled.is_set():
            raise ExportCancelled from None  # killed for not stopping when cancelled
        raise ExportError(str(ended)) from None
    raise ExportError("the export process stopped without an answer")


def _reason(error: Exception) -> str:
    """What the editor is told: an OSError's own words and file, else the error's message."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return str(error) or type(error).__name__


def child_main() -> int:
    """The child: open the archive, carry out the request, send the outcome, exit."""
    side = ChildSide.start("export worker")
    home, database_url, request = side.job

    from clipper.core.archive import Archive
    from clipper.export.jobs import carry_out

    try:
        archive = Archive(ArchiveLocation(home=Path(home), database_url=database_url))
    except Exception as exc:
        side.send("failed", f"the archive could not be opened: {_reason(exc)}")
        return 1
    try:
        outcome = carry_out(
            archive,
            request,
            # Plain tuples: this module is __main__ here, its classes would not unpickle.
            lambda done, total, what: side.send("progress", (done, total, what)),
            side.cancel.is_set,
        )
    except BrokenPipeError:
        return 1  # the app is gone
    except ExportCancelled:
        side.send("cancelled")
        return 0
    except ExportError as exc:
        side.send("failed", str(exc))
        return 0
    except Exception as exc:
        log.exception("the export failed")
        side.send("failed", _reason(exc))
        return 1
    finally:
        archive.close()
    try:
        side.send("done", outcome)
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    exit_child(child_main())
