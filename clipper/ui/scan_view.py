"""The scan beside the text, for a clipping read by OCR: the original page (the image, or a
PDF's scanned pages), what read it, and the editor's two corrections, each one ordinary
undoable edit of the body: correcting the text by hand, and cropping the article's region
out of a full newspaper page to read only that again."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.views import ClippingDetail
from clipper.ui.crop_dialog import CropDialog
from clipper.ui.operations import OperationRunner
from clipper.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanPages:
    """The scanned pages of one clipping's original, as PNG bytes, and the original itself."""

    clipping_id: int
    original: bytes
    media_type: str | None
    pages: list[bytes]


def read_scan_pages(archive: Archive, clipping_id: int, media_type: str | None) -> ScanPages:
    """On a worker: the original and its pages, decoded once (a 300-dpi page takes ~0.1 s)."""
    from clipper.core.ingest.ocr import page_png, scan_pages

    original = archive.original(clipping_id) or b""
    pages = [page_png(page) for page in scan_pages(original, media_type)] if original else []
    return ScanPages(clipping_id, original, media_type, pages)


def ocr_summary(record: object) -> str:
    """'Read by OCR · tesseract 5.3.0 · eng+fra · 96% sure' from `extra["ocr"]`."""
    if not isinstance(record, dict):
        return "Read by OCR"
    parts = ["Read by OCR", str(record.get("engine") or "")]
    if record.get("languages"):
        parts.append(str(record["languages"]))
    if isinstance(record.get("confidence"), int | float):
        parts.append(f"{record['confidence']:.0f}% sure")
    return " · ".join(p for p in parts if p)


