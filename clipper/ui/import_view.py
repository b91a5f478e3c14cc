"""What the editor sees of an import: a progress line in the status bar (n of m, the current
item, cancel) and the review panel (guessed titles to confirm, suggested regions and topics
to accept with one click, possible duplicates to keep or skip, failures with their reasons).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.ui.importer import ImportBatch, ImportController, ImportEntry
from clipper.ui.text import plain_tooltip
from clipper.ui.widgets import Chip, ElidedLabel, FlowLayout, plain_label

REDRAW_MS = 100
REVIEW_PAGE = 60
REVIEW_BUILD_PER_TURN = 4
# A pause between turns lets the window paint and answer input while rows are made.
REVIEW_TURN_MS = 15


class ProgressLine(QWidget):
    """The batch in progress: a bar, 'Importing 3 of 12: name', Cancel; then a summary.

    Signals:
        review_requested(): the editor wants the review panel.
    """

    review_requested = Signal()

    def __init__(self, controller: ImportController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progressLine")
        self.controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(8)
        # Long summaries end in "…" (the whole text is the tooltip) and leave the status
        # bar room for its messages.
        self.label = ElidedLabel(name="progressLabel")
        self.label.setMaximumWidth(520)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(controller.cancel)
        self.review_button = QToolButton()
        self.review_button.setText("Review")
        self.review_button.clicked.connect(self.review_requested)
        for widget in (self.label, self.bar, self.cancel_button, self.review_button):
            layout.addWidget(widget)
        self._batch: ImportBatch | None = None
        # Redrawn at most ten times a second, however fast items arrive.
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        controller.batch_started.connect(self._show_now)
        controller.progress.connect(self._show_soon)
        controller.batch_finished.connect(self._show_now)
        self.hide()

    def _show_soon(self, batch: ImportBatch) -> None:
        self._batch = batch
        if not self._timer.isActive():
            self._timer.start()

    def _show_now(self, batch: ImportBatch) -> None:
        self._batch = batch
        self._timer.stop()
        self._redraw()

    def _redraw(self) -> None:
        if self._batch is not None:
            self._show(self._batch)

    def _show(self, batch: ImportBatch) -> None:
        self.show()
        stored = batch.count("stored")
        failed = batch.count("failed")
        held = batch.count("held")
        if batch.finished:
            merged = [e for e in batch.entries if e.status == "merged"]
            parts = [f"{e.label.rsplit('/', 1)[-1]}: {e.detail}" for e in merged]
            if stored or not merged:
                parts.insert(0, f"Imported {stored} clipping{'s' if stored != 1 else ''}")
            if batch.count("exists"):
                parts.append(f"{batch.count('exists')} already in the archive")
            if held:
                parts.append(f"{held} possible duplicate{'s' if held != 1 else ''} to review")
            if failed:
                parts.append(f"{failed} failed")
            if batch.cancelled:
                parts.append("cancelled")
            self.label.setText(", ".join(parts))
            self.bar.hide()
            self.cancel_button.hide()
        else:
            total = max(batch.total, 1)
            number = min(batch.done + 1, total)
            name = batch.current.rsplit("/", 1)[-1]
            self.label.setText(f"Importing {number} of {batch.total or '…'}: {name}")
            self.bar.show()
            self.bar.setRange(0, total)
            self.bar.setValue(batch.done)
            self.cancel_button.show()
        self.review_button.setVisible(
            any(e.needs_review or e.status == "failed" for e in batch.entries)
        )


class ReviewEntry(QFrame):
    """One imported item to look at: title, suggestions, duplicate choice or failure."""

    def __init__(
        self,
        controller: ImportController,
        batch: ImportBatch,
        entry: ImportEntry,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewEntry")
        self.entry = entry
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        source = plain_label(f"Import {batch.number}  ·  {entry.label}", "reviewSource")
        source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(source)
        self.title_field: QLineEdit | None = None
        self.confirm_button: QPushButton | None = None
        self.keep_button: QPushButton | None = None
        self.skip_button: QPushButton | None = None
        self.suggestion_chips: list[Chip] = []
        draft = entry.draft
        if entry.status == "failed":
            error = plain_label(entry.error or "could not be imported", "reviewError", wrap=True)
            layout.addWidget(error)
            return
        if draft is None:
            return
        if entry.status == "held":
            note = plain_label(
                f"“{draft.title}” looks like clipping #{entry.duplicate_of}, "
                f"already in the archive{_similar(entry.similarity)}.",
                wrap=True,
            )
            layout.addWidget(note)
            row = QHBoxLayout()
            self.keep_button = QPushButton("Keep both")
            self.skip_button = QPushButton("Skip this one")
            self.keep_button.clicked.connect(lambda: controller.keep(batch, entry))
            self.skip_button.clicked.connect(lambda: controller.skip(batch, entry))
            row.addWidget(self.keep_button)
            row.addWidget(self.skip_button)
            row.addStretch(1)
            layout.addLayout(row)
            return
        if draft.title_guessed and not entry.title_confirmed:
            row = QHBoxLayout()
            self.title_field = QLineEdit(draft.title)
            self.title_field.setObjectName("reviewTitle")
            self.title_field.setToolTip("Guessed from the text: correct it or confirm it")
            self.confirm_button = QPushButton("Confirm title")
            field = self.title_field
            self.confirm_button.clicked.connect(
                lambda: controller.confirm_title(batch, entry, field.text())
            )
            self.title_field.returnPressed.connect(self.confirm_button.click)
            row.addWidget(plain_label("Title"))
            row.addWidget(self.title_field, 1)
            row.addWidget(self.confirm_button)
            layout.addLayout(row)
        else:
            title = plain_label(draft.title, "reviewTitleText", wrap=True)
            layout.addWidget(title)
        open_suggestions = [s for s in entry.suggestions() if s not in entry.accepted]
        if open_suggestions:
            chips_area = QWidget()
            chips = FlowLayout(chips_area, spacing=5)
            label = plain_label("Suggested:", "hint")
            chips.addWidget(label)
            for kind, name in open_suggestions:
                chip = Chip(f"+ {name}", kind=kind)
                chip.setObjectName("suggestionChip")
                chip.setToolTip(plain_tooltip(f"Tag with the {kind} {name}"))
                chip.setCursor(Qt.CursorShape.PointingHandCursor)
                chip.clicked.connect(
                    lambda kind=kind, name=name: controller.accept_suggestion(
                        batch, entry, kind, name
                    )
                )
                chips.addWidget(chip)
                self.suggestion_chips.append(chip)
            layout.addWidget(chips_area)


class ReviewPanel(QWidget):
    """The entries of recent batches that still need the editor, newest batch first.

    Widgets are kept per entry and only made for entries that are new or changed, a few
    per turn of the event loop, and only while the panel is on screen: a 500-file import
    whose every item has a suggestion never stalls the window building 500 rows at once.
    """

    def __init__(self, controller: ImportController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.controller = controller
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        contents = QWidget()
        self.box = QVBoxLayout(contents)
        self.box.setContentsMargins(10, 8, 10, 8)
        self.box.setSpacing(6)
        scroll.setWidget(contents)
        self.entries: list[ReviewEntry] = []
        self.limit = REVIEW_PAGE
        self._made: dict[int, tuple[tuple[object, ...], ReviewEntry]] = {}
        self._dirty = True
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self.rebuild)
        self.more_button = QPushButton()
        self.more_button.setObjectName("reviewMore")
        self.more_button.clicked.connect(self._show_more)
        self.hint = plain_label(
            "Nothing to review. After an import, guessed titles, suggested tags, "
            "possible duplicates and failures show up here.",
            "hint",
            wrap=True,
        )
        # Rows go above these three, which stay at the end.
        self.box.addWidget(self.more_button)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)
        controller.entry_changed.connect(self._on_entry_changed)
        controller.batch_finished.connect(lambda _batch: self.rebuild())
        self.rebuild()

    def _on_entry_changed(self, _batch: ImportBatch, entry: ImportEntry) -> None:
        if any(widget.entry is entry for widget in self.entries):
            self.rebuild()  # the editor acted on it: answer at once
        elif (entry.needs_review or entry.status == "failed") and not self._timer.isActive():
            self._timer.start()  # new items to review arrive in batches, ten times a second

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.rebuild()

    def _show_more(self) -> None:
        self.limit += REVIEW_PAGE
        self.rebuild()

    def _wanted(self) -> tuple[list[tuple[ImportBatch, ImportEntry]], int]:
        wanted: list[tuple[ImportBatch, ImportEntry]] = []
        total = 0
        for batch in reversed(self.controller.batches):
            for entry in batch.entries:
                if entry.needs_review or entry.status == "failed":
                    total += 1
                    if len(wanted) < self.limit:
                        wanted.append((batch, entry))
        return wanted, total

    def rebuild(self) -> None:
        """Bring the rows in line with the entries to review, touching only rows that come,
        go or change (a relayout of every row costs more than the rows themselves)."""
        self._timer.stop()
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        wanted, total = self._wanted()
        keep: dict[int, tuple[tuple[object, ...], ReviewEntry]] = {}
        rows: list[ReviewEntry] = []
        made = 0
        for batch, entry in wanted:
            signature = _signature(entry)
            known = self._made.get(id(entry))
            if known is not None and known[0] == signature:
                widget = known[1]
            elif made < REVIEW_BUILD_PER_TURN:
                widget = ReviewEntry(self.controller, batch, entry)
                made += 1
            else:
                # The rest are made on the next turns of the event loop.
                QTimer.singleShot(REVIEW_TURN_MS, self.rebuild)
                break
            keep[id(entry)] = (signature, widget)
            rows.append(widget)
        for key, (_, widget) in self._made.items():
            if keep.get(key, (None, None))[1] is not widget:
                self.box.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self._made = keep
        for position, widget in enumerate(rows):
            if self.box.indexOf(widget) != position:
                if self.box.indexOf(widget) != -1:
                    self.box.removeWidget(widget)
                self.box.insertWidget(position, widget)
                widget.show()
        self.entries = rows
        more = total - len(rows)
        self.more_button.setText(f"{more} more to review: show them")
        self.more_button.setVisible(more > 0 and len(rows) == len(wanted))
        self.hint.setVisible(not rows)
        self.box.activate()  # lay the rows out now, not on a later turn of the event loop


def _signature(entry: ImportEntry) -> tuple[object, ...]:
    """What a review row shows: when this changes, the row is made again."""
    return (entry.status, entry.title_confirmed, frozenset(entry.accepted), entry.duplicate_of)


def _similar(similarity: float | None) -> str:
    return f" ({similarity:.0%} alike)" if similarity is not None else ""


def _esc(text: str) -> str:
    import html

    return html.escape(text)
