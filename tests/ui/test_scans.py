"""Scans in the window: a dropped scan is read by OCR and shown beside its text; the editor
corrects the text (one undoable edit) or crops the article out of a two-column page to read
only that; force OCR from Preferences. The scans are made in the test (tests/helpers/scans)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from clipper.core.archive import Archive
from clipper.core.ingest.ocr import tesseract_version
from clipper.ui.crop_dialog import CropDialog
from clipper.ui.main_window import MainWindow
from clipper.ui.preferences import OCR_SETTING, PreferencesDialog
from tests.helpers.archives import add
from tests.helpers.documents import make_pdf
from tests.helpers.scans import (
    ARTICLE,
    COLUMN_LEFT,
    COLUMN_RIGHT,
    HEADLINE,
    character_accuracy,
    dirty,
    encode,
    render_article,
    render_page,
)
from tests.ui.helpers import drop

pytestmark = [
    pytest.mark.skipif(
        tesseract_version() is None,
        reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng "
        "tesseract-ocr-fra)",
    ),
    pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$"),
]
WAIT = 30_000


def seen(widget: QWidget) -> bool:
    """Visible to a person: shown, with a size, in a visible window."""
    return (
        widget.isVisible()
        and widget.width() > 0
        and widget.height() > 0
        and (widget.window().isVisible())
    )


def drop_file(qtbot, window: MainWindow, path: Path) -> int:  # type: ignore[no-untyped-def]
    before = window.archive.count()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop(window.results.table.viewport(), mime)
    qtbot.waitUntil(lambda: window.archive.count() == before + 1, timeout=WAIT)
    new = max(window.archive.list_ids())
    qtbot.waitUntil(lambda: window.results.model.row_of(new) is not None, timeout=WAIT)
    window.results.select_ids([new])
    window.results.selection_changed.emit(window.results.selected_ids())
    return new


def test_a_dropped_scan_is_shown_beside_the_text_and_a_correction_is_undoable(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "cutting.jpg"
    page = dirty(render_article())
    path.write_bytes(encode(page, "JPEG"))

    clipping = drop_file(qtbot, window, path)

    scan = window.reader.scan
    qtbot.waitUntil(lambda: scan.scan is not None, timeout=WAIT)
    assert seen(scan) and seen(scan.image) and seen(window.reader.article)
    # Beside, not below: the scan and the text share the reader's width.
    assert scan.geometry().right() < window.reader.article.geometry().left() + 1
    assert scan.summary.text().startswith("Read by OCR · tesseract ")
    assert "eng+fra" in scan.summary.text() and seen(scan.summary)
    assert (scan.image.image.width(), scan.image.image.height()) == page.size
    assert scan.image.height() >= scan.image.heightForWidth(scan.image.width()) > 100
    text = window.reader.article.toPlainText()
    assert HEADLINE in text and "deputy defence minister" in text
    assert not scan.previous_button.isVisible()  # one page: no page buttons

    body = window.archive.get(clipping).body
    assert character_accuracy(body, " ".join(ARTICLE)) >= 0.95
    qtbot.mouseClick(scan.correct_button, Qt.MouseButton.LeftButton)
    assert seen(scan.editor) and scan.editor.toPlainText() == body
    scan.editor.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClicks(scan.editor, "Corrected by the desk. ")
    qtbot.mouseClick(scan.save_button, Qt.MouseButton.LeftButton)

    assert window.archive.get(clipping).body.startswith("Corrected by the desk. ")
    qtbot.waitUntil(
        lambda: "Corrected by the desk." in window.reader.article.toPlainText(), timeout=WAIT
    )
    assert not scan.editor.isVisible()
    assert window.undo_action.text() == "&Undo Edit details"
    window.undo_action.trigger()
    assert window.archive.get(clipping).body == body
    qtbot.waitUntil(
        lambda: "Corrected by the desk." not in window.reader.article.toPlainText(), timeout=WAIT
    )


def test_cropping_the_article_out_of_a_two_column_page_reads_only_that_region(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "page.png"
    page = render_page([("", COLUMN_LEFT), ("", COLUMN_RIGHT)])
    path.write_bytes(encode(page, "PNG"))
    clipping = drop_file(qtbot, window, path)
    whole = window.archive.get(clipping).body
    assert "Teachers in Zinder" in whole  # the whole page was read at first

    scan = window.reader.scan
    qtbot.waitUntil(lambda: scan.scan is not None, timeout=WAIT)
    qtbot.mouseClick(scan.crop_button, Qt.MouseButton.LeftButton)
    dialog = scan.crop_dialog
    assert isinstance(dialog, CropDialog)
    qtbot.waitExposed(dialog)
    view = dialog.view
    assert seen(view) and not dialog.read_button.isEnabled()
    # Drag over the left half of the page, where the left column's story is.
    shown = view.pixmap().size()
    start, end = QPoint(2, 2), QPoint(shown.width() // 2 - 2, shown.height() - 2)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)
    region = dialog.region()
    assert region is not None and region[2] <= page.width // 2 + 4
    assert dialog.read_button.isEnabled()
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.archive.get(clipping).body != whole, timeout=WAIT)
    cropped = window.archive.get(clipping).body
    assert "Teachers in Zinder" not in cropped
    assert character_accuracy(cropped, " ".join(COLUMN_LEFT)) >= 0.98
    assert seen(scan.status) and "region you chose" in scan.status.text()
    window.undo_action.trigger()
    assert window.archive.get(clipping).body == whole


def drag_over(qtbot, dialog: CropDialog, left: float, right: float) -> None:  # type: ignore[no-untyped-def]
    """Drag across the shown page from `left` to `right` (fractions of its width)."""
    view = dialog.view
    assert seen(view)
    shown = view.pixmap().size()
    start = QPoint(round(shown.width() * left) + 2, 2)
    end = QPoint(round(shown.width() * right) - 2, shown.height() - 2)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)


def test_import_a_scan_crops_the_article_before_it_is_read_and_keeps_the_whole_page(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "front-page.tiff"
    page = dirty(render_page([("", COLUMN_LEFT), ("", COLUMN_RIGHT)]))
    path.write_bytes(encode(page, "TIFF"))
    monkeypatch.setattr(
        "clipper.ui.main_window.QFileDialog.getOpenFileName",
        lambda *args, **kwargs: (str(path), ""),
    )

    window.import_scan_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, CropDialog)
    qtbot.waitExposed(dialog)
    assert dialog.read_button.text() == "Import this region"
    drag_over(qtbot, dialog, 0.5, 1.0)  # the right column's story
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.archive.count() == 1, timeout=WAIT)
    clipping = window.archive.list_ids()[0]
    detail = window.archive.get(clipping)
    assert "Tillaberi" not in detail.body and "Teachers in Zinder" in detail.body
    assert character_accuracy(detail.body, " ".join(COLUMN_RIGHT)) >= 0.95
    left, _top, right, _bottom = detail.extra["ocr"]["crop"]
    assert 0.45 * page.width < left < 0.55 * page.width and right > 0.95 * page.width
    assert window.archive.original(clipping) == path.read_bytes()  # the whole page is kept


def test_a_typed_clipping_shows_no_scan(qtbot, window: MainWindow, archive: Archive) -> None:
    clipping = add(archive, "Typed story", "Niamey. A story typed at the desk, never scanned.")
    window.results.refresh()
    qtbot.waitUntil(lambda: window.results.model.row_of(clipping) is not None, timeout=WAIT)
    window.results.select_ids([clipping])
    window.results.selection_changed.emit(window.results.selected_ids())
    assert seen(window.reader.article)
    assert not window.reader.scan.isVisible()


def test_force_ocr_from_preferences_reads_a_pdf_behind_its_text_layer(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(encode(render_article(), "PDF")))
    wrong = [
        [
            "Nlger: tne jumta tums to Moscovv. Thc rnilitary governrnent of Nigcr reccived",
            "a Russiau delcgation led by tbe deputy defeuce minister on Mouday.",
        ]
    ]
    writer.pages[0].merge_page(PdfReader(io.BytesIO(make_pdf(wrong))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "layered.pdf"
    path.write_bytes(out.getvalue())

    window.preferences_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, PreferencesDialog)
    qtbot.waitExposed(dialog)
    assert seen(dialog.force_ocr_box) and not dialog.force_ocr_box.isChecked()
    qtbot.waitUntil(lambda: dialog.tesseract_label.text().startswith("Tesseract "), timeout=WAIT)
    assert "eng" in dialog.tesseract_label.text() and seen(dialog.tesseract_label)
    dialog.force_ocr_box.click()
    assert window.settings.value(OCR_SETTING) == "force"
    dialog.reject()

    clipping = drop_file(qtbot, window, path)
    detail = window.archive.get(clipping)
    assert "Nigcr" not in detail.body and detail.extra["ocr"]["pages"] == [1]
    assert character_accuracy(detail.body, " ".join(ARTICLE)) >= 0.98
