"""The HTML reader: saved pages and dragged `text/html`, through trafilatura with its
fallbacks and its metadata (htmldate for the date, in page_dates), then the cleaner.

Only text leaves this module: trafilatura drops scripts, styles, frames, embeds and media, and
the body is plain text, so none of them and no attribute (event handlers) can reach a clipping.
Before extraction, links that run code go when their text is a widget's label ("Share",
"Print"); inside a sentence their words stay. `<noscript>` blocks stay for trafilatura to
judge (a Blogger post can live in one); the cleaner drops "enable JavaScript" notes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import byline_names, clean_lines, is_widget_label
from clipper.core.ingest.compose import Metadata, build_draft
from clipper.core.ingest.decode import normalize_text
from clipper.core.ingest.metadata import (
    PageInfo,
    choose_author,
    choose_source,
    choose_title,
    page_info,
)
from clipper.core.ingest.page_dates import published_date

log = logging.getLogger(__name__)

_SCRIPT_LINKS = (
    "//a[starts-with(translate(normalize-space(@href), 'JAVSCRIPT', 'javscript'), 'javascript:')]"
)
_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author-name') or contains(@class, 'article__author')]"
)
_BYLINE_TEXT_XPATH = (
    "//*[self::p or self::div or self::span][string-length(normalize-space(.)) < 120]"
    "[starts-with(normalize-space(.), 'By ') or starts-with(normalize-space(.), 'Par ')]"
)
# Dates before this are placeholders ("0001-01-01", "1970-01-01"), not publication dates.
EARLIEST_DATE = dt.date(1990, 1, 1)


def _tree(html: bytes | str) -> HtmlElement:
    if isinstance(html, str):
        # lxml refuses str input that declares its own encoding.
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    tree = trafilatura.utils.load_html(html)
    if tree is None:
        raise IngestError("not a readable HTML page")
    return tree


def _remove_keeping_tail(element: HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _prune(tree: HtmlElement) -> None:
    """Widget labels on code-running links out of the tree."""
    for link in tree.xpath(_SCRIPT_LINKS):
        if is_widget_label(" ".join(link.text_content().split())):
            _remove_keeping_tail(link)
        else:
            link.drop_tag()  # its words belong to the sentence around it


def _trafilatura_metadata(tree: HtmlElement) -> dict[str, str | None]:
    """Title, authors and canonical address as trafilatura's `extract_metadata` reads them
    (meta tags, then JSON-LD, then the page's markup), without the categories, tags and
    licence it also looks for and a clipping has no use for."""
    from trafilatura import metadata as traf_meta

    try:
        document = traf_meta.examine_meta(tree)
        if document.author and " " not in document.author:
            document.author = (
                None  # a one-word meta author is a site's login, as trafilatura has it
            )
        try:
            document = traf_meta.extract_meta_json(tree, document)
        except Exception as exc:  # trafilatura's own JSON-LD bugs, as it guards them itself
            log.debug("trafilatura JSON-LD metadata failed: %s", exc)
        title = document.title or traf_meta.extract_title(tree)
        author = document.author or traf_meta.extract_author(tree)
        url = document.url or traf_meta.extract_url(tree)
    except (ValueError, TypeError, KeyError, IndexError, RecursionError, etree.LxmlError) as exc:
        log.debug("trafilatura metadata failed: %s", exc)
        return {}
    return {"title": title, "author": author, "url": url}


def _byline_fallback(tree: HtmlElement) -> str | None:
    """A byline element's names, for pages whose metadata names no author; else the names of
    an element that reads as a byline ("By Ousmane Diallo | Niamey | 5 December 2023"), as a
    fragment copied from a page has it without classes."""
    for element in tree.xpath(_BYLINE_XPATH)[:3]:
        text = " ".join(element.text_content().split())
        name = byline_names(text) or (text if 1 < len(text.split()) <= 4 else None)
        if name and not any(ch.isdigit() for ch in name):
            return name
    for element in tree.xpath(_BYLINE_TEXT_XPATH)[:5]:
        name = byline_names(" ".join(element.text_content().split()))
        if name and not any(ch.isdigit() for ch in name):
            return name
    return None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        date = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    if date < EARLIEST_DATE or date > dt.date.today():
        return None
    return date


def extract_html(
    html: bytes | str, label: str, url: str | None = None
) -> tuple[str, dict[str, Any]]:
    """The article text of a page (before cleaning) and its metadata: title, author, date,
    site (keys missing when the page does not say)."""
    try:
        tree = _tree(html)
    except IngestError as exc:
        raise IngestError(f"{label}: {exc}") from None
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"{label}: not a readable HTML page ({exc})") from None
    info = page_info(tree)
    if info.host is None and url:
        info.host = urlsplit(url).hostname
    # Metadata first: pruning and extraction change the tree.
    traf_meta = _trafilatura_metadata(tree)
    found = _metadata(traf_meta, info, tree)
    date = _date(published_date(tree, url or traf_meta.get("url")))
    if date is not None:
        found["date"] = date
    _prune(tree)
    # Paragraph text the page holds, measured before extraction changes the tree.
    paragraphs = _paragraph_chars(tree)
    text = _extract(tree, label, fast=True)
    if not _looks_complete(text, paragraphs):
        # trafilatura's own pass came back short of the page's paragraphs (it cut a long
        # essay, or found nothing): its fallbacks (readability, jusText) judge the page
        # again, on a fresh tree. Most pages never need them, and they double the cost.
        again = _tree(html)
        _prune(again)
        fuller = _extract(again, label, fast=False)
        if fuller and len(fuller) > len(text or ""):
            text = fuller
    if not text or not text.strip():
        raise IngestError(f"{label}: no article found in the page")
    return normalize_text(text), found


# A first pass that keeps this share of the page's paragraph text is taken as it is. On the
# 970 development pages (peer-eval) a first pass between half and 0.7 of the paragraphs sent
# 86 pages to the fallbacks, which made 2 of them longer and left body F1 unchanged (0.938;
# Scrapinghub 0.971): half keeps 35 of the 37 pages the fallbacks lengthen, at two thirds of
# their cost.
_COMPLETE_SHARE = 0.5
# Below this many characters a result is checked whatever the page holds.
_SHORT_TEXT = 1000


def _paragraph_chars(tree: HtmlElement) -> int:
    return sum(len(" ".join(p.text_content().split())) for p in tree.iter("p"))


def _looks_complete(text: str | None, paragraph_chars: int) -> bool:
    if not text:
        return False
    length = len(text)
    return length >= _SHORT_TEXT and length >= _COMPLETE_SHARE * paragraph_chars


def _extract(tree: HtmlElement, label: str, fast: bool) -> str | None:
    try:
        document = trafilatura.bare_extraction(
            tree,
            fast=fast,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    except (ValueError, TypeError, RecursionError, etree.LxmlError) as exc:
        log.warning("%s: trafilatura failed: %s", label, exc)
        return None
    text = getattr(document, "text", None) if document is not None else None
    return text if isinstance(text, str) else None


def _metadata(
    traf_meta: dict[str, str | None], info: PageInfo, tree: HtmlElement
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    title = choose_title(traf_meta.get("title"), info)
    if title:
        found["title"] = normalize_text(title).strip()
    author = choose_author(traf_meta.get("author"), info)
    if author is None:
        author = choose_author(_byline_fallback(tree), info)
    if author:
        found["author"] = author
    source = choose_source(info)
    if source:
        found["site"] = source
    return found


def read_html(
    html: bytes | str, label: str, url: str | None = None, origin: str = "file"
) -> ClippingDraft:
    """A draft from an HTML page: trafilatura for body and metadata, then the cleaner."""
    text, found = extract_html(html, label, url)
    cleaned = clean_lines(text, mode="extracted")
    meta = Metadata(
        title=found.get("title"),
        source=found.get("site"),
        author=found.get("author"),
        published=found.get("date"),
        url=url,
    )
    return build_draft(cleaned, label, origin, meta)
