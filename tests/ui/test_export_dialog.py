"""The window's Export action: the dialog, the export in a child process watched from a worker
thread, with progress and cancel, and the message at the end, none of which blocks the
window."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressDialog, QPushButton

from clipper.core.archive import Archive
from clipper.export import pdf
from clipper.export.json_export import is_clipper_export
from clipper.ui import export_worker
from clipper.ui.export_dialog import ExportDialog, ExportJob, start_export
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import NodeKey
from tests.helpers.samples import fill_sample
from tests.ui.helpers import HeldExecutor, RecordingExecutor

# Dialogs and message boxes ask the platform to pass size hints on, which the headless
# "offscreen" platform cannot do; it says so at warning level. Only that is ignored.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


@pytest.fixture
def host(qtbot, archive: Archive) -> QMainWindow:  # type: ignore[no-untyped-def]
    """A plain main window as the parent, on the sample archive."""
    fill_sample(archive)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def _dialog(window: QMainWindow) -> ExportDialog:
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def _messages(window: QMainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def _export_to(window: QMainWindow, path: Path) -> ExportJob:
    """In the open export dialog, save to `path` and press Export: the job started."""
    dialog = _dialog(window)
    dialog.path.setText(str(path))
    dialog.export_button.click()
    job = window.findChild(ExportJob)
    assert job is not None
    return job


def _progress(window: QMainWindow) -> QProgressDialog:
    [progress] = [p for p in window.findChildren(QProgressDialog) if p.isVisible()]
    return progress


def test_exporting_a_book_runs_on_a_worker_and_reports_success(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    executor = RecordingExecutor()
    start_export(host, archive, [1, 2, 3, 4], "Russia in the Sahel", executor=executor)
    dialog = _dialog(host)
    assert dialog.summary.text() == "4 clippings selected"
    assert dialog.title.text() == "Russia in the Sahel"
    assert dialog.path.text().endswith("russia-in-the-sahel.pdf")
    dialog.path.setText(str(tmp_path / "book.pdf"))
    dialog.group_by.setCurrentIndex(dialog.group_by.findData("region"))
    dialog.paper.setCurrentIndex(dialog.paper.findData("letter"))
    dialog.title.setText("Morning briefing")
    dialog.export_button.click()
    job = host.findChild(ExportJob)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        pass
    outcome = finished.args[0]
    assert outcome.pages == len(PdfReader(tmp_path / "book.pdf").pages)
    assert executor.threads and threading.get_ident() not in executor.threads
    reader = PdfReader(tmp_path / "book.pdf")
    assert "Morning briefing" in " ".join(reader.pages[0].extract_text().split())
    assert round(float(reader.pages[0].mediabox.height)) == 792
    [message] = _messages(host)
    assert message.windowModality() == Qt.WindowModality.NonModal
    assert (
        f"Exported 4 clippings ({outcome.pages} pages) to {tmp_path / 'book.pdf'}" in message.text()
    )
    assert not [p for p in host.findChildren(QProgressDialog) if p.isVisible()]
    message.close()


def test_start_export_returns_before_any_work_and_the_window_stays_usable(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = HeldExecutor()
    start_export(host, archive, [1, 2], "Two", executor=held)
    dialog = _dialog(host)
    # The dialog is modal to its host only while the editor fills it in.
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    dialog.path.setText(str(tmp_path / "two.pdf"))
    dialog.export_button.click()
    assert not dialog.isVisible()
    assert len(held.jobs) == 1 and not (tmp_path / "two.pdf").exists()
    progress = _progress(host)
    assert progress.windowModality() == Qt.WindowModality.NonModal
    assert host.isEnabled()
    held.run_all()
    job = host.findChild(ExportJob)
    qtbot.waitUntil(lambda: bool(_messages(host)))
    assert (tmp_path / "two.pdf").exists()
    assert job is not None


def test_cancel_stops_the_export_and_writes_nothing(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = HeldExecutor()
    existing = tmp_path / "book.pdf"
    existing.write_bytes(b"yesterday's book")
    start_export(host, archive, [1, 2, 3], "T", executor=held)
    job = _export_to(host, existing)
    qtbot.mouseClick(_progress(host).findChild(QPushButton), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        held.run_all()
    assert existing.read_bytes() == b"yesterday's book"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "book.pdf"]
    assert _messages(host) == []
    assert "cancelled" in host.statusBar().currentMessage()


def test_a_failure_is_reported_without_blocking(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = HeldExecutor()
    start_export(host, archive, [1, 999], "T", executor=held)
    job = _export_to(host, tmp_path / "book.pdf")
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        held.run_all()
    assert "no clipping with id 999" in failed.args[0]
    [message] = _messages(host)
    assert message.icon() == QMessageBox.Icon.Warning
    assert message.windowModality() == Qt.WindowModality.NonModal
    assert "no clipping with id 999" in message.text()
    assert not (tmp_path / "book.pdf").exists()
    message.close()


def test_the_book_is_laid_out_in_a_process_of_its_own(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """QTextDocument on a thread of the app deadlocked with the GUI thread (the worker held the
    interpreter lock waiting for Qt's signal-slot mutex, the GUI thread the other way round):
    the app's process never lays out a book, a child does."""

    def laid_out_in_the_app(*args: object, **kwargs: object) -> None:
        raise AssertionError("the book was laid out in the app's process")

    monkeypatch.setattr(pdf, "write_pdf_book", laid_out_in_the_app)
    executor = RecordingExecutor()
    start_export(host, archive, [1, 2], "Two", executor=executor)
    job = _export_to(host, tmp_path / "two.pdf")
    with qtbot.waitSignal(job.finished, timeout=60_000) as finished:
        pass
    assert finished.args[0].pages == len(PdfReader(tmp_path / "two.pdf").pages)
    [message] = _messages(host)
    assert message.text().startswith("Exported 2 clippings")
    message.close()


def test_an_export_process_that_dies_is_reported_and_the_window_goes_on(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    started = export_worker.messages_from_child

    def a_child_that_dies(module: str, *args: object) -> object:
        # `python -m` of a module that is not there: the child exits at once, saying nothing.
        return started("clipper.no_such_module", *args)  # type: ignore[arg-type]

    monkeypatch.setattr(export_worker, "messages_from_child", a_child_that_dies)
    held = HeldExecutor()
    start_export(host, archive, [1, 2], "Two", executor=held)
    job = _export_to(host, tmp_path / "two.pdf")
    with qtbot.waitSignal(job.failed, timeout=30_000) as failed:
        held.run_all()
    assert failed.args[0] == "the export process ended unexpectedly (exit code 1)"
    [message] = _messages(host)
    assert message.icon() == QMessageBox.Icon.Warning
    assert "the export process ended unexpectedly" in message.text()
    assert not (tmp_path / "two.pdf").exists()
    assert not [p for p in host.findChildren(QProgressDialog) if p.isVisible()]
    message.close()


def test_other_formats_from_the_same_dialog(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = HeldExecutor()
    start_export(host, archive, [1, 2, 3], "Russia in the Sahel", executor=held)
    dialog = _dialog(host)
    dialog.path.setText(str(tmp_path / "dossier.pdf"))
    dialog.set_kind("json")
    # The extension follows the format; grouping and paper only mean something for a PDF.
    assert dialog.path.text() == str(tmp_path / "dossier.json")
    assert not dialog.group_by.isEnabled() and not dialog.paper.isEnabled()
    dialog.export_button.click()
    held.run_all()
    qtbot.waitUntil(lambda: bool(_messages(host)))
    assert is_clipper_export(tmp_path / "dossier.json")
    _messages(host)[0].close()

    start_export(host, archive, [1, 2, 3], "Russia in the Sahel", executor=held)
    dialog = [d for d in host.findChildren(ExportDialog) if d.isVisible()][-1]
    dialog.path.setText(str(tmp_path / "dossier.pdf"))
    dialog.set_kind("markdown-folder")
    assert dialog.path.text() == str(tmp_path / "dossier")
    dialog.export_button.click()
    held.run_all()
    qtbot.waitUntil(lambda: (tmp_path / "dossier" / "index.md").exists())
    assert len(list((tmp_path / "dossier").glob("*.md"))) == 4


def test_ctrl_e_in_the_window_opens_this_dialog_for_the_selection(
    qtbot, stories: dict[str, int], window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window.results.select_ids([stories["mali"], stories["eu"]])
    window.export_action.trigger()
    dialog = _dialog(window)
    assert sorted(dialog.clipping_ids) == sorted([stories["mali"], stories["eu"]])
    assert dialog.title.text() == "Library"
    dialog.path.setText(str(tmp_path / "library.pdf"))
    dialog.export_button.click()
    job = window.findChild(ExportJob)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    text = " ".join(PdfReader(tmp_path / "library.pdf").pages[1].extract_text().split())
    assert "Russian delegation received in Bamako" in text
    assert "Niger ends European security missions" in text
    for message in _messages(window):
        message.close()


def test_the_dialog_says_what_it_exports_and_a_dossier_book_carries_its_description(
    qtbot, stories: dict[str, int], window: MainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    view, _changes = archive.create_dossier("Tour", "Bamako, Ouagadougou and Niamey in a week")
    archive.add_to_dossier(view.id, [stories["mali"], stories["burkina"]])
    window.refresh_sidebar()
    window.sidebar.select(NodeKey("dossier", view.id))
    window.results.table.clearSelection()
    window.export_action.trigger()
    dialog = _dialog(window)
    assert dialog.summary.text() == "2 clippings in the list", "nothing is selected"
    assert dialog.description.toPlainText() == "Bamako, Ouagadougou and Niamey in a week"
    dialog.path.setText(str(tmp_path / "tour.pdf"))
    dialog.export_button.click()
    job = window.findChild(ExportJob)
    assert job is not None
    with qtbot.waitSignal(job.finished, timeout=60_000):
        pass
    cover = " ".join(PdfReader(tmp_path / "tour.pdf").pages[0].extract_text().split())
    assert "Bamako, Ouagadougou and Niamey in a week" in cover
    for message in _messages(window):
        message.close()
    window.results.select_ids([stories["mali"]])
    window.export_action.trigger()
    [selected] = [d for d in window.findChildren(ExportDialog) if d.isVisible()]
    assert selected.summary.text() == "1 clipping selected"
    selected.reject()


def test_progress_counts_clippings_in_words_that_say_so(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = HeldExecutor()
    start_export(host, archive, [1, 2, 3], "T", executor=held)
    job = _export_to(host, tmp_path / "book.pdf")
    job._show_progress(2, 3, "laying out pages")
    assert _progress(host).labelText() == "Laying out pages: clipping 2 of 3"
    held.run_all()
    qtbot.waitUntil(lambda: bool(_messages(host)))
    for message in _messages(host):
        message.close()


def test_open_says_so_when_no_viewer_takes_the_file(
    qtbot, host: QMainWindow, archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from clipper.ui import export_dialog

    asked: list[str] = []

    def no_viewer(url) -> bool:  # type: ignore[no-untyped-def]
        asked.append(url.toLocalFile())
        return False

    monkeypatch.setattr(export_dialog, "open_url", no_viewer)
    held = HeldExecutor()
    start_export(host, archive, [1, 2], "Two", executor=held)
    dialog = _dialog(host)
    dialog.path.setText(str(tmp_path / "two.pdf"))
    dialog.export_button.click()
    held.run_all()
    qtbot.waitUntil(lambda: bool(_messages(host)))
    [finished] = _messages(host)
    [open_button] = [b for b in finished.buttons() if b.text() == "Open"]
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert asked == [str(tmp_path / "two.pdf")]
    qtbot.waitUntil(lambda: any("No application" in m.text() for m in _messages(host)))
    [said] = [m for m in _messages(host) if "No application" in m.text()]
    assert "PDF files" in said.text() and str(tmp_path / "two.pdf") in said.text()
    said.close()


def test_dialogs_have_no_minimize_or_maximize_button(
    qtbot, stories: dict[str, int], window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialog

    window.results.select_ids([stories["mali"], stories["burkina"]])
    window.link_action.trigger()
    window.export_action.trigger()
    window.new_dossier_action.trigger()
    dialogs = [d for d in window.findChildren(QDialog) if d.isVisible()]
    assert len(dialogs) >= 3
    for dialog in dialogs:
        flags = dialog.windowFlags()
        assert flags & Qt.WindowType.CustomizeWindowHint, dialog
        assert not flags & Qt.WindowType.WindowMinimizeButtonHint, dialog
        assert not flags & Qt.WindowType.WindowMaximizeButtonHint, dialog
        assert flags & Qt.WindowType.WindowCloseButtonHint, dialog
        dialog.reject()
