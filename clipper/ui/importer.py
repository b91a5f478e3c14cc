"""Imports started from the window: drops, pastes, the File menu and the sample clippings.

Reading inputs (the slow part: decoding, HTML extraction, suggestions) runs on an import
worker through `import_inputs(..., dry_run=True)`; each draft is then stored by the one
writer as an ordinary operation, so an edit made while 500 files import waits for one
`add`, never for the whole batch, and each clipping appears as soon as it is stored. A draft
the pipeline flags as a possible duplicate is held back for the editor to keep or skip.
Failures never stop a batch; each is kept with its reason. A Clipper JSON export among the
inputs is not read as an article but imported whole by the writer (clippings, notes, links,
dossiers). Once a batch is done, one undo entry moves what it stored to the trash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import ImportOutcome, InputItem, import_inputs
from clipper.core.operations import OpResult
from clipper.core.views import PendingReview
from clipper.ui.import_worker import Progress, read_in_child
from clipper.ui.operations import OperationRunner
from clipper.ui.tasks import TaskRunner
from clipper.ui.text import clippings, plural

if TYPE_CHECKING:
    from clipper.export.json_export import JsonImportReport

log = logging.getLogger(__name__)

PROCESS_MIN_INPUTS = 4


@dataclass
class ImportEntry:
    """One input of a batch and what became of it.

    status: reading | stored | exists (exact duplicate already stored) | held (possible
    duplicate, stored in the trash until kept or skipped) | skipped | failed | merged (a
    Clipper export, imported whole; `detail` says what it brought)

    `review` is what the archive keeps for the editor to look at (a guessed title,
    suggestions, the duplicate question), None once dealt with. An entry restored from the
    archive after a restart has a review and no draft.
    """

    label: str
    status: str = "reading"
    draft: ClippingDraft | None = None
    clipping_id: int | None = None
    duplicate_of: int | None = None
    error: str | None = None
    similarity: float | None = None
    detail: str = ""
    review: PendingReview | None = None
    # A failure card the editor has dismissed (failures are not kept in the archive).
    dismissed: bool = False

    @property
    def needs_review(self) -> bool:
        """Something for the editor to look at: a guessed title, suggestions, a duplicate
        (a clipping the editor has since moved to the trash is not asked about)."""
        review = self.review
        if self.status == "held":
            return review is not None and review.held
        if self.status != "stored" or review is None:
            return False
        return review.is_open and not review.clipping_trashed

    @property
    def shows_card(self) -> bool:
        """The review panel has a card for it: something to review, or a failure."""
        return self.needs_review or (self.status == "failed" and not self.dismissed)


@dataclass
class ImportBatch:
    """A drop, a paste or a File > Import: its entries, in order, and where it stands."""

    number: int
    entries: list[ImportEntry] = field(default_factory=list)
    total: int = 0
    done: int = 0
    current: str = ""
    reading_finished: bool = False
    pending_stores: int = 0
    cancel_event: threading.Event = field(default_factory=threading.Event)
    tags: tuple[tuple[str, str], ...] = ()
    # Stored clippings already put on the undo history (a kept duplicate comes after).
    undo_recorded: set[int] = field(default_factory=set)

    @property
    def finished(self) -> bool:
        return self.reading_finished and self.pending_stores == 0

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)


def _worth_a_process(inputs: Sequence[InputItem | str]) -> bool:
    """A folder or several inputs: worth a child process's second of start-up. One pasted
    text or dropped file is read at once, in place."""
    if len(inputs) >= PROCESS_MIN_INPUTS:
        return True
    return any(
        (isinstance(item, str) and Path(item).is_dir())
        or (isinstance(item, InputItem) and item.path is not None and item.path.is_dir())
        for item in inputs
    )


def _folder_as_path(item: InputItem | str) -> InputItem | str:
    """A dropped folder goes in as its path, so the pipeline walks it (on the worker)."""
    if isinstance(item, InputItem) and item.path is not None and item.path.is_dir():
        return str(item.path)
    return item


def _clipper_export_path(item: InputItem | str) -> Path | None:
    """The file's path when an input is a Clipper JSON export."""
    path = item.path if isinstance(item, InputItem) else Path(item)
    if path is None or not path.is_file():
        return None
    from clipper.export.json_export import is_clipper_export

    return path if is_clipper_export(path) else None


def export_summary(report: JsonImportReport) -> str:
    """What a dropped Clipper export brought, in words: '2 clippings created, 1 note'."""
    parts = [f"{clippings(report.created)} created"]
    if report.merged:
        parts.append(f"{report.merged:,} already in the archive")
    for count, noun in (
        (report.notes, "note"),
        (report.links, "link"),
        (report.dossiers, "dossier"),
    ):
        if count:
            parts.append(plural(count, noun))
    return ", ".join(parts)


