"""What the editor sees of an import in the status bar: a progress line (n of m, the current
item, Cancel), then what the batch did, and a button to the review panel (`review_panel`).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QProgressBar,
    QToolButton,
    QWidget,
)

from clipper.ui.importer import ImportBatch, ImportController
from clipper.ui.text import clippings, plural
from clipper.ui.widgets import ElidedLabel

REDRAW_MS = 100


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
        controller.restored.connect(self._show_now)
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
        if batch.number == 0:
            waiting = sum(1 for e in batch.entries if e.needs_review)
            self.label.setText(f"{clippings(waiting)} from earlier imports to review")
            self.bar.hide()
            self.cancel_button.hide()
            self.review_button.setVisible(waiting > 0)
            self.setVisible(waiting > 0)
            return
        stored = batch.count("stored")
        failed = batch.count("failed")
        held = batch.count("held")
        if batch.finished:
            merged = [e for e in batch.entries if e.status == "merged"]
            parts = [f"{e.label.rsplit('/', 1)[-1]}: {e.detail}" for e in merged]
            if stored or not merged:
                parts.insert(0, f"Imported {clippings(stored)}")
            if batch.count("exists"):
                parts.append(f"{batch.count('exists')} already in the archive")
            if held:
                parts.append(f"{plural(held, 'possible duplicate')} to review")
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
        self.review_button.setVisible(any(e.shows_card for e in batch.entries))
