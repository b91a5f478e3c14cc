"""Decoding drops and pastes into import inputs: a plain function, called directly."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from clipper.ui.clipping_model import ids_to_mime
from clipper.ui.dropdata import decode_mime_data, describe_inputs

ARTICLE_HTML = (
    "<html><body><h1>Niger ends European security missions</h1>"
    + "<p>Niger's military authorities have withdrawn from two agreements with the EU. </p>" * 4
    + "</body></html>"
)


def test_files_and_folders_become_paths(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    file = tmp_path / "one.txt"
    file.write_text("x")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(file)), QUrl.fromLocalFile(str(folder))])
    mime.setText("ignored when there are files")
    items = decode_mime_data(mime)
    assert [i.path for i in items] == [file, folder]
    assert describe_inputs(items) == "2 items"


def test_web_urls_become_url_inputs() -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://www.lemonde.fr/en/le-monde-africa/article/niger.html")])
    items = decode_mime_data(mime)
    assert [i.url for i in items] == [
        "https://www.lemonde.fr/en/le-monde-africa/article/niger.html"
    ]


def test_html_from_a_browser_keeps_its_markup() -> None:
    mime = QMimeData()
    mime.setHtml(ARTICLE_HTML)
    mime.setText("Niger ends European security missions")
    mime.setUrls([QUrl("https://example.org/niger")])
    [item] = decode_mime_data(mime)
    assert item.media_type == "text/html"
    assert item.data is not None and b"<h1>Niger ends" in item.data
    assert "https://example.org/niger" in item.label


def test_a_dragged_link_with_a_bare_html_fragment_is_a_url() -> None:
    mime = QMimeData()
    mime.setHtml('<a href="https://example.org/niger">Niger</a>')
    mime.setUrls([QUrl("https://example.org/niger")])
    [item] = decode_mime_data(mime)
    assert item.url == "https://example.org/niger" and item.data is None


def test_plain_text_is_pasted_text_unless_it_is_urls() -> None:
    mime = QMimeData()
    mime.setText("Mali junta receives Russian delegation\n\nBamako, December 2.")
    [item] = decode_mime_data(mime)
    assert item.text is not None and item.text.startswith("Mali junta")
    assert item.label.startswith("pasted text: Mali junta")
    mime = QMimeData()
    mime.setText("https://example.org/a\nhttps://example.org/b\n")
    assert [i.url for i in decode_mime_data(mime)] == [
        "https://example.org/a",
        "https://example.org/b",
    ]


def test_nothing_to_import() -> None:
    assert decode_mime_data(QMimeData()) == []
    blank = QMimeData()
    blank.setText("   \n ")
    assert decode_mime_data(blank) == []
    assert decode_mime_data(ids_to_mime([1, 2])) == [], "clippings dragged inside the app"
