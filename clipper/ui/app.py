"""Start the desktop app on an archive: the QApplication, the window lock (or bringing the
window that holds it forward), the main window."""

from __future__ import annotations

import gc
import logging
import sys
import threading
from typing import cast

from PySide6.QtCore import QEventLoop, QLockFile, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog

from clipper.core import db
from clipper.core.archive import Archive
from clipper.core.paths import APP_NAME, RESOURCES_DIR, ArchiveLocation
from clipper.ui.icons import icon
from clipper.ui.instance import (
    ArchiveInUse,
    WindowServer,
    ask_open_window_to_raise,
    lock_archive,
)
from clipper.ui.main_window import MainWindow
from clipper.ui.settings import open_settings
from clipper.ui.theme import theme_for

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
    """Fusion with Clipper's style sheet, its colours taken from the application's palette
    (light or dark); again whenever the desktop switches between the two."""
    app.setStyle("Fusion")
    if STYLE_PATH.exists():
        theme = theme_for(app.palette())
        app.setStyleSheet(theme.fill(STYLE_PATH.read_text(encoding="utf-8")))
    hints = app.styleHints()
    if not hints.property("clipperFollowsScheme"):
        hints.setProperty("clipperFollowsScheme", True)
        hints.colorSchemeChanged.connect(lambda _scheme: _restyle_later(app))


def _restyle_later(app: QApplication) -> None:
    # The palette of the new scheme is in place once the event that announced it is done.
    QTimer.singleShot(0, lambda: apply_style(app))


class BroughtForward(Exception):
    """The archive is open in another Clipper window, which came forward when asked."""


class OpenWindow:
    """A window with what it holds open: the archive, the window lock, and the local server
    through which a second `clipper` on the archive brings this window forward."""

    def __init__(
        self, window: MainWindow, archive: Archive, lock: QLockFile, server: WindowServer
    ) -> None:
        self.window = window
        self.archive = archive
        self.lock = lock
        self.server = server
        server.raise_requested.connect(lambda: bring_forward(window))

    def close(self) -> None:
        self.server.close()
        self.archive.close()
        self.lock.unlock()


def bring_forward(window: MainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def open_window(
    location: ArchiveLocation, settings: QSettings | None = None, **executors: object
) -> OpenWindow | None:
    """Lock the archive and open a window on it.

    If another window has it open, that window is asked to come forward (BroughtForward is
    raised); if it does not answer, the refusal is explained and None returned.
    """
    try:
        lock = lock_archive(location)
    except ArchiveInUse as exc:
        if ask_open_window_to_raise(location):
            raise BroughtForward(
                f"Clipper is already open on {location.home}: its window was brought forward."
            ) from None
        log.warning("%s", exc)
        QMessageBox.critical(None, "Clipper is already open", str(exc))
        return None
    try:
        archive = open_archive(location)
    except BaseException:
        lock.unlock()
        raise
    window = MainWindow(archive, settings or open_settings(), **executors)  # type: ignore[arg-type]
    return OpenWindow(window, archive, lock, WindowServer(location))


UPGRADE_TEXT = (
    "Upgrading the archive at {home} for this version of Clipper.\n\n"
    "This happens once. On a large archive it takes a few minutes; "
    "nothing is lost if it is interrupted."
)


def open_archive(location: ArchiveLocation) -> Archive:
    """The archive, opened. One made by an older Clipper is upgraded first, once, which can
    take minutes on a large archive (db.upgrade_pending): then it is opened on a thread while
    a dialog says what is happening, instead of nothing on the screen at all."""
    if db.upgrade_pending(location.database_url) is None:
        return Archive(location)
    dialog = QProgressDialog("", "", 0, 0)
    label = QLabel(UPGRADE_TEXT.format(home=location.home))
    label.setWordWrap(True)  # a long folder path wraps instead of widening the dialog
    dialog.setLabel(label)
    dialog.setWindowTitle("Clipper: upgrading the archive")
    # An upgrade is one transaction: it finishes or never was; nothing to cancel or close.
    dialog.setCancelButton(None)
    dialog.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(460)
    outcome: dict[str, object] = {}

    def upgrade() -> None:
        try:
            outcome["archive"] = Archive(location)
        except BaseException as exc:  # raised again on the GUI thread
            outcome["error"] = exc

    worker = threading.Thread(target=upgrade, name="clipper-upgrade", daemon=True)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(lambda: None if worker.is_alive() else loop.quit())
    dialog.show()
    worker.start()
    poll.start()
    loop.exec()
    poll.stop()
    dialog.close()
    dialog.deleteLater()
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    return cast(Archive, outcome["archive"])


def settle_heap() -> None:
    """Move everything built at start-up (modules, mappers, widgets) out of the garbage
    collector's sight. Full collections then scan only what the session makes: measured,
    they stop the GUI thread for about 70 ms instead of about 300 ms during a long import."""
    gc.collect()
    gc.freeze()


def run_app(location: ArchiveLocation) -> int:
    app = application()
    try:
        opened = open_window(location)
    except BroughtForward as done:
        print(done, file=sys.stderr)
        return 0
    if opened is None:
        return 1
    try:
        opened.window.show()
        settle_heap()
        return app.exec()
    finally:
        opened.close()
