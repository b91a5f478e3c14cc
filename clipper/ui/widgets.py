"""Small widgets shared by the panes: a flow layout, chips, plain-text labels (and one that
acts as a link), section headers, empty states.

Every label that can show archive or file text is plain text: Qt reads a label's text as
markup when it looks like markup, and `<img src=...>` in a title would then be loaded."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.ui.icons import icon
from clipper.ui.text import plain_tooltip


class FlowLayout(QLayout):
    """Lays widgets left to right and wraps them onto new lines (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if _takes_room(item):
                size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if not _takes_room(item):
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x = area.x()
                y += line_height + self._spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()

    def clear(self) -> None:
        while self._items:
            item = self._items.pop()
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()


def plain_label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    """A label that shows its text as it is, whatever characters it holds."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when there is no room for all of it (the
    whole text is its tooltip): a status line that is cut off mid-word says nothing.
    `text()` is the whole text."""

    def __init__(self, text: str = "", name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if name:
            self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(plain_tooltip(text) if text else "")

    def shown_text(self) -> str:
        """What fits: the text, or its start and an ellipsis."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def minimumSizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance("Importing 1 of 1…"),
            super().minimumSizeHint().height(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            self.contentsRect(),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.shown_text(),
        )


DIALOG_FLAGS = (
    Qt.WindowType.Dialog
    | Qt.WindowType.CustomizeWindowHint
    | Qt.WindowType.WindowTitleHint
    | Qt.WindowType.WindowCloseButtonHint
)


def set_dialog_buttons(dialog: QWidget) -> None:
    """A dialog's title bar holds its title and a close button: no minimize or maximize,
    which some window managers add to any window that does not say otherwise."""
    dialog.setWindowFlags(DIALOG_FLAGS)


class LinkLabel(QLabel):
    """Plain text that opens something when clicked (or Enter/Space when it has focus), drawn
    as a link by the style sheet: a rich-text link would read archive text as markup.

    Signals:
        activated(): the editor clicked it.
    """

    activated = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.activated.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)


def _takes_room(item: QLayoutItem) -> bool:
    """Whether a flow layout's item is laid out: unless it is a widget hidden on purpose.

    Not `isVisible()`, which is still false for a chip just added (a layout shows it on the
    next turn of the event loop) and while its parent lays out on being shown: skipping
    those left chips with no room, a blank bar where they should be. Not Qt's `isEmpty()`
    either, which skips a chip until it is shown: the height given for the chips would be
    short of them until a later relayout."""
    widget = item.widget()
    if widget is None:
        return not item.isEmpty()
    explicitly_hidden = widget.isHidden() and widget.testAttribute(
        Qt.WidgetAttribute.WA_WState_ExplicitShowHide
    )
    return not explicitly_hidden


class Chip(QFrame):
    """A rounded label, optionally with a remove button, optionally clickable.

    Signals:
        clicked(): the chip itself was clicked.
        remove_clicked(): its × was clicked.
    """

    clicked = Signal()
    remove_clicked = Signal()

    def __init__(
        self,
        text: str,
        kind: str = "",
        removable: bool = False,
        active: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chip")
        self.setProperty("kind", kind)
        self.setProperty("active", active)
        self.text = text
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(9, 2, 4 if removable else 9, 2)
        layout.setSpacing(2)
        self.label = plain_label(text, "chipLabel")
        layout.addWidget(self.label)
        self.remove_button: QToolButton | None = None
        if removable:
            self.remove_button = QToolButton()
            self.remove_button.setObjectName("chipRemove")
            # On an active chip (the accent behind it) the × is drawn in the accent's text.
            self.remove_button.setIcon(icon("close-on-accent" if active else "close"))
            self.remove_button.setIconSize(QSize(12, 12))
            self.remove_button.setToolTip(plain_tooltip(f"Remove {text}"))
            self.remove_button.setAutoRaise(True)
            self.remove_button.setCursor(Qt.CursorShape.PointingHandCursor)
            self.remove_button.clicked.connect(self.remove_clicked)
            layout.addWidget(self.remove_button)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()


class SectionHeader(QLabel):
    """A small uppercase heading over a group of controls in the reader."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text.upper(), parent)
        self.setObjectName("sectionHeader")


class EmptyState(QWidget):
    """A centred message saying what to do, with an optional action button.

    Signals:
        action_clicked(): the button was clicked.
    """

    action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.icon_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.title = plain_label(name="emptyTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = plain_label(name="emptyMessage", wrap=True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton()
        self.button.setObjectName("emptyAction")
        self.button.clicked.connect(self.action_clicked)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.button)
        row.addStretch(1)
        for widget in (self.icon_label, self.title, self.message):
            layout.addWidget(widget)
        layout.addSpacing(8)
        layout.addLayout(row)
        layout.addStretch(2)

    def show_message(self, title: str, message: str, icon_name: str = "", action: str = "") -> None:
        self.title.setText(title)
        self.message.setText(message)
        if icon_name:
            self.icon_label.setPixmap(icon(icon_name).pixmap(48, 48))
        self.icon_label.setVisible(bool(icon_name))
        self.button.setText(action)
        self.button.setVisible(bool(action))
