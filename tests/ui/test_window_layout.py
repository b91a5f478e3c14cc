"""The window's room: a first window that fits its screen, a review dock that leaves the
reader its room and keeps the height the editor gives it, notes as tall as their text, and a
frame that lights up while something is dragged in from outside."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from clipper.core.archive import Archive
from clipper.ui.main_window import MainWindow
from tests.ui.helpers import on_screen, shows_text, sync_executors

WAIT = 5000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)

LONG_NOTE = "\n".join(
    f"Line {n}: call the Bamako stringer about the flight route and the protocol's annexes."
    for n in range(1, 16)
)


def test_the_first_window_fits_the_screen_it_opens_on(qtbot, archive: Archive, settings) -> None:
    window = MainWindow(archive, settings, **sync_executors())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    screen = window.screen() or QGuiApplication.primaryScreen()
    free = screen.availableGeometry()
    assert window.width() <= free.width() and window.height() <= free.height()
    assert free.contains(window.geometry().center())
    window.close()


def test_a_note_grows_with_its_text_and_never_scrolls_on_its_own(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    archive.add_note(stories["mali"], LONG_NOTE)
    window.results.select_ids([stories["mali"]])
    [edit] = [e for e in window.reader.note_edits if e.note_id is not None]
    qtbot.waitUntil(lambda: edit.height() > 10 * edit.fontMetrics().lineSpacing(), timeout=WAIT)
    assert not edit.verticalScrollBar().isVisible()
    assert edit.viewport().height() >= edit.document().size().height() - 1
    blank = next(e for e in window.reader.note_edits if e.note_id is None)
    short = blank.height()
    blank.setFocus()
    qtbot.keyClicks(blank, "A note long enough to wrap: " + "the junta, the delegation, " * 12)
    qtbot.waitUntil(lambda: blank.height() > short, timeout=WAIT)
    assert blank.viewport().height() >= blank.document().size().height() - 1


def test_the_review_dock_leaves_the_reader_room_and_keeps_its_height(
    qtbot, stories, make_window
) -> None:
    window = make_window()
    window.results.select_ids([stories["mali"]])
    window.show_review()
    qtbot.waitUntil(window.review_dock.isVisible, timeout=WAIT)
    QApplication.processEvents()
    article = window.reader.article
    assert article.height() >= 12 * article.fontMetrics().lineSpacing()
    window.resizeDocks([window.review_dock], [150], Qt.Orientation.Vertical)
    QApplication.processEvents()
    assert abs(window.review_dock.height() - 150) <= 4
    window.review_dock.hide()
    window.show_review()
    QApplication.processEvents()
    assert abs(window.review_dock.height() - 150) <= 4, "reopened at the editor's height"
    window.close()
    again = make_window()
    again.show_review()
    QApplication.processEvents()
    assert abs(again.review_dock.height() - 150) <= 4, "and after a restart"


def drag_enter(target, mime: QMimeData) -> QDragEnterEvent:  # type: ignore[no-untyped-def]
    event = QDragEnterEvent(
        target.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    return event


def test_dragging_files_over_the_window_lights_it_up(
    qtbot, stories, window: MainWindow, tmp_path
) -> None:
    overlay = window.drop_overlay
    path = tmp_path / "niamey.txt"
    path.write_text("Niamey\n\nThe junta received a delegation.\n")
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(path))])
    for target in (window.results.table.viewport(), window.sidebar.viewport(), window):
        drag_enter(target, files)
        qtbot.waitUntil(lambda: on_screen(overlay), timeout=WAIT)
        assert shows_text(overlay.label, "Drop to import")
        assert overlay.geometry() == window.rect()
        QApplication.sendEvent(target, QDragLeaveEvent())
        qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=WAIT)
    # Clippings dragged inside the window are not imports: nothing lights up.
    model = window.results.model
    inside = model.mimeData([model.index(0, 0)])
    drag_enter(window.results.table.viewport(), inside)
    QApplication.processEvents()
    assert not overlay.isVisible()
    # The frame lets the drop through to what is under it.
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert window.childAt(QPoint(window.width() // 2, window.height() // 2)) is not overlay


def test_a_long_import_summary_ends_in_an_ellipsis_and_the_tooltip_has_it_all(
    qtbot, window: MainWindow
) -> None:
    from clipper.ui.importer import ImportBatch, ImportEntry

    batch = ImportBatch(number=1, reading_finished=True)
    for number in range(12):
        batch.entries.append(
            ImportEntry(
                label=f"/exports/colleague-{number}.json",
                status="merged",
                detail="3 clippings created, 2 notes, 1 link",
            )
        )
    window.progress_line._show_now(batch)
    label = window.progress_line.label
    QApplication.processEvents()
    assert label.text().count("colleague-") == 12
    shown = label.shown_text()
    assert shown.endswith("…") and label.fontMetrics().horizontalAdvance(shown) <= label.width()
    assert "colleague-11.json" in label.toolTip()
