"""What the window shows while files, pages or text are dragged over it from outside: a frame
over the whole window saying that a drop imports them.

The frame lets every event through to the widgets below it (the sidebar and the table keep
their own drop targets: a dossier, a clipping to link). `DropWatcher` follows the drag on
the window and on those widgets, whichever gets it, and hides the frame a moment after the
drag leaves them all (moving from one to the next leaves one before it enters the other).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from clipper.ui.clipping_model import CLIPPING_IDS_MIME
from clipper.ui.widgets import plain_label

HIDE_DELAY_MS = 80


def brings_something_to_import(mime: QMimeData) -> bool:
    """Files, a web page or text from another application (not clippings moved inside)."""
    if mime.hasFormat(CLIPPING_IDS_MIME):
        return False
    return mime.hasUrls() or mime.hasHtml() or mime.hasText()


class DropOverlay(QFrame):
    """A frame over the whole window: "Drop to import", while something is dragged over it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("dropOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        card = QFrame()
        card.setObjectName("dropOverlayCard")
        card.setMaximumWidth(460)
        inside = QVBoxLayout(card)
        inside.setContentsMargins(24, 16, 24, 16)
        self.label = plain_label("Drop to import", "dropOverlayLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inside.addWidget(self.label)
        self.hint = plain_label(
            "Files, folders, web pages, addresses or text: each becomes a clipping. "
            "Dropped on a dossier or a topic in the sidebar, it is filed there too.",
            "dropOverlayHint",
            wrap=True,
        )
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inside.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class DropWatcher(QObject):
    """Shows the overlay while an outside drag is over the window or one of `targets`."""

    def __init__(
        self, window: QWidget, overlay: DropOverlay, targets: Iterable[QWidget] = ()
    ) -> None:
        super().__init__(window)
        self.overlay = overlay
        self._hide_timer = QTimer(self, singleShot=True, interval=HIDE_DELAY_MS)
        self._hide_timer.timeout.connect(overlay.hide)
        for widget in (window, *targets):
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDragMoveEvent)
            if brings_something_to_import(event.mimeData()):
                self._hide_timer.stop()
                if not self.overlay.isVisible():
                    self.overlay.cover()
        elif kind == QEvent.Type.DragLeave:
            self._hide_timer.start()
        elif kind == QEvent.Type.Drop:
            self._hide_timer.stop()
            self.overlay.hide()
        return False
