"""Start the desktop app on an archive: the QApplication, the window lock, the main window."""

from __future__ import annotations

import gc
import logging
import sys

from PySide6.QtCore import QLockFile, QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from clipper.core.archive import Archive
from clipper.core.paths import APP_NAME, RESOURCES_DIR, ArchiveLocation
from clipper.ui.icons import icon
from clipper.ui.instance import ArchiveInUse, lock_archive
from clipper.ui.main_window import MainWindow
from clipper.ui.settings import open_settings

log = logging.getLogger(__name__)

STYLE_PATH = RESOURCES_DIR / "style.qss"


def application() -> QApplication:
    """The QApplication (created once), with the app's name, icon and style sheet."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("clipper")
    app.setWindowIcon(icon("clipper"))
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    if STYLE_PATH.exists():
        app.setStyleSheet(STYLE_PATH.read_text(encoding="utf-8"))


class OpenWindow:
    """A window with what it holds open: the archive and the window lock."""

    def __init__(self, window: MainWindow, archive: Archive, lock: QLockFile) -> None:
        self.window = window
        self.archive = archive
        self.lock = lock

    def close(self) -> None:
        self.archive.close()
        self.lock.unlock()


def open_window(
    location: ArchiveLocation, settings: QSettings | None = None, **executors: object
) -> OpenWindow | None:
    """Lock the archive and open a window on it; None (after saying why) if another window
    has it open."""
    try:
        lock = lock_archive(location)
    except ArchiveInUse as exc:
        log.warning("%s", exc)
        QMessageBox.critical(None, "Clipper is already open", str(exc))
        return None
    archive = Archive(location)
    window = MainWindow(archive, settings or open_settings(), **executors)  # type: ignore[arg-type]
    return OpenWindow(window, archive, lock)


def settle_heap() -> None:
    """Move everything built at start-up (modules, mappers, widgets) out of the garbage
    collector's sight. Full collections then scan only what the session makes: measured,
    they stop the GUI thread for about 70 ms instead of about 300 ms during a long import."""
    gc.collect()
    gc.freeze()


def run_app(location: ArchiveLocation) -> int:
    app = application()
    opened = open_window(location)
    if opened is None:
        return 1
    try:
        opened.window.show()
        settle_heap()
        return app.exec()
    finally:
        opened.close()
