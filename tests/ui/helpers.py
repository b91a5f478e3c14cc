"""Driving the window as a user does (real drag-and-drop events, shortcuts pressed on the
keyboard, clicks on sidebar nodes) and checking what is on screen: a widget counts only
when it is visible, has a non-zero size inside its visible parent and shows its text."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import NodeKey
from clipper.ui.tasks import ImmediateExecutor
from clipper.ui.widgets import Chip


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

    def active() -> bool:
        # Asked again while waiting: on the offscreen platform a completer's popup that has
        # just closed hands activation to no window, and that news may arrive after ours.
        if not window.isActiveWindow():
            window.activateWindow()
        return window.isActiveWindow()

    qtbot.waitUntil(active, timeout=3000)
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


class HeldExecutor:
    """Keeps submitted jobs until the test runs them (`run_all`, in order): a worker that is
    busy, and proof that nothing ran on the way in."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def submit(self, fn: Callable[[], None]) -> None:
        self.jobs.append(fn)

    def shutdown(self, wait: bool = True) -> None:
        return None

    def run_all(self) -> None:
        while self.jobs:
            self.jobs.pop(0)()


class RecordingExecutor(ThreadPoolExecutor):
    """A real worker thread, as the app's own, noting which thread ran each job."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.threads: list[int] = []

    def submit(self, fn: Callable[[], None]) -> Future[None]:  # type: ignore[override]
        def recorded() -> None:
            self.threads.append(threading.get_ident())
            fn()

        return super().submit(recorded)


def sync_executors() -> dict[str, ImmediateExecutor]:
    return {
        "writer": ImmediateExecutor(),
        "reader": ImmediateExecutor(),
        "importer": ImmediateExecutor(),
        "indexer": ImmediateExecutor(),
        "watcher": ImmediateExecutor(),
        "monitor": ImmediateExecutor(),
    }


# -- what is on screen ---------------------------------------------------------------------


def on_screen(widget: QWidget) -> bool:
    """The widget is really there for the eye: visible, of a non-zero size, lying inside its
    visible parent, and not clipped away entirely by the widgets around it."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    parent = widget.parentWidget()
    if parent is not None:
        if not parent.isVisible():
            return False
        if not parent.rect().contains(widget.geometry()):
            return False
    return not widget.visibleRegion().isEmpty()


def shows_text(label: QLabel, text: str | None = None) -> bool:
    """The label is on screen and wide enough for its text (`text`, when given, is it)."""
    if text is not None and label.text() != text:
        return False
    if not on_screen(label) or not label.text():
        return False
    needed = label.fontMetrics().horizontalAdvance(label.text())
    return label.wordWrap() or label.contentsRect().width() >= needed - 1


def visible_chips(container: QWidget) -> list[Chip]:
    """The chips under `container` an editor can see and read, in reading order."""
    chips = [
        chip
        for chip in container.findChildren(Chip)
        if on_screen(chip) and shows_text(chip.label, chip.text)
    ]
    origin = container.mapToGlobal(QPoint(0, 0))
    return sorted(
        chips,
        key=lambda chip: (
            chip.mapToGlobal(QPoint(0, 0)).y() - origin.y(),
            chip.mapToGlobal(QPoint(0, 0)).x() - origin.x(),
        ),
    )


def visible_chip_texts(container: QWidget) -> list[str]:
    return [chip.text for chip in visible_chips(container)]