def near_duplicate(outcome: ImportOutcome) -> int | None:
    """The stored clipping this input nearly repeats (a syndicated copy), if any. An exact
    duplicate is not asked about: storing it just finds the clipping already there."""
    if outcome.duplicate_of is None:
        return None
    if outcome.similarity is not None and outcome.similarity >= 1.0:
        return None
    return outcome.duplicate_of


class ImportController(QObject):
    """Runs import batches and keeps their entries for the progress line and review panel.

    Signals:
        batch_started(ImportBatch)
        progress(ImportBatch): n of m and the current item changed.
        entry_changed(ImportBatch, ImportEntry): an entry was stored, failed, held...
        batch_finished(ImportBatch)
        restored(ImportBatch): reviews left by earlier sessions came back (batch number 0).
    """

    batch_started = Signal(object)
    progress = Signal(object)
    entry_changed = Signal(object, object)
    batch_finished = Signal(object)
    restored = Signal(object)

    def __init__(
        self,
        archive: Archive,
        runner: OperationRunner,
        import_tasks: TaskRunner,
        parent: QObject | None = None,
        read_in_process: bool = False,
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.import_tasks = import_tasks
        self.batches: list[ImportBatch] = []
        # Batches of several inputs are read in a child process (see import_worker);
        # tests, with synchronous workers, read in place.
        self.read_in_process = read_in_process
        # "force": PDF pages with a text layer are read by OCR too (Preferences).
        self.ocr = "auto"

    @property
    def active(self) -> ImportBatch | None:
        running = [b for b in self.batches if not b.finished]
        return running[0] if running else None

    def restore(self, reviews: Sequence[PendingReview]) -> ImportBatch:
        """Entries for reviews an earlier session (or another desk) left, in the batch of
        earlier imports (number 0, listed last)."""
        earlier = next((b for b in self.batches if b.number == 0), None)
        if earlier is None:
            earlier = ImportBatch(number=0, reading_finished=True)
            self.batches.insert(0, earlier)
        for review in reviews:
            entry = ImportEntry(
                label=review.label,
                status="held" if review.held else "stored",
                clipping_id=review.clipping_id,
                duplicate_of=review.duplicate_of,
                similarity=review.similarity,
                review=review,
            )
            earlier.entries.append(entry)
        self.restored.emit(earlier)
        return earlier

    def _forget_earlier(self, review_id: int) -> None:
        """A review read back from the archive (by a refresh that ran while this batch
        stored it) is this batch's own: it has one card, here, not a second one with the
        earlier imports."""
        earlier = next((b for b in self.batches if b.number == 0), None)
        if earlier is None:
            return
        kept = [e for e in earlier.entries if not (e.review and e.review.id == review_id)]
        if len(kept) != len(earlier.entries):
            earlier.entries = kept
            self.restored.emit(earlier)

    def start(
        self, items: Sequence[InputItem | str], tags: Sequence[tuple[str, str]] = ()
    ) -> ImportBatch:
        """Start importing; returns at once (the work runs on the import worker)."""
        number = 1 + sum(1 for b in self.batches if b.number > 0)
        batch = ImportBatch(number=number, tags=tuple(tags))
        self.batches.append(batch)
        self.batch_started.emit(batch)
        archive = self.archive
        post = self.import_tasks.post
        given = list(items)
        ocr = self.ocr

        def on_progress(number: int, total: int, label: str) -> None:
            post(lambda: self._on_progress(batch, number, total, label))

        def read_all() -> None:
            # A Clipper export is imported whole by the writer, not read as an article;
            # telling one means opening the file, which is done here, off the GUI thread.
            inputs = []
            for item in given:
                export = _clipper_export_path(item)
                if export is not None:
                    post(partial(self._import_export, batch, export))
                else:
                    inputs.append(item)
            paths_and_items = [_folder_as_path(item) for item in inputs]
            in_process = self.read_in_process and _worth_a_process(inputs)
            if in_process:
                location = archive.location
                for message in read_in_child(
                    location.home, location.database_url, paths_and_items, batch.cancel_event, ocr
                ):
                    if isinstance(message, Progress):
                        on_progress(message.number, message.total, message.label)
                    elif isinstance(message, str):
                        post(partial(self._on_batch_error, batch, message))
                    else:
                        post(partial(self._on_outcome, batch, message))
                return
            for outcome in import_inputs(
                archive,
                paths_and_items,
                dry_run=True,
                progress=on_progress,
                cancelled=batch.cancel_event.is_set,
                ocr=ocr,
            ):
                post(partial(self._on_outcome, batch, outcome))

        self.import_tasks.run(
            read_all,
            on_done=lambda _: self._on_reading_finished(batch),
            on_error=lambda exc: self._on_reading_failed(batch, exc),
        )
        return batch

    def cancel(self) -> None:
        for batch in self.batches:
            if not batch.finished:
                batch.cancel_event.set()

    # -- what comes back from the workers ----------------------------------------------------

    def _on_progress(self, batch: ImportBatch, number: int, total: int, label: str) -> None:
        batch.total = total
        batch.current = label
        self.progress.emit(batch)

    def _on_outcome(self, batch: ImportBatch, outcome: ImportOutcome) -> None:
        entry = ImportEntry(label=outcome.label, draft=outcome.draft)
        batch.entries.append(entry)
        batch.done += 1
        if not outcome.ok:
            entry.status = "failed"
            entry.error = outcome.error or "could not be read"
        elif outcome.draft is not None:
            entry.duplicate_of = near_duplicate(outcome)
            entry.similarity = outcome.similarity if entry.duplicate_of is not None else None
            self._store(batch, entry)
            return
        self.entry_changed.emit(batch, entry)
        self.progress.emit(batch)

    def _store(self, batch: ImportBatch, entry: ImportEntry) -> None:
        """Store the draft with what there is to review about it, in one transaction; a
        possible duplicate goes to the trash until the editor keeps it."""
        assert entry.draft is not None
        batch.pending_stores += 1

        def stored(result: OpResult) -> None:
            added, review = result.value
            entry.clipping_id = added.id
            entry.review = review
            if review is not None:
                self._forget_earlier(review.id)
            if not added.created:
                entry.status = "exists"
                entry.duplicate_of = added.duplicate_of
            elif review is not None and review.held:
                entry.status = "held"
            else:
                entry.status = "stored"
            self._store_finished(batch, entry)

        def failed(_label: str, reason: str) -> None:
            entry.status = "failed"
            entry.error = f"{entry.label}: {reason}"
            self._store_finished(batch, entry)

        self.runner.run(
            ops.store_for_review(
                entry.draft, batch.tags, entry.label, entry.duplicate_of, entry.similarity
            ),
            origin=self,
            on_done=stored,
            on_failed=failed,
        )

    def _import_export(self, batch: ImportBatch, path: Path) -> None:
        """A Clipper export is not read as an article: it is imported whole, on the writer."""
        # The export stack loads when an export is dropped, not with the window.
        from clipper.export.json_export import import_clipper_export

        entry = ImportEntry(label=str(path))
        batch.entries.append(entry)
        batch.pending_stores += 1

        def imported(result: OpResult) -> None:
            entry.status = "merged"
            entry.detail = export_summary(result.value)
            self._store_finished(batch, entry)

        def failed(_label: str, reason: str) -> None:
            entry.status = "failed"
            entry.error = f"{path.name}: {reason}"
            self._store_finished(batch, entry)

        self.runner.run(
            import_clipper_export(path, batch.tags),
            origin=self,
            on_done=imported,
            on_failed=failed,
        )

    def _store_finished(self, batch: ImportBatch, entry: ImportEntry) -> None:
        batch.pending_stores -= 1
        self.entry_changed.emit(batch, entry)
        self.progress.emit(batch)
        self._maybe_finish(batch)

    def _on_reading_finished(self, batch: ImportBatch) -> None:
        batch.reading_finished = True
        self._maybe_finish(batch)

    def _on_batch_error(self, batch: ImportBatch, message: str) -> None:
        entry = ImportEntry(label="import", status="failed", error=message)
        batch.entries.append(entry)
        self.entry_changed.emit(batch, entry)

    def _on_reading_failed(self, batch: ImportBatch, exc: BaseException) -> None:
        log.error("import batch %d stopped", batch.number, exc_info=exc)
        entry = ImportEntry(label="import", status="failed", error=f"the import stopped: {exc}")
        batch.entries.append(entry)
        self.entry_changed.emit(batch, entry)
        self._on_reading_finished(batch)

    def _maybe_finish(self, batch: ImportBatch) -> None:
        if batch.finished:
            self._record_undo(batch)
            self.batch_finished.emit(batch)

    def _record_undo(self, batch: ImportBatch) -> None:
        """One undo entry for what the batch stored since it was last recorded."""
        stored = {
            e.clipping_id: e.draft.title if e.draft else e.label
            for e in batch.entries
            if e.status == "stored" and e.clipping_id is not None
        }
        new = [cid for cid in stored if cid not in batch.undo_recorded]
        if new:
            batch.undo_recorded.update(new)
            self.runner.record(*ops.import_undo([stored[cid] for cid in new], new))
