"""The HTML reader: saved pages and dragged `text/html`, through trafilatura, then the cleaner.

Only text leaves this module: scripts, styles, event handlers, `javascript:` links and remote
resources (images, frames, embeds) are pruned from the tree before extraction, and the body is
plain text, so none of them can reach a clipping.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import byline_names, clean_lines
from clipper.core.ingest.compose import Metadata, build_draft
from clipper.core.ingest.decode import normalize_text

log = logging.getLogger(__name__)

# Links that run code: their text is a widget label ("Print", "Share"), not article text.
# (Scripts, styles, frames, embeds and media never reach the text: trafilatura drops those
# elements, and the body is plain text, so attributes such as event handlers cannot survive.)
_SCRIPT_LINKS = (
    "//a[starts-with(translate(normalize-space(@href), 'JAVSCRIPT', 'javscript'), 'javascript:')]"
    "|//button|//select|//textarea|//noscript"
)
_META = {
    "title": ("og:title", "twitter:title", "dc.title", "headline", "sailthru.title"),
    "site": ("og:site_name", "application-name", "publisher", "dc.publisher", "twitter:site"),
    "author": (
        "author",
        "article:author",
        "dc.creator",
        "byl",
        "sailthru.author",
        "parsely-author",
    ),
    "date": (
        "article:published_time",
        "datepublished",
        "date",
        "dc.date",
        "dc.date.issued",
        "pubdate",
        "publishdate",
        "og:published_time",
        "sailthru.date",
        "parsely-pub-date",
        "dcterms.created",
    ),
}
_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author-name') or contains(@class, 'article__author')]"
)
_DOMAIN_SUFFIX = re.compile(r"(?<=\w)\.(?:fr|com|net|org|info|co\.uk|de|es|it|be|ch|ca)$")
_JSON_LD_FIELD = re.compile(
    r'"(datePublished|headline|name)"\s*:\s*"([^"]{1,300})"|"author"\s*:\s*(?:\[\s*)?\{[^{}]*?"name"'
    r'\s*:\s*"([^"]{1,200})"'
)


def _tree(html: bytes | str) -> HtmlElement:
    if isinstance(html, str):
        # lxml refuses str input that declares its own encoding.
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    tree = trafilatura.utils.load_html(html)
    if tree is None:
        raise IngestError("not a readable HTML page")
    return tree


def _prune(tree: HtmlElement) -> None:
    for element in tree.xpath(_SCRIPT_LINKS):
        parent = element.getparent()
        if parent is None:
            continue
        # Keep the text that follows the element (its tail) in the document.
        tail = element.tail
        if tail:
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(element)


def page_metadata(tree: HtmlElement) -> dict[str, str]:
    """Title, site, author and date from meta tags, JSON-LD and the page's own markup."""
    found: dict[str, str] = {}
    metas: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    for field, keys in _META.items():
        for key in keys:
            if metas.get(key):
                found[field] = metas[key]
                break
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        for m in _JSON_LD_FIELD.finditer(script.text or ""):
            if m.group(1) == "datePublished":
                found.setdefault("date", m.group(2))
            elif m.group(1) == "headline":
                found.setdefault("title", m.group(2))
            elif m.group(3):
                found.setdefault("author", m.group(3))
    if "date" not in found:
        times = tree.xpath("//time[@datetime]/@datetime")
        if times:
            found["date"] = str(times[0])
    if "author" not in found:
        for element in tree.xpath(_BYLINE_XPATH)[:3]:
            text = " ".join(element.text_content().split())
            name = byline_names(text) or (text if 1 < len(text.split()) <= 4 else None)
            if name and not any(ch.isdigit() for ch in name):
                found["author"] = name
                break
    if "title" not in found:
        headings = tree.xpath("//h1")
        text = headings[0].text_content().strip() if headings else ""
        if not text:
            titles = tree.xpath("//head/title")
            text = titles[0].text_content().strip() if titles else ""
        if text:
            found["title"] = text
    return found


def _site_name(name: str | None) -> str | None:
    """'Le Monde.fr' -> 'Le Monde': a domain suffix on a name of several words is decoration."""
    if not name:
        return None
    name = name.strip()
    if " " in name:
        name = _DOMAIN_SUFFIX.sub("", name)
    return name or None


def _site_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def extract_html(html: bytes | str, label: str) -> tuple[str, dict[str, str]]:
    """The article text of a page (before cleaning) and the metadata its markup declares."""
    try:
        tree = _tree(html)
    except IngestError as exc:
        raise IngestError(f"{label}: {exc}") from None
    except (etree.ParserError, ValueError) as exc:
        raise IngestError(f"{label}: not a readable HTML page ({exc})") from None
    # Metadata first: trafilatura's extraction changes the tree.
    found = page_metadata(tree)
    _prune(tree)
    # trafilatura's own metadata pass (htmldate, author heuristics) costs about half as much
    # again as the extraction itself; the meta tags and JSON-LD read above carry the same.
    document = trafilatura.bare_extraction(
        tree,
        fast=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        with_metadata=False,
    )
    text = getattr(document, "text", None) if document is not None else None
    if not isinstance(text, str) or not text.strip():
        raise IngestError(f"{label}: no article found in the page")
    return normalize_text(text), found


def read_html(
    html: bytes | str, label: str, url: str | None = None, origin: str = "file"
) -> ClippingDraft:
    """A draft from an HTML page: trafilatura for body and metadata, then the cleaner."""
    text, found = extract_html(html, label)
    cleaned = clean_lines(text, mode="extracted")
    title = normalize_text(found["title"]).strip() if found.get("title") else None
    author = found.get("author")
    if author and (author.startswith(("http://", "https://")) or len(author) > 120):
        author = None
    meta = Metadata(
        title=title or None,
        source=_site_name(found.get("site")) or _site_from_url(url),
        author=author,
        published=_date(found.get("date")),
        url=url,
    )
    return build_draft(cleaned, label, origin, meta)
