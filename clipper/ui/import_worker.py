"""Reading import inputs in a child process, so the GUI thread never waits for them.

Reading a clipping (decoding, cleaning, extracting HTML, suggesting regions and topics,
looking for near duplicates) is pure Python: in a thread of the app it holds the
interpreter lock for most of a long import, and every repaint of the window queues behind
it (measured: freezes of several seconds while 500 files import). A child process has its
own interpreter. It opens the archive for dry runs only (it never stores), streams each
outcome back, and the app's one writer stores the drafts.

The child is `python -m clipper.ui.import_worker`, run through `child_process`. No Qt here:
the child imports only the core.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.ingest import ImportOutcome, InputItem
from clipper.ui.child_process import ChildEnded, ChildSide, exit_child, messages_from_child

log = logging.getLogger(__name__)


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
    job = ReadJob(str(home), database_url, list(inputs), ocr)
    try:
        for kind, payload in messages_from_child(
            "clipper.ui.import_worker", job, cancelled, "import"
        ):
            if kind == "progress":
                yield Progress(*payload)
            elif kind != "done":
                yield payload
    except ChildEnded as ended:
        yield str(ended)


def child_main() -> int:
    """The child: read the job, dry-run it, stream the outcomes, exit."""
    side = ChildSide.start("import worker")
    job: ReadJob = side.job

    from clipper.core.forkserver import start_early

    start_early(job.inputs)  # the readers' server loads while this process opens the archive
    from clipper.core.archive import Archive
    from clipper.core.ingest import import_inputs
    from clipper.core.paths import ArchiveLocation

    try:
        archive = Archive(ArchiveLocation(home=Path(job.home), database_url=job.database_url))
    except Exception as exc:
        side.send("error", f"the import could not open the archive: {exc}")
        side.send("done")
        return 1
    try:
        for outcome in import_inputs(
            archive,
            job.inputs,
            dry_run=True,
            # Plain tuples: this module is __main__ here, its classes would not unpickle.
            progress=lambda n, m, label: side.send("progress", (n, m, label)),
            cancelled=side.cancel.is_set,
            ocr=job.ocr,
        ):
            side.send("outcome", outcome)
    except BrokenPipeError:
        return 1  # the app is gone
    except Exception as exc:
        log.exception("the import process failed")
        side.send("error", f"the import stopped: {exc}")
    finally:
        archive.close()
    try:
        side.send("done")
    except BrokenPipeError:
        return 1
    return 0


if __name__ == "__main__":
    exit_child(child_main())
