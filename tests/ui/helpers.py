"""Driving the window as a user does: real drag-and-drop events, shortcuts pressed on the
keyboard, clicks on sidebar nodes."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import NodeKey
from clipper.ui.tasks import ImmediateExecutor


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


def press(qtbot, window: QWidget, sequence: str, widget=None) -> None:  # type: ignore[no-untyped-def]
    """Press a shortcut as the keyboard would, on the focused widget of the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    target = widget or QApplication.focusWidget() or window
    combination = QKeySequence(sequence)[0]
    qtbot.keyClick(target, combination.key(), combination.keyboardModifiers())


def click_node(qtbot, window: MainWindow, key: NodeKey) -> None:  # type: ignore[no-untyped-def]
    """Click a sidebar node (the library, a dossier, a tag, a source, the trash)."""
    sidebar = window.sidebar
    index = sidebar.sidebar_model.index_of(key)
    assert index.isValid(), f"no sidebar node {key}"
    sidebar.scrollTo(index)
    qtbot.mouseClick(
        sidebar.viewport(), Qt.MouseButton.LeftButton, pos=sidebar.visualRect(index).center()
    )
    assert sidebar.current_key == key


def sync_executors() -> dict[str, ImmediateExecutor]:
    return {
        "writer": ImmediateExecutor(),
        "reader": ImmediateExecutor(),
        "importer": ImmediateExecutor(),
        "indexer": ImmediateExecutor(),
    }
