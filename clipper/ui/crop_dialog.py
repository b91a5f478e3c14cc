"""Cropping an article out of a scanned page: the page shown whole, a rectangle dragged over
the article, and the region (in the scan's own pixels) handed back to be read by OCR, either
again for a stored clipping (scan_view) or before a scan is imported (File > Import a scan)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRubberBand,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clipper.core.ingest import InputItem

MIN_REGION_PIXELS = 20  # in the scan; a smaller drag is a slip of the mouse


class CropView(QLabel):
    """The page, scaled to fit, with a rubber band the editor drags over the article.

    Signals:
        selection_changed(): a region was drawn or cleared.
    """

    selection_changed = Signal()

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cropView")
        self.image = image
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 240)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._origin: QPoint | None = None
        self._region: QRect | None = None  # in the scan's pixels
        self._scale = 1.0

    def sizeHint(self) -> QSize:
        return QSize(640, 720)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._redraw()

    def _redraw(self) -> None:
        if self.image.isNull() or self.width() <= 0 or self.height() <= 0:
            return
        self._scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        shown = self.image.scaled(
            self.image.size() * self._scale,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.setPixmap(QPixmap.fromImage(shown))
        if self._region is not None:
            self.band.setGeometry(self._to_view(self._region))

    def _to_view(self, rect: QRect) -> QRect:
        s = self._scale
        return QRect(
            round(rect.x() * s),
            round(rect.y() * s),
            round(rect.width() * s),
            round(rect.height() * s),
        )

    def _to_image(self, rect: QRect) -> QRect:
        s = self._scale or 1.0
        image_rect = QRect(
            round(rect.x() / s),
            round(rect.y() / s),
            round(rect.width() / s),
            round(rect.height() / s),
        )
        return image_rect.intersected(self.image.rect())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = event.position().toPoint()
            self.band.setGeometry(QRect(self._origin, QSize()))
            self.band.show()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self.band.setGeometry(QRect(self._origin, event.position().toPoint()).normalized())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None or event.button() != Qt.MouseButton.LeftButton:
            return
        drawn = QRect(self._origin, event.position().toPoint()).normalized()
        self._origin = None
        region = self._to_image(drawn)
        if region.width() < MIN_REGION_PIXELS or region.height() < MIN_REGION_PIXELS:
            self._region = None
            self.band.hide()
        else:
            self._region = region
        self.selection_changed.emit()

    def region(self) -> tuple[int, int, int, int] | None:
        """(left, top, right, bottom) in the scan's pixels, or None."""
        if self._region is None:
            return None
        r = self._region
        return (r.left(), r.top(), r.left() + r.width(), r.top() + r.height())


REREAD_HINT = (
    "Drag a rectangle around the article; only that region is read again by OCR, and its "
    "text replaces the clipping's (Undo puts it back)."
)
IMPORT_HINT = (
    "Drag a rectangle around the article you want; only that region is read by OCR. The "
    "whole page is kept with the clipping."
)


class CropDialog(QDialog):
    """Choose the article's region on a scanned page; accepted with a region to read."""

    def __init__(
        self,
        image: QImage,
        parent: QWidget | None = None,
        hint_text: str = REREAD_HINT,
        action_text: str = "Read this region",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cropDialog")
        self.setWindowTitle("Crop the article")
        layout = QVBoxLayout(self)
        hint = QLabel(hint_text)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.view = CropView(image)
        layout.addWidget(self.view, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.read_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.read_button.setText(action_text)
        self.read_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.view.selection_changed.connect(
            lambda: self.read_button.setEnabled(self.view.region() is not None)
        )
        self.resize(700, 820)

    def region(self) -> tuple[int, int, int, int] | None:
        return self.view.region()


SCAN_FILTER = "Scans (*.png *.jpg *.jpeg *.tif *.tiff *.webp);;All files (*)"


def load_scan(path: str) -> QImage:
    """The first page of a scan, upright (as the import reads it), or a null image."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    return reader.read()


def crop_for_import(
    path: str, parent: QWidget, on_region: Callable[[InputItem], object]
) -> CropDialog | None:
    """The crop dialog for a scan about to be imported; `on_region` gets the input to import
    (the whole file, with the region to read). None when the file is no image Qt can show."""
    image = load_scan(path)
    if image.isNull():
        return None
    dialog = CropDialog(image, parent, IMPORT_HINT, "Import this region")
    dialog.accepted.connect(
        lambda: on_region(InputItem(label=path, path=Path(path), crop=dialog.region()))
    )
    return dialog
