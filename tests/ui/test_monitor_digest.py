"""A digest from the window: Feeds > Digest picks a saved search, a period and PDF or HTML;
the digest is written on a worker (the export's progress window and message), with the
search's new clippings only; an empty period says so and writes nothing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QMessageBox

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.ui.digest_dialog import DigestDialog, DigestJob
from clipper.ui.main_window import MainWindow
from clipper.ui.tasks import ImmediateExecutor
from tests.helpers.archives import add_story
from tests.ui.helpers import RecordingExecutor

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


def messages(window: MainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def digest_dialog(window: MainWindow) -> DigestDialog:
    dialog = window.dialog
    assert isinstance(dialog, DigestDialog) and dialog.isVisible()
    return dialog


@pytest.fixture
def window_with_news(make_window: Any, stories: dict[str, int], archive: Archive) -> MainWindow:
    """A saved search made before two new clippings arrived: one it finds, one it does not."""
    Monitor(archive).save_search("Yevkurov tour", "Yevkurov")
    add_story(archive, "Yevkurov back in Niamey", "Yevkurov returned to Niamey for talks.")
    add_story(archive, "Uranium exports halted", "Orano stopped uranium exports from Arlit.")
    return make_window()  # type: ignore[no-any-return]


def test_a_pdf_digest_is_written_on_a_worker_with_the_new_clippings(
    qtbot: Any, window_with_news: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    window = window_with_news
    executor = RecordingExecutor()
    window.monitor_desk.digest_executor = executor
    window.digest_action.trigger()
    dialog = digest_dialog(window)
    assert dialog.search.currentText() == "Yevkurov tour"
    assert dialog.path.text().endswith(".pdf")
    dialog.path.setText(str(tmp_path / "digest.pdf"))
    dialog.write_button.click()
    job = window.findChild(DigestJob)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        pass
    assert executor.threads and threading.get_ident() not in executor.threads
    outcome = finished.args[0]
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "digest.pdf").pages)
    text = " ".join(text.split())
    assert "Yevkurov tour: digest" in text and "Yevkurov back in Niamey" in text
    assert "Uranium exports halted" not in text
    assert "Russian delegation received in Bamako" not in text  # not new
    [message] = messages(window)
    assert f"Exported 1 clipping ({outcome.pages} pages) to {tmp_path / 'digest.pdf'}" in (
        message.text()
    )


def test_an_html_digest_of_a_period_and_an_empty_one(
    qtbot: Any, window_with_news: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    window = window_with_news
    window.monitor_desk.digest_executor = ImmediateExecutor()
    window.digest_action.trigger()
    dialog = digest_dialog(window)
    dialog.kind.setCurrentIndex(dialog.kind.findData("html"))
    assert dialog.path.text().endswith(".html")
    dialog.period.setCurrentIndex(dialog.period.findData("7d"))
    dialog.path.setText(str(tmp_path / "digest.html"))
    dialog.write_button.click()
    page = (tmp_path / "digest.html").read_text(encoding="utf-8")
    assert "Yevkurov back in Niamey" in page and "Uranium" not in page
    for box in messages(window):
        box.close()

    # Opened since: nothing is new, and the editor is told so; nothing is written.
    Monitor(archive).mark_opened("Yevkurov tour")
    window.digest_action.trigger()
    dialog = digest_dialog(window)
    dialog.path.setText(str(tmp_path / "empty.pdf"))
    dialog.write_button.click()
    [message] = messages(window)
    assert "nothing is new in Yevkurov tour since" in message.text()
    assert not (tmp_path / "empty.pdf").exists()
