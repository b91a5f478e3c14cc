"""Live refresh: an open window shows, within seconds and without a restart, what a second
process (`clipper import`, `clipper tag`) writes to its archive; what the window writes
itself is not announced a second time. The other desk's import and tagging are tried on
SQLite and on PostgreSQL (a shared archive on a server)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from clipper.core.archive import Archive
from clipper.core.views import OpChanges
from clipper.ui.clipping_model import Column
from clipper.ui.live_refresh import POLL_MS
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import COUNT_ROLE, LIBRARY
from tests.helpers.archives import archive_args
from tests.ui.helpers import visible_chip_texts

WAIT = 60_000  # a second Python process starts and imports under load

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)


def clipper(archive: Archive, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `clipper` command in a process of its own on the window's archive."""
    return subprocess.run(
        [sys.executable, "-m", "clipper", *archive_args(archive.location), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def titles(window: MainWindow) -> list[str]:
    model = window.results.model
    return [model.data(model.index(r, Column.TITLE)) for r in range(model.rowCount())]


# On PostgreSQL too (issue 14): another desk's import shows in this desk's window.
@pytest.mark.backends
def test_a_clipping_imported_by_another_process_appears_without_a_restart(
    qtbot, stories, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "wagner.txt"
    path.write_text(
        "Wagner leaves Mali\n\nThe group's fighters are replaced by the Africa Corps, "
        "the Russian defence ministry's own force, in Bamako and the north.\n"
    )
    library_count = window.sidebar.sidebar_model.index_of(LIBRARY).data(COUNT_ROLE)
    done = clipper(archive, "import", str(path))
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: "Wagner leaves Mali" in titles(window), timeout=WAIT)
    qtbot.waitUntil(
        lambda: (
            window.sidebar.sidebar_model.index_of(LIBRARY).data(COUNT_ROLE) == library_count + 1
        ),
        timeout=WAIT,
    )
    assert window.archive_label.text() == "4 clippings"


@pytest.mark.backends
def test_a_tag_added_by_another_process_shows_on_the_open_clipping(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    mali = stories["mali"]
    window.results.select_ids([mali])
    qtbot.waitUntil(lambda: "Mali" in visible_chip_texts(window.reader.tags), timeout=WAIT)
    done = clipper(archive, "tag", str(mali), "--add", "topic:Wagner")
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: "Wagner" in visible_chip_texts(window.reader.tags), timeout=WAIT)
    assert window.reader.detail is not None and window.reader.detail.id == mali


def test_the_windows_own_changes_are_not_announced_again(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    announced: list[OpChanges] = []
    window.watcher.changed.connect(announced.append)
    window.results.select_ids([stories["mali"]])
    field = window.reader.tags.field
    qtbot.keyClicks(field, "Diplomacy")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert "Diplomacy" in {t.name for t in archive.get(stories["mali"]).tags}
    window.watcher.poll()
    qtbot.wait(POLL_MS + 500)
    window.watcher.poll()
    assert announced == [], "an own change needs no second refresh"
    # Someone else's change, meanwhile, is.
    archive.add_note(stories["eu"], "Written by another desk")
    window.watcher.poll()
    qtbot.waitUntil(lambda: bool(announced), timeout=WAIT)
    assert announced[-1].clippings == frozenset({stories["eu"]}) and announced[-1].notes
