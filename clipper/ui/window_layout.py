"""The window's layout that persists: its first size (fitted to the screen it opens on), the
saved geometry, splitters, table header and the import review dock's size, kept in
QSettings between sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow

SETTINGS_VERSION = 1
FIRST_SIZE = QSize(1360, 820)
# Of the screen's free area, a first window takes at most this share, so that on a small
# laptop screen its frame and title bar stay on screen.
SCREEN_SHARE = 0.92
# The review dock's first height: a share of the window, never more than REVIEW_MAX_HEIGHT,
# so the reader keeps most of its room; then whatever height the editor gives it.
REVIEW_SHARE = 0.3
REVIEW_MAX_HEIGHT = 260
REVIEW_MIN_HEIGHT = 120


MINIMUM_SIZE = QSize(900, 560)


def window_minimum() -> QSize:
    """The smallest the window may be: MINIMUM_SIZE, or the screen when it is smaller."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return MINIMUM_SIZE
    return MINIMUM_SIZE.boundedTo(screen.availableSize())


def first_geometry(available: QRect, wanted: QSize = FIRST_SIZE) -> QRect:
    """Where a first window goes on a screen whose free area is `available`: the size it
    wants, shrunk to fit, centred."""
    width = min(wanted.width(), int(available.width() * SCREEN_SHARE))
    height = min(wanted.height(), int(available.height() * SCREEN_SHARE))
    rect = QRect(0, 0, width, height)
    rect.moveCenter(available.center())
    return rect


def place_first_window(window: MainWindow) -> None:
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        window.resize(FIRST_SIZE)
        return
    geometry = first_geometry(screen.availableGeometry())
    minimum = window.minimumSize()
    window.resize(geometry.size().expandedTo(minimum.boundedTo(screen.availableSize())))
    window.move(geometry.topLeft())


def restore_layout(window: MainWindow) -> None:
    s = window.settings
    table = window.results.table
    if s.value("layout/version", 0, int) != SETTINGS_VERSION:
        place_first_window(window)
        return
    geometry = s.value("window/geometry")
    if not isinstance(geometry, QByteArray) or not window.restoreGeometry(geometry):
        place_first_window(window)
    for key, target in (
        ("window/state", window.restoreState),
        ("splitter/main", window.splitter.restoreState),
        ("splitter/reader", window.reader.splitter.restoreState),
        ("table/header", table.horizontalHeader().restoreState),
    ):
        value = s.value(key)
        if isinstance(value, QByteArray):
            target(value)
    table.show_search_columns(False)
    table.remember_widths()
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)


def save_layout(window: MainWindow) -> None:
    s = window.settings
    s.setValue("layout/version", SETTINGS_VERSION)
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    s.setValue("splitter/main", window.splitter.saveState())
    s.setValue("splitter/reader", window.reader.splitter.saveState())
    s.setValue("table/header", window.results.table.horizontalHeader().saveState())
    remember_review_height(window)
    s.sync()


def remember_review_height(window: MainWindow) -> None:
    """Keep the height the editor gave the review dock, for the next time it opens."""
    dock = window.review_dock
    if dock.isVisible() and not dock.isFloating() and dock.height() > 0:
        window.settings.setValue("review/height", dock.height())


class ReviewHeightKeeper(QObject):
    """Notes the review dock's height each time the editor resizes it (by its edge)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.review_dock.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.window.review_dock.isVisible():
            remember_review_height(self.window)
        return False


def review_height(window: MainWindow) -> int:
    """The height the review dock opens at: the editor's last one, else a modest share."""
    saved = window.settings.value("review/height", 0, int)
    if isinstance(saved, int) and saved > 0:
        return max(REVIEW_MIN_HEIGHT, saved)
    return max(REVIEW_MIN_HEIGHT, min(REVIEW_MAX_HEIGHT, int(window.height() * REVIEW_SHARE)))