class ScanImage(QWidget):
    """A page drawn as wide as the pane, as tall as that makes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanImage")
        self.image = QImage()
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.updateGeometry()
        self.update()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if self.image.isNull() or self.image.width() == 0:
            return 0
        return round(width * self.image.height() / self.image.width())

    def sizeHint(self) -> QSize:
        return QSize(320, self.heightForWidth(320))

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.image.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRect(0, 0, self.width(), self.heightForWidth(self.width())), self.image)
        painter.end()


class ScanPane(QFrame):
    """Shown only for clippings read by OCR; hidden otherwise."""

    def __init__(
        self,
        archive: Archive,
        runner: OperationRunner,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scanPane")
        self.archive = archive
        self.runner = runner
        self.tasks = tasks
        self.detail: ClippingDetail | None = None
        self.scan: ScanPages | None = None
        self.page = 0
        self._generation = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        self.summary = QLabel()
        self.summary.setObjectName("ocrSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        buttons = QHBoxLayout()
        self.correct_button = QPushButton("Correct text")
        self.correct_button.setToolTip("Edit the text read from the scan; Undo puts it back")
        self.correct_button.clicked.connect(self.start_correcting)
        buttons.addWidget(self.correct_button)
        self.crop_button = QPushButton("Crop and read again…")
        self.crop_button.setToolTip("Choose the article's region on the page and read only that")
        self.crop_button.clicked.connect(self.open_crop)
        buttons.addWidget(self.crop_button)
        buttons.addStretch(1)
        self.previous_button = QToolButton()
        self.previous_button.setText("‹")
        self.previous_button.setToolTip("Previous page")
        self.previous_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.page_label = QLabel()
        self.page_label.setObjectName("scanPageLabel")
        self.next_button = QToolButton()
        self.next_button.setText("›")
        self.next_button.setToolTip("Next page")
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        for widget in (self.previous_button, self.page_label, self.next_button):
            buttons.addWidget(widget)
        layout.addLayout(buttons)

        self.image = ScanImage()
        self.page_scroll = QScrollArea()
        self.page_scroll.setObjectName("scanScroll")
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_scroll.setWidget(self.image)
        layout.addWidget(self.page_scroll, 3)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("ocrTextEditor")
        layout.addWidget(self.editor, 2)
        edit_buttons = QHBoxLayout()
        edit_buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.stop_correcting)
        self.save_button = QPushButton("Save text")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_correction)
        edit_buttons.addWidget(self.cancel_button)
        edit_buttons.addWidget(self.save_button)
        self.edit_row = QWidget()
        self.edit_row.setLayout(edit_buttons)
        layout.addWidget(self.edit_row)
        self.stop_correcting()
        self.setMinimumWidth(220)
        self.hide()

    # -- what is shown -----------------------------------------------------------------------

    def show_clipping(self, detail: ClippingDetail | None) -> None:
        """Show the scan of this clipping if it was read by OCR; hide for anything else."""
        same = detail is not None and self.detail is not None and detail.id == self.detail.id
        self.detail = detail
        if detail is None or "ocr" not in detail.extra:
            self.scan = None
            self.hide()
            return
        self.summary.setText(ocr_summary(detail.extra.get("ocr")))
        self.show()
        if same and self.scan is not None:
            if not self.editor.isVisible():
                self.editor.setPlainText(detail.body)
            return
        self.stop_correcting()
        self.status.setText("Opening the scan…")
        self._generation += 1
        generation = self._generation
        archive, clipping_id, media = self.archive, detail.id, detail.original_media_type

        def failed(exc: BaseException) -> None:
            log.warning("the scan of #%d could not be shown: %s", clipping_id, exc)
            if generation == self._generation:
                self.status.setText(f"The scan could not be shown: {exc}")

        self.tasks.run(
            lambda: read_scan_pages(archive, clipping_id, media),
            lambda scan: self._on_scan(generation, scan),
            failed,
        )

    def _on_scan(self, generation: int, scan: ScanPages) -> None:
        if generation != self._generation:
            return
        self.scan = scan
        self.status.setText("" if scan.pages else "The original has no scanned page to show.")
        self.crop_button.setEnabled(bool(scan.pages))
        self.show_page(0)

    def show_page(self, number: int) -> None:
        pages = self.scan.pages if self.scan else []
        if not pages:
            self.image.set_image(QImage())
            for widget in (self.previous_button, self.page_label, self.next_button):
                widget.hide()
            return
        self.page = max(0, min(number, len(pages) - 1))
        self.image.set_image(QImage.fromData(pages[self.page]))
        several = len(pages) > 1
        for widget in (self.previous_button, self.page_label, self.next_button):
            widget.setVisible(several)
        self.page_label.setText(f"Page {self.page + 1} of {len(pages)}")
        self.previous_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < len(pages) - 1)

    # -- correcting the text -----------------------------------------------------------------

    def start_correcting(self) -> None:
        if self.detail is None:
            return
        self.editor.setPlainText(self.detail.body)
        self.editor.show()
        self.edit_row.show()
        self.correct_button.setEnabled(False)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def stop_correcting(self) -> None:
        self.editor.hide()
        self.edit_row.hide()
        self.correct_button.setEnabled(True)

    def save_correction(self) -> None:
        if self.detail is None:
            return
        text = self.editor.toPlainText().strip()
        self.stop_correcting()
        if text and text != self.detail.body:
            self.runner.run(ops.update_fields(self.detail.id, body=text), origin=self)

    # -- cropping ----------------------------------------------------------------------------

    def open_crop(self) -> None:
        if self.scan is None or not self.scan.pages or self.detail is None:
            return
        dialog = CropDialog(QImage.fromData(self.scan.pages[self.page]), self.window())
        dialog.finished.connect(lambda result: self._on_crop_finished(dialog, result))
        dialog.finished.connect(dialog.deleteLater)
        self.crop_dialog = dialog  # the tests and screenshots reach it here
        dialog.open()

    def _on_crop_finished(self, dialog: CropDialog, result: int) -> None:
        region = dialog.region()
        if result != QDialog.DialogCode.Accepted or region is None or self.scan is None:
            return
        self.read_region(self.page, region)

    def read_region(self, page: int, region: tuple[int, int, int, int]) -> None:
        """Read one region of a page again (on a worker) and make its text the body."""
        from clipper.core.ingest import IngestError
        from clipper.core.ingest.ocr import read_region

        if self.scan is None or self.detail is None:
            return
        scan, clipping_id, language = self.scan, self.detail.id, self.detail.language
        self.status.setText("Reading the region you chose…")
        self.crop_button.setEnabled(False)

        def done(result: tuple[str, dict]) -> None:
            self.crop_button.setEnabled(True)
            body, _record = result
            self.status.setText(
                "The text now comes from the region you chose (Undo puts back the old)."
            )
            self.runner.run(ops.update_fields(clipping_id, body=body), origin=self)

        def failed(exc: BaseException) -> None:
            self.crop_button.setEnabled(True)
            reason = str(exc) if isinstance(exc, IngestError) else f"OCR failed: {exc}"
            self.status.setText(f"Nothing was changed: {reason}")

        self.tasks.run(
            lambda: read_region(scan.original, scan.media_type, page, region, language),
            done,
            failed,
        )
