"""The clean article in a QTextBrowser that never loads anything remote and runs no script.

QTextBrowser has no script engine; what it could fetch is whatever `loadResource` returns
for images, style sheets and linked documents, so that is overridden to refuse everything
(and remember what was asked, for the tests). Links are not followed inside the browser:
a click on the original's address hands it to the system browser, and only on that click.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QTextBrowser, QWidget

from clipper.core.views import ClippingDetail
from clipper.ui.theme import Theme, theme_for

log = logging.getLogger(__name__)


def format_published(detail: ClippingDetail) -> str:
    published = detail.published
    if published is None:
        return ""
    if detail.published_precision == "year":
        return str(published.year)
    if detail.published_precision == "month":
        return published.strftime("%B %Y")
    return f"{published.day} {published.strftime('%B %Y')}"


# A text as (text, marked?) runs: the words a search matched, marked (Archive.highlight).
Marks = Callable[[str], Sequence[tuple[str, bool]]]


def article_html(
    detail: ClippingDetail, theme: Theme | None = None, marks: Marks | None = None
) -> str:
    """The article as simple HTML: every piece of archive text is escaped; its colours are
    the theme's (the palette's), so it reads in a dark theme as in a light one. With
    `marks`, the words a search matched in the title, standfirst and body are highlighted."""
    esc = html.escape
    theme = theme or theme_for(QGuiApplication.palette())
    muted, link, error = (theme.css(name) for name in ("muted", "link", "error"))
    marker = f'<span style="background-color:{theme.css("mark_bg")};">'

    def marked(text: str) -> str:
        return runs_html(marks(text) if marks else ((text, False),), marker)

    facts = [
        f"<b>{esc(detail.source)}</b>" if detail.source else "",
        esc(detail.author) if detail.author else "",
        esc(format_published(detail)),
        esc(detail.language.upper()) if detail.language else "",
    ]
    meta = " &nbsp;·&nbsp; ".join(f for f in facts if f)
    parts = [
        f'<p style="margin:0 0 6px 0; font-size:17pt; font-weight:600;">{marked(detail.title)}</p>'
    ]
    if meta:
        below = 4 if detail.url else 14
        parts.append(f'<p style="color:{muted}; margin:0 0 {below}px 0;">{meta}</p>')
    if detail.url:
        parts.append(
            f'<p style="margin:0 0 12px 0;"><a href="{esc(detail.url, quote=True)}" '
            f'style="color:{link};">Original article</a> '
            f'<span style="color:{muted};">({esc(_host(detail.url))})</span></p>'
        )
    if detail.trashed_at is not None:
        parts.append(
            f'<p style="color:{error}; margin:6px 0;">This clipping is in the trash. '
            "Restore it to bring it back to the library.</p>"
        )
    if detail.standfirst:
        parts.append(f'<p style="font-size:12.5pt;"><i>{marked(detail.standfirst)}</i></p>')
    for paragraph in paragraphs(detail.body, marks):
        text = runs_html(paragraph, marker).replace("\n", "<br>")
        parts.append(f'<p style="line-height:145%; margin:0 0 10px 0;">{text}</p>')
    return "\n".join(parts)


def paragraphs(body: str, marks: Marks | None) -> list[list[tuple[str, bool]]]:
    """The body's paragraphs (blank lines apart), each as runs: the body is marked in one
    call (one compiled query), and no marked word spans a blank line."""
    result: list[list[tuple[str, bool]]] = [[]]
    for text, hit in marks(body) if marks else ((body, False),):
        if hit:
            result[-1].append((text, True))
            continue
        first, *others = text.split("\n\n")
        result[-1].append((first, False))
        result.extend([(piece, False)] for piece in others)
    kept = []
    for runs in result:
        if not "".join(t for t, _ in runs).strip():
            continue
        # Space around a paragraph is the text's layout, not its words.
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
        kept.append(runs)
    return kept


def runs_html(runs: Sequence[tuple[str, bool]], marker: str) -> str:
    """Runs of text as escaped HTML, the marked ones inside `marker` (an opening span)."""
    esc = html.escape
    return "".join(f"{marker}{esc(text)}</span>" if hit else esc(text) for text, hit in runs)


def _host(url: str) -> str:
    return QUrl(url).host() or url


class ArticleBrowser(QTextBrowser):
    """Shows one article; refuses every resource and opens links only in the system browser.

    Signals:
        original_requested(QUrl): the editor clicked the link to the original.
    """

    original_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("article")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setAcceptDrops(False)
        self.refused_resources: list[str] = []
        self.anchorClicked.connect(self._on_anchor_clicked)
        self.document().setDocumentMargin(18)

    def loadResource(self, resource_type: int, name: QUrl | str) -> object:
        # Nothing is ever fetched: not remote images, not local files named by the page.
        url = name.toString() if isinstance(name, QUrl) else name
        self.refused_resources.append(url)
        log.debug("refused to load %s", url)
        return None

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            self.original_requested.emit(url)


def open_in_system_browser(url: QUrl) -> None:
    QDesktopServices.openUrl(url)
