"""Opening the app: one window per archive, an older archive upgraded under a dialog saying so,
nothing remote in the reader, the style sheet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from alembic import command
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog

from clipper.core import db
from clipper.core.archive import Archive
from clipper.core.errors import ArchiveUnavailable
from clipper.core.paths import ArchiveLocation, resolve_location
from clipper.ui import app as app_module
from clipper.ui.article_view import ArticleBrowser, article_html
from clipper.ui.instance import LOCK_FILENAME
from tests.helpers.archives import add_story
from tests.ui.helpers import sync_executors

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QLockFile
    lock = QLockFile(sys.argv[1])
    assert lock.tryLock(1000)
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until the test closes our stdin
    """
)


def test_a_second_window_on_the_same_archive_is_refused(
    qtbot, tmp_path: Path, settings, monkeypatch
) -> None:
    location = resolve_location(tmp_path / "archive")
    location.home.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(location.home / LOCK_FILENAME)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        messages: list[str] = []
        monkeypatch.setattr(
            QMessageBox, "critical", lambda _parent, _title, text: messages.append(text)
        )
        assert app_module.open_window(location, settings, **sync_executors()) is None
        assert len(messages) == 1
        assert "already open in another Clipper window" in messages[0]
        assert f"process {holder.pid}" in messages[0]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    # Once the first window is gone, the archive opens.
    opened = app_module.open_window(location, settings, **sync_executors())
    assert opened is not None
    qtbot.addWidget(opened.window)
    opened.window.close()
    opened.close()


