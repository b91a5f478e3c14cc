"""Archive text is shown as text, never read as markup: a clipping's title, source, notes, link
notes, tag names, a dossier's name and description and an import's error, each holding an
`<img src=...>`, appear in the window character for character and make it load nothing.

The image named is a FIFO: whatever opens it to read is seen (and let go at once), so a label
that takes the text for rich text cannot pass unnoticed, nor hang the test as `/dev/zero`
would hang the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QToolTip, QWidget

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import ImportOutcome
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import NodeKey
from tests.ui.helpers import click_node

WAIT = 5000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard)$"
)


# Run in a process of its own: a label that opens the FIFO blocks the GUI thread inside Qt
# with the interpreter lock held, so a thread of the test could never answer it.
WATCH_FIFO = """
import errno, os, sys, time
fifo, log = sys.argv[1], sys.argv[2]
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno != errno.ENXIO:  # ENXIO: nobody is reading
            raise
        time.sleep(0.005)
        continue
    with open(log, "a") as out:
        out.write("opened\\n")
    try:
        os.write(fd, b"not an image")
    except OSError:
        pass
    os.close(fd)
"""


class FifoProbe:
    """A FIFO that notes every time something opens it for reading, and lets it go."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_suffix(".log")
        os.mkfifo(path)
        self.log.write_text("")
        self._watcher = subprocess.Popen(
            [sys.executable, "-c", WATCH_FIFO, str(path), str(self.log)]
        )

    @property
    def opened(self) -> int:
        return self.log.read_text().count("opened")

    def stop(self) -> None:
        self._watcher.kill()
        self._watcher.wait(timeout=10)


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[FifoProbe]:
    watching = FifoProbe(tmp_path / "probe.fifo")
    yield watching
    watching.stop()


def markup(probe: FifoProbe, what: str) -> str:
    return f'{what} <img src="{probe.path}"> <b>bold</b>'


def labels_with(root: QWidget, needle: str) -> list[QLabel]:
    return [label for label in root.findChildren(QLabel) if needle in label.text()]


def assert_shown_as_text(root: QWidget, text: str) -> None:
    """Some visible label shows `text` as it is, and every label holding it is plain text."""
    holding = labels_with(root, text)
    assert any(label.isVisible() for label in holding), f"nothing shows {text!r}"
    for label in holding:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or label.text()


def show_every_tooltip(root: QWidget, needle: str) -> list[str]:
    """Show each widget's tooltip that mentions `needle`, as hovering would."""
    shown = []
    for widget in [root, *root.findChildren(QWidget)]:
        tip = widget.toolTip()
        if needle in tip:
            QToolTip.showText(widget.mapToGlobal(QPoint(2, 2)), tip, widget)
            QApplication.processEvents()
            shown.append(tip)
    QToolTip.hideText()
    return shown


def test_archive_markup_is_shown_as_text_and_loads_nothing(
    qtbot, probe: FifoProbe, archive: Archive, make_window
) -> None:
    title = markup(probe, "Title")
    first = archive.add(
        ClippingDraft(
            title=title,
            body="The delegation landed in Niamey.",
            source=markup(probe, "Source"),
            related_refs=[markup(probe, "Promoted headline")],
        ),
        tags=[("topic", markup(probe, "Topic"))],
    ).id
    other_title = markup(probe, "Other title")
    second = archive.add(ClippingDraft(title=other_title, body="Bamako, the same week.")).id
    archive.add_note(first, markup(probe, "A note"))
    archive.link(first, second, markup(probe, "Link note"), "same-event")
    dossier, _ = archive.create_dossier(markup(probe, "Dossier"), markup(probe, "Description"))
    archive.add_to_dossier(dossier.id, [first, second])
    window: MainWindow = make_window()

    window.results.select_ids([first])
    reader = window.reader
    qtbot.waitUntil(lambda: reader.detail is not None and reader.detail.id == first, timeout=WAIT)
    for text in (markup(probe, "Topic"), other_title, markup(probe, "Link note")):
        assert_shown_as_text(reader, text)
    assert any(
        markup(probe, "Promoted headline") in lab.text() for lab in labels_with(reader, "Promoted")
    )
    assert_shown_as_text(reader, labels_with(reader, "Promoted headline")[0].text())
    assert markup(probe, "A note") in [e.toPlainText() for e in reader.note_edits]
    assert title in reader.article.toPlainText()

    click_node(qtbot, window, NodeKey("dossier", dossier.id))
    assert_shown_as_text(window.results, markup(probe, "Dossier"))
    assert_shown_as_text(window.results, markup(probe, "Description"))
    sidebar_tips = [
        window.sidebar.sidebar_model.index_of(NodeKey("dossier", dossier.id)).data(
            Qt.ItemDataRole.ToolTipRole
        )
    ]
    table = window.results.model
    sidebar_tips += [table.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) for row in range(2)]
    for tip in sidebar_tips:
        assert tip and "<img" not in tip, "a tooltip shows markup as text (escaped)"
        QToolTip.showText(window.mapToGlobal(QPoint(10, 10)), tip, window)
        QApplication.processEvents()
    QToolTip.hideText()

    batch = window.importer.start([])
    error = markup(probe, "could not be read:")
    window.importer._on_outcome(
        batch, ImportOutcome(label=markup(probe, "dropped.txt"), ok=False, error=error)
    )
    window.importer._on_reading_finished(batch)
    qtbot.waitUntil(lambda: bool(window.review_panel.entries), timeout=WAIT)
    assert_shown_as_text(window.review_panel, error)
    assert_shown_as_text(
        window.review_panel, labels_with(window.review_panel, "dropped.txt")[0].text()
    )

    shown = show_every_tooltip(window, str(probe.path))
    assert all("<img" not in tip for tip in shown)
    window.grab()  # paint everything once more: images are asked for when painted
    QApplication.processEvents()
    assert probe.opened == 0, "a label or tooltip read archive text as markup and loaded it"
