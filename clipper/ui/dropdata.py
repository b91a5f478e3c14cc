"""What a drop or a paste brings in, as import inputs: a plain function tests call directly.

Files and folders (file URLs) come first; then web URLs; then HTML dragged from a browser
(`text/html`, kept as bytes so the HTML reader sees the markup); then plain text, which is
a URL when it is exactly one, and pasted text otherwise. Clippings dragged inside the app
are not imports.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from clipper.core.ingest import InputItem
from clipper.ui.clipping_model import CLIPPING_IDS_MIME

WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# A browser adds a `text/html` fragment even when only a link is dragged; it is an article
# selection only if it has this much text beyond the link itself.
MIN_HTML_TEXT = 200


def _html_text_length(html: str) -> int:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    return len(" ".join(text.split()))


def _label_for_text(text: str) -> str:
    first = " ".join(text.strip().split())[:60]
    return f"pasted text: {first}…" if len(first) == 60 else f"pasted text: {first}"


def decode_mime_data(mime: QMimeData) -> list[InputItem]:
    """The import inputs a dropped or pasted QMimeData stands for (empty: nothing to import)."""
    if mime.hasFormat(CLIPPING_IDS_MIME):
        return []
    items: list[InputItem] = []
    web_urls: list[str] = []
    if mime.hasUrls():
        for url in mime.urls():
            if url.isLocalFile():
                path = Path(url.toLocalFile())
                items.append(InputItem(label=str(path), path=path))
            elif url.scheme() in ("http", "https"):
                web_urls.append(url.toString(QUrl.ComponentFormattingOption.FullyEncoded))
    if items:
        return items
    if mime.hasHtml():
        html = mime.html()
        if _html_text_length(html) >= MIN_HTML_TEXT:
            label = f"dropped page: {web_urls[0]}" if web_urls else "dropped HTML"
            return [
                InputItem(
                    label=label,
                    data=html.encode("utf-8"),
                    media_type="text/html",
                    url=None,
                )
            ]
    if web_urls:
        return [InputItem(label=url, url=url) for url in web_urls]
    if mime.hasText():
        text = mime.text()
        stripped = text.strip()
        if not stripped:
            return []
        lines = stripped.splitlines()
        if all(WEB_URL.match(line.strip()) for line in lines if line.strip()):
            return [
                InputItem(label=line.strip(), url=line.strip()) for line in lines if line.strip()
            ]
        return [InputItem(label=_label_for_text(text), text=text)]
    return []


def describe_inputs(items: list[InputItem]) -> str:
    """A short phrase for the status line: '3 files', 'a web page', 'pasted text'."""
    if not items:
        return "nothing to import"
    if len(items) == 1:
        item = items[0]
        if item.path is not None:
            return Path(item.path).name
        if item.url is not None:
            return item.url
        return "the dropped text" if item.text is not None else "the dropped page"
    return f"{len(items)} items"