# The offscreen platform (like some Wayland compositors) cannot raise a window; it says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_starting_clipper_again_on_an_open_archive_brings_its_window_forward(
    qtbot, tmp_path: Path, settings
) -> None:
    location = resolve_location(tmp_path / "archive")
    opened = app_module.open_window(location, settings, **sync_executors())
    assert opened is not None
    window = opened.window
    qtbot.addWidget(window)
    try:
        window.showMinimized()
        with qtbot.waitSignal(opened.server.raise_requested, timeout=30000):
            second = subprocess.Popen(
                [sys.executable, "-m", "clipper", "--archive", str(location.home)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
        _out, err = second.communicate()
        assert second.returncode == 0, err
        assert "its window was brought forward" in err
        assert not window.isMinimized() and window.isVisible()
    finally:
        window.close()
        opened.close()


def test_a_lock_left_by_a_crash_does_not_lock_the_archive_out(
    qtbot, tmp_path: Path, settings
) -> None:
    location = resolve_location(tmp_path / "archive")
    location.home.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(location.home / LOCK_FILENAME)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()  # the lock file stays behind, naming a dead process
    holder.wait(timeout=10)
    holder.stdout.close()
    assert holder.stdin is not None
    holder.stdin.close()
    assert (location.home / LOCK_FILENAME).exists()
    opened = app_module.open_window(location, settings, **sync_executors())
    assert opened is not None
    qtbot.addWidget(opened.window)
    opened.window.close()
    opened.close()


def test_the_reader_never_loads_anything_and_shows_markup_as_text(qtbot, archive: Archive) -> None:
    browser = ArticleBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(
        '<p>x</p><img src="https://tracker.example/pixel.png">'
        '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://cdn.example/a.css">'
    )
    browser.grab()  # lay out and paint: images are asked for now
    assert "https://tracker.example/pixel.png" in browser.refused_resources
    assert "file:///etc/passwd" in browser.refused_resources
    clipping_id = add_story(
        archive,
        "Markup in a clipping",
        'Before <script>alert("x")</script> <img src="https://tracker.example/b.png"> after.',
    )
    fresh = ArticleBrowser()
    qtbot.addWidget(fresh)
    fresh.setHtml(article_html(archive.get(clipping_id)))
    fresh.grab()
    assert '<script>alert("x")</script>' in fresh.toPlainText()
    assert fresh.refused_resources == [], "archive text is escaped: no element asks for anything"


def test_links_to_the_original_go_to_the_system_browser_only_when_clicked(qtbot) -> None:
    browser = ArticleBrowser()
    qtbot.addWidget(browser)
    browser.setHtml('<a href="https://www.lemonde.fr/en/">Original article</a>')
    with qtbot.waitSignal(browser.original_requested) as blocker:
        browser.anchorClicked.emit(
            __import__("PySide6.QtCore").QtCore.QUrl("https://www.lemonde.fr/en/")
        )
    assert blocker.args[0].toString() == "https://www.lemonde.fr/en/"
    assert browser.source().isEmpty(), "the browser itself never navigates"


@pytest.mark.parametrize("name", ["clipper", "library", "dossier", "trash", "link", "note"])
def test_icons_load(qapp, name: str) -> None:
    from clipper.ui.icons import icon

    assert not icon(name).pixmap(16, 16).isNull()


def test_style_sheet_applies_without_warnings(qapp) -> None:
    app_module.apply_style(qapp)
    assert "QTreeView#sidebar" in qapp.styleSheet()


# -- an archive made by an older Clipper: the upgrade runs on a thread under a dialog ---------


def _archive_of_an_older_clipper(location: ArchiveLocation, revision: str) -> int:
    """An archive upgraded only to `revision`, with one clipping; its id."""
    with Archive(location) as archive:
        clipping = add_story(archive, "Niamey receives a delegation")
        engine = archive.engine
        config = db.alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    return clipping


def test_an_archive_needing_an_upgrade_opens_under_a_dialog_saying_so(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    location = resolve_location(tmp_path / "older")
    clipping = _archive_of_an_older_clipper(location, "0007")
    assert db.upgrade_pending(location.database_url) == "0007"
    release = threading.Event()
    seen: list[tuple[bool, int, int, str, str]] = []
    real_archive = app_module.Archive

    def slow_archive(where: ArchiveLocation) -> Archive:
        assert threading.current_thread() is not threading.main_thread()
        release.wait(30)  # the upgrade "takes minutes": until the dialog has been looked at
        return real_archive(where)

    def look() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)]
        for dialog in dialogs:
            label = dialog.findChild(QLabel)
            seen.append(
                (
                    dialog.isVisible(),
                    dialog.width(),
                    label.height() if label is not None and label.isVisible() else 0,
                    dialog.labelText(),
                    dialog.windowTitle(),
                )
            )
        release.set()

    monkeypatch.setattr(app_module, "Archive", slow_archive)
    QTimer.singleShot(300, look)
    archive = app_module.open_archive(location)
    try:
        assert len(seen) == 1
        visible, width, label_height, text, title = seen[0]
        assert visible and width >= 400 and label_height > 0
        assert text.startswith(f"Upgrading the archive at {location.home}")
        assert "happens once" in text and title == "Clipper: upgrading the archive"
        assert db.current_revision(archive.engine) == db.head_revision()
        assert archive.get(clipping).title == "Niamey receives a delegation"
        qtbot.waitUntil(
            lambda: (
                not any(
                    isinstance(w, QProgressDialog) and w.isVisible()
                    for w in QApplication.topLevelWidgets()
                )
            )
        )
    finally:
        archive.close()
    assert db.upgrade_pending(location.database_url) is None


def test_an_upgrade_that_fails_under_the_dialog_fails_the_opening(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    location = resolve_location(tmp_path / "older")
    _archive_of_an_older_clipper(location, "0006")

    def failing(where: ArchiveLocation) -> Archive:
        raise ArchiveUnavailable(f"{where.home}: the disk is full")

    monkeypatch.setattr(app_module, "Archive", failing)
    with pytest.raises(ArchiveUnavailable, match="the disk is full"):
        app_module.open_archive(location)
    assert db.upgrade_pending(location.database_url) == "0006"  # left as it was


def test_a_current_or_new_archive_opens_without_an_upgrade(tmp_path: Path) -> None:
    new = resolve_location(tmp_path / "new")
    assert db.upgrade_pending(new.database_url) is None
    with app_module.open_archive(new) as archive:
        assert db.current_revision(archive.engine) == db.head_revision()
    assert db.upgrade_pending(new.database_url) is None
