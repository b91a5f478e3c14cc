"""More of what an editor does: one-click links from suggestions (similar stories and
matched "Read more" headlines), adding to a dossier from the menu, and dropping a web page's
HTML or its address (served from 127.0.0.1)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl

from clipper.core.archive import Archive
from clipper.ui.main_window import MainWindow
from clipper.ui.samples import load_samples
from tests.ui.helpers import drop, on_screen, shows_text

pytest.importorskip("clipper.core.search")

WAIT = 10_000
PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Niger and Russia sign a defence protocol | Example Daily</title></head><body>
<article><h1>Niger and Russia sign a defence protocol</h1>
<p>Niamey, December 4. General Abdourahamane Tiani received the Russian deputy defence
minister, Yunus-bek Yevkurov, and the two governments signed a protocol on military
cooperation whose content was not made public.</p>
<p>The visit followed stops in Bamako and Ouagadougou. Diplomats in Niamey said the
protocol would cover training and equipment for the army, and that Russian instructors
could arrive early next year.</p>
<p>The European Union's two security missions were asked to leave the country the same
week, as the junta turned away from its former Western partners.</p></article></body></html>
"""


@pytest.fixture
def samples(archive: Archive) -> dict[str, int]:
    _changes, ids = load_samples(archive)
    archive.index.catch_up()
    return ids


@pytest.fixture
def page_url() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/niger-russia.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_matched_read_more_headline_is_linked_in_one_click(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    seed = samples["le-monde-niger-russia-2023-12-06.txt"]
    burkina = samples["burkina-russia-alliance-2023-12.txt"]
    window.results.select_ids([seed])
    reader = window.reader
    rows = [
        reader.suggestions_box.itemAt(i).widget() for i in range(reader.suggestions_box.count())
    ]
    rows = [row for row in rows if hasattr(row, "action")]
    matched = [row for row in rows if "Burkina Faso is strengthening" in row.title_label.text()]
    assert matched, "the seed promotes the Burkina piece as 'Read more'"
    desk = reader.splitter.widget(1)
    desk.ensureWidgetVisible(matched[0])  # type: ignore[attr-defined]  # scrolled to, as an editor would
    qtbot.waitUntil(lambda: shows_text(matched[0].title_label), timeout=WAIT)
    assert shows_text(matched[0].note_label) and on_screen(matched[0].action)
    assert "Read more" in matched[0].note_label.text()
    qtbot.mouseClick(matched[0].action, Qt.MouseButton.LeftButton)
    assert burkina in {link.other_id for link in archive.get(seed).links}
    assert any(
        "Burkina Faso is strengthening" in reader.related_box.itemAt(i).widget().title_label.text()
        for i in range(reader.related_box.count())
    )


def test_similar_stories_are_suggested(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    aes = samples["aes-federation-bamako-2023-12-01.txt"]
    window.results.select_ids([aes])
    reader = window.reader
    qtbot.waitUntil(lambda: bool(reader.suggested), timeout=WAIT)
    similar = [cid for cid, _title, why in reader.suggested if why == "similar story"]
    assert similar and aes not in similar
    assert set(similar) <= set(archive.list_ids())


def test_add_to_a_dossier_from_the_menu(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    dossier = archive.dossier("Russia in the Sahel")
    outside = next(cid for cid in archive.list_ids() if cid not in dossier.clipping_ids)
    window.results.select_ids([outside])
    [action] = [
        a for a in window.add_to_dossier_menu.actions() if a.text() == "Russia in the Sahel"
    ]
    action.trigger()
    assert archive.dossier(dossier.id).clipping_ids[-1] == outside


def test_html_dragged_from_a_browser_is_imported(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    mime = QMimeData()
    mime.setHtml(PAGE.decode("utf-8"))
    mime.setText("Niger and Russia sign a defence protocol")
    drop(window, mime)
    qtbot.waitUntil(lambda: archive.count() == 1, timeout=WAIT)
    detail = archive.get(archive.list_ids()[0])
    assert detail.title == "Niger and Russia sign a defence protocol"
    assert "protocol on military" in detail.body


def test_a_dropped_address_is_fetched_and_imported(
    qtbot, window: MainWindow, archive: Archive, page_url: str
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl(page_url)])
    drop(window.results.table.viewport(), mime)
    qtbot.waitUntil(lambda: archive.count() == 1, timeout=WAIT)
    detail = archive.get(archive.list_ids()[0])
    assert detail.title == "Niger and Russia sign a defence protocol"
    assert detail.url == page_url and detail.origin == "url"
