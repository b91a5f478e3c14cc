"""What the editor does with the import review's cards: accept a suggestion, confirm a
title, keep or skip a possible duplicate, dismiss a card, accept or dismiss them all. Each
is an undoable operation on the window's writer (`clipper.core.operations`), and the
archive keeps what is left to review, so the cards come back after a restart
(`restore`) and follow what other windows and the command line change (`refresh`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QObject, Signal

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.operations import Operation, OpResult
from clipper.core.views import OpChanges, PendingReview
from clipper.ui.importer import ImportBatch, ImportController, ImportEntry
from clipper.ui.operations import OperationRunner
from clipper.ui.tasks import TaskRunner
from clipper.ui.text import clippings

log = logging.getLogger(__name__)


class ReviewDesk(QObject):
    """The review actions over an ImportController's entries.

    Signals:
        said(str): a line for the status bar ("Accepted 40 suggestions...").
        open_requested(int): the editor wants to read a clipping (a card's, or the one a
            possible duplicate repeats).
    """

    said = Signal(str)
    open_requested = Signal(int)

    def __init__(
        self,
        archive: Archive,
        controller: ImportController,
        runner: OperationRunner,
        reads: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.controller = controller
        self.runner = runner
        self.reads = reads
        runner.operation_did_execute.connect(self._on_operation)

    def _on_operation(self, changes: OpChanges, origin: QObject | None) -> None:
        # Undo and redo (run by the runner itself) bring reviews back or settle them again;
        # the trash takes clippings (and their cards) away or back: read what is left.
        if origin is self.runner or changes.trash or changes.removed:
            self.refresh()

    # -- one card ----------------------------------------------------------------------------

    def accept_suggestion(
        self, batch: ImportBatch, entry: ImportEntry, kind: str, name: str
    ) -> None:
        review = entry.review
        if review is None or entry.status != "stored":
            return
        self._run(ops.accept_suggestions(review.id, [(kind, name)]), [(batch, entry)])

    def confirm_title(self, batch: ImportBatch, entry: ImportEntry, title: str) -> None:
        review = entry.review
        if review is None or entry.status != "stored" or not review.title_guessed:
            return
        if entry.draft is not None and title.strip():
            entry.draft.title = " ".join(title.split())
        self._run(ops.confirm_review_title(review.id, title), [(batch, entry)])

    def keep(self, batch: ImportBatch, entry: ImportEntry) -> None:
        """Keep a possible duplicate: it leaves the trash for the library (its own undo)."""
        review = entry.review
        if review is None or entry.status != "held":
            return
        if entry.clipping_id is not None:
            batch.undo_recorded.add(entry.clipping_id)  # not undone again with its batch

        def kept(_result: OpResult) -> None:
            entry.status = "stored"

        self._run(ops.keep_duplicate(review.id, review.clipping_title), [(batch, entry)], kept)

    def skip(self, batch: ImportBatch, entry: ImportEntry) -> None:
        """Leave a possible duplicate in the trash and forget the question."""
        review = entry.review
        if review is None or entry.status != "held":
            return

        def skipped(_result: OpResult) -> None:
            entry.status = "skipped"

        self._run(ops.dismiss_reviews([review.id]), [(batch, entry)], skipped)

    def accept_card(self, batch: ImportBatch, entry: ImportEntry, title: str | None = None) -> None:
        """Enter on a card: keep a possible duplicate, else accept its suggestions and its
        title (as corrected in the card, when it was)."""
        review = entry.review
        if review is None:
            return
        if entry.status == "held":
            self.keep(batch, entry)
            return
        if title is not None and review.title_guessed and title.strip() != review.clipping_title:
            self.confirm_title(batch, entry, title)
        self._run(ops.accept_reviews([review.id]), [(batch, entry)])

    def dismiss(self, batch: ImportBatch, entry: ImportEntry) -> None:
        """Delete on a card: forget it (a failure is only in this session)."""
        if entry.status == "failed":
            entry.dismissed = True
            self.controller.entry_changed.emit(batch, entry)
            return
        if entry.status == "held":
            self.skip(batch, entry)
            return
        if entry.review is not None:
            self._run(ops.dismiss_reviews([entry.review.id]), [(batch, entry)])

    # -- every card --------------------------------------------------------------------------

    def open_cards(self) -> list[tuple[ImportBatch, ImportEntry]]:
        return [
            (batch, entry)
            for batch in reversed(self.controller.batches)
            for entry in batch.entries
            if entry.shows_card
        ]

    def accept_all(self) -> None:
        """Accept every suggestion and confirm every guessed title on the cards; possible
        duplicates wait for the editor to keep or skip them one by one."""
        cards = [
            (b, e) for b, e in self.open_cards() if e.status == "stored" and e.review is not None
        ]
        if not cards:
            return
        suggestions = sum(len(e.review.open_suggestions) for _b, e in cards if e.review)

        def done(_result: OpResult) -> None:
            self.said.emit(
                f"Accepted {suggestions:,} suggestion{'s' if suggestions != 1 else ''} on "
                f"{clippings(len(cards))}. Undo with Ctrl+Z."
            )

        ids = [e.review.id for _b, e in cards if e.review is not None]
        self._run(ops.accept_reviews(ids), cards, done)

    def dismiss_all(self) -> None:
        cards = self.open_cards()
        for batch, entry in cards:
            if entry.status == "failed":
                entry.dismissed = True
                self.controller.entry_changed.emit(batch, entry)
        stored = [(b, e) for b, e in cards if e.review is not None and e.status != "failed"]
        if not stored:
            return

        def done(_result: OpResult) -> None:
            for _batch, entry in stored:
                if entry.status == "held":
                    entry.status = "skipped"
            self.said.emit(f"Dismissed {len(stored):,} review cards. Undo with Ctrl+Z.")

        ids = [e.review.id for _b, e in stored if e.review is not None]
        self._run(ops.dismiss_reviews(ids), stored, done)

    # -- the archive's reviews ---------------------------------------------------------------

    def restore(self) -> None:
        """Bring back the cards that earlier sessions left (read on the reader thread)."""
        archive = self.archive
        self.reads.run(
            archive.pending_reviews,
            self._restored,
            lambda exc: log.warning("pending reviews could not be read: %s", exc),
        )

    def _restored(self, reviews: list[PendingReview]) -> None:
        self.sync(reviews)

    def refresh(self) -> None:
        """Read the reviews again (the trash or another desk changed them)."""
        self.restore()

    def sync(self, reviews: Sequence[PendingReview]) -> None:
        """Make the entries' reviews the archive's: a review gone is dealt with, one that no
        entry holds (an earlier session's, another desk's) joins the earlier batch."""
        by_id = {review.id: review for review in reviews}
        held: set[int] = set()
        for batch in self.controller.batches:
            for entry in batch.entries:
                if entry.review is None:
                    continue
                fresh = by_id.get(entry.review.id)
                held.add(entry.review.id)
                if fresh != entry.review:
                    entry.review = fresh
                    if entry.status == "held" and (fresh is None or not fresh.held):
                        entry.status = "skipped" if fresh is None else "stored"
                    self.controller.entry_changed.emit(batch, entry)
        earlier = [review for review in reviews if review.id not in held]
        if earlier:
            self.controller.restore(earlier)

    # -- running -----------------------------------------------------------------------------

    def _run(
        self,
        operation: Operation,
        cards: Iterable[tuple[ImportBatch, ImportEntry]],
        then: Callable[[OpResult], None] | None = None,
    ) -> None:
        cards = list(cards)

        def done(result: OpResult) -> None:
            left: dict[int, PendingReview | None] = result.value or {}
            for _batch, entry in cards:
                if entry.review is not None and entry.review.id in left:
                    entry.review = left[entry.review.id]
            if then is not None:
                then(result)
            for batch, entry in cards:
                self.controller.entry_changed.emit(batch, entry)

        self.runner.run(operation, origin=self, on_done=done)
