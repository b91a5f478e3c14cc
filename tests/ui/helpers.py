"""Driving the window as a user does: real drag-and-drop events, clicks on sidebar nodes."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget


def drop(target: QWidget, mime: QMimeData, at: QPoint | None = None) -> QDropEvent:
    """Drag `mime` over `target` and drop it there: enter, move, drop, as Qt sends them."""
    point = at if at is not None else target.rect().center()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons = Qt.MouseButton.LeftButton
    modifiers = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted(), "the drag was refused on entry"
    move = QDragMoveEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, move)
    event = QDropEvent(QPointF(point), actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, event)
    return event
