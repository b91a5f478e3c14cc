"""Contrast as it is drawn: with a dark palette set on the application (and with a light one),
the article, list rows (both shades of them), the sidebar, chips, notes, labels and dialog
labels are painted with a WCAG contrast of at least 4.5 between text and what is behind it.

The window is grabbed as the screen would show it and each widget's pixels are read: the
commonest colour is the background, the colour farthest from it is the text. White on white
measures 1. The palette is the test's own, never the machine's theme.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from clipper.core.archive import Archive
from clipper.ui.app import apply_style
from clipper.ui.main_window import MainWindow
from clipper.ui.theme import contrast
from tests.ui.helpers import on_screen

MIN_CONTRAST = 4.5
WAIT = 5000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)

DARK = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#25272b",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#34363b",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.Highlight: "#3d7bd9",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7fb2ff",
    QPalette.ColorRole.ToolTipBase: "#2b2d31",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#9a9ca1",
}
LIGHT = {
    QPalette.ColorRole.Window: "#efefef",
    QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f7f7f7",
    QPalette.ColorRole.Text: "#000000",
    QPalette.ColorRole.Button: "#efefef",
    QPalette.ColorRole.ButtonText: "#000000",
    QPalette.ColorRole.Highlight: "#308cc6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#0000ff",
    QPalette.ColorRole.ToolTipBase: "#ffffdc",
    QPalette.ColorRole.ToolTipText: "#000000",
    QPalette.ColorRole.PlaceholderText: "#777777",
}


def palette_of(colours: dict[QPalette.ColorRole, str]) -> QPalette:
    palette = QPalette()
    for role, name in colours.items():
        palette.setColor(role, QColor(name))
    return palette


@pytest.fixture(params=["dark", "light"])
def themed(request, qapp) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The application on a dark (or light) palette of the test's own, then as it was."""
    before = QPalette(qapp.palette())
    qapp.setPalette(palette_of(DARK if request.param == "dark" else LIGHT))
    apply_style(qapp)
    yield request.param
    qapp.setPalette(before)
    apply_style(qapp)


def pixels(image: QImage, rect: QRect) -> np.ndarray:
    """The (r, g, b) of every pixel of `rect` in `image`."""
    part = image.copy(rect).convertToFormat(QImage.Format.Format_RGB32)
    data = np.frombuffer(part.constBits(), dtype=np.uint8)
    rows = data.reshape(part.height(), part.bytesPerLine())[:, : part.width() * 4]
    bgra = rows.reshape(part.height(), part.width(), 4)
    return bgra[:, :, [2, 1, 0]].reshape(-1, 3)


def drawn_contrast(image: QImage, rect: QRect) -> float:
    """Contrast between the commonest colour of `rect` and the colour farthest from it."""
    colours, counts = np.unique(pixels(image, rect), axis=0, return_counts=True)
    background = QColor(*[int(c) for c in colours[counts.argmax()]])
    return max(contrast(QColor(*[int(c) for c in colour]), background) for colour in colours)


def rect_in(window: QWidget, widget: QWidget, rect: QRect | None = None) -> QRect:
    area = rect if rect is not None else widget.rect()
    return QRect(widget.mapTo(window, area.topLeft()), area.size())


def test_text_keeps_its_contrast_in_a_dark_and_a_light_theme(
    qtbot, themed: str, stories, archive: Archive, make_window
) -> None:
    mali = stories["mali"]
    archive.add_note(mali, "Ask the Bamako stringer about the flight route")
    archive.link(mali, stories["burkina"], "Yevkurov tour: Bamako and Ouagadougou", "same-event")
    window: MainWindow = make_window()
    window.results.select_ids([mali])
    qtbot.waitUntil(lambda: window.reader.detail is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: on_screen(window.reader.tags.chip("Mali")), timeout=WAIT)  # type: ignore[arg-type]
    window.clipping_commands.link_selected()  # one selected: says so in the status bar
    QApplication.processEvents()
    image = window.grab().toImage()
    checked: dict[str, float] = {}

    def check(name: str, widget: QWidget, rect: QRect | None = None) -> None:
        assert on_screen(widget), name
        checked[name] = drawn_contrast(image, rect_in(window, widget, rect))

    reader = window.reader
    article = reader.article.viewport()
    check("article", article, QRect(0, 0, article.width(), min(article.height(), 160)))
    table = window.results.table
    for row in range(window.results.model.rowCount()):
        cell = table.visualRect(window.results.model.index(row, 1))  # a quiet column
        line = QRect(0, cell.top(), table.viewport().width(), cell.height())
        check(f"list row {row}", table.viewport(), line)
    sidebar = window.sidebar
    library = sidebar.visualRect(sidebar.sidebar_model.index(0, 0))
    check("sidebar", sidebar.viewport(), library)
    check("tag chip", reader.tags.chip("Mali"))  # type: ignore[arg-type]
    [note] = [e for e in reader.note_edits if e.note_id is not None]
    check("note", note)
    labels = [
        label
        for label in window.findChildren(QLabel)
        if on_screen(label) and label.text().strip() and label.width() > 20
    ]
    assert len(labels) >= 6
    for label in labels:
        check(f"label {label.objectName() or label.text()[:30]!r}", label)
    window.results.select_ids([mali, stories["eu"]])
    window.clipping_commands.link_selected()
    dialog = window.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog_image = dialog.grab().toImage()
    for label in dialog.findChildren(QLabel):
        if on_screen(label) and label.text().strip():
            rect = QRect(label.mapTo(dialog, QPoint(0, 0)), label.size())
            checked[f"dialog label {label.text()[:30]!r}"] = drawn_contrast(dialog_image, rect)
    dialog.reject()
    low = {name: round(ratio, 2) for name, ratio in checked.items() if ratio < MIN_CONTRAST}
    assert low == {}, f"{themed} theme: text below {MIN_CONTRAST}:1"


def test_searched_words_are_marked_readably_in_a_dark_and_a_light_theme(themed: str) -> None:
    """The reader's highlighter (issue 13, item 18) stands out from the page, and the text on
    it still reads, on either palette."""
    from clipper.ui.theme import theme_for

    theme = theme_for(QApplication.palette())
    assert contrast(theme.mark_bg, theme.text) >= MIN_CONTRAST, themed
    assert contrast(theme.mark_bg, theme.base) >= 1.3, f"{themed}: the mark hardly shows"
