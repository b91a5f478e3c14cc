"""Opening the app: one window per archive, nothing remote in the reader, the style sheet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
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
