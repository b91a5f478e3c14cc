"""Reading a feed: RSS 0.9x/1.0/2.0, Atom and JSON Feed through feedparser, into plain
`FeedEntry`s, at most MAX_ENTRIES_PER_POLL of them, the newest.

feedparser is lenient: a feed with an error in it is read as far as it goes, and what was
wrong is reported beside the entries. It is also slow on big documents (about 8 s for
10,000 RSS items on the development machine), so a well-formed feed with more entries than a
poll takes is cut down first with lxml (a C parser) to its first and last entries, and
feedparser reads only those: a feed may list newest or oldest first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import feedparser
from lxml import etree
from lxml import html as lxml_html

from clipper.core.text import clean_spaces

log = logging.getLogger(__name__)

# What a feed is polled for: the first and last of these per poll (the newest by date).
MAX_ENTRIES_PER_POLL = 100

# The content types a feed is served as; an HTML page is read too, to say it is no feed.
FEED_TYPES = {
    "application/rss+xml": "application/rss+xml",
    "application/x-rss+xml": "application/rss+xml",
    "application/atom+xml": "application/atom+xml",
    "application/rdf+xml": "application/rdf+xml",
    "application/xml": "application/xml",
    "text/xml": "text/xml",
    "application/feed+json": "application/feed+json",
    "application/json": "application/json",
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "text/plain": "text/plain",
}
_ENTRY_TAGS = frozenset({"item", "entry"})
_BLOCKS = ("p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre")


class FeedError(Exception):
    """A document that gives no entries: not a feed, or too broken to read; the message
    says which (without the address: the caller names the feed)."""


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as the inbox needs it."""

    key: str  # a digest of its guid, else its link, else its title and summary
    title: str
    link: str | None
    # The entry's own text (full content when the feed carries it, else the summary), as
    # plain text: what stands in when the page cannot be had.
    summary: str
    published: dt.date | None
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]
    listed: int  # how many entries the document has
    problem: str | None = None  # what was wrong with a feed that could still be read


def entry_key(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def html_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed's summary), a paragraph per block."""
    if "<" not in fragment:
        return clean_spaces(fragment).strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_spaces(re.sub(r"<[^>]*>", " ", fragment)).strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    text = clean_spaces(root.text_content())
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _local_name(tag: object) -> str | None:
    if not isinstance(tag, str):
        return None  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1].lower()


def cut_down(data: bytes, limit: int) -> tuple[bytes, int | None]:
    """The document with only its first and last `limit` entries, and how many it listed;
    the document as it is (and None) when lxml cannot read it (feedparser may still)."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return data, None
    entries = [el for el in root.iter() if _local_name(el.tag) in _ENTRY_TAGS]
    if len(entries) <= 2 * limit:
        return data, len(entries)
    dropped = {id(element) for element in entries[limit:-limit]}
    # Each parent's children are replaced at once: removing them one by one is quadratic.
    for parent in {id(e.getparent()): e.getparent() for e in entries[limit:-limit]}.values():
        if parent is not None:
            parent[:] = [child for child in parent if id(child) not in dropped]
    return etree.tostring(root, xml_declaration=True, encoding="utf-8"), len(entries)


def _entry_date(entry: Any) -> dt.date | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if isinstance(value, time.struct_time):
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC).date()
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    best = ""
    for content in contents:
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    summary = entry.get("summary") or ""
    return html_text(best if len(best) > len(summary) else summary)


def _entry(entry: Any) -> FeedEntry | None:
    link = entry.get("link") or None
    if link and not link.startswith(("http://", "https://")):
        link = None
    title = " ".join(str(entry.get("title") or "").split())
    summary = _entry_text(entry)
    guid = entry.get("id") or None
    if guid:
        identity = f"id:{guid}"
    elif link:
        identity = f"link:{link}"
    elif title or summary:
        identity = f"text:{title}\n{summary[:500]}"
    else:
        return None
    author = " ".join(str(entry.get("author") or "").split()) or None
    return FeedEntry(
        key=entry_key(identity),
        title=title or html_text(summary)[:100] or (link or ""),
        link=link,
        summary=summary,
        published=_entry_date(entry),
        author=author,
    )


def _newest(entries: Sequence[FeedEntry], limit: int) -> list[FeedEntry]:
    """The newest `limit` entries: by date when every entry has one, else the feed's order."""
    if len(entries) <= limit:
        return list(entries)
    if all(e.published for e in entries):
        order = sorted(
            range(len(entries)),
            key=lambda i: (entries[i].published or dt.date.min, -i),
            reverse=True,
        )
        return [entries[i] for i in sorted(order[:limit])]
    return list(entries[:limit])


def _xml_error(exception: object) -> str:
    """What the XML parser said, in its words ("not well-formed (invalid token)")."""
    message = getattr(exception, "getMessage", None)
    return str(message() if callable(message) else exception)


def parse_feed(data: bytes, limit: int = MAX_ENTRIES_PER_POLL) -> ParsedFeed:
    """The feed's title and its newest `limit` entries, or FeedError when it has none to give."""
    document, listed = cut_down(data, limit)
    parsed = feedparser.parse(document)
    raw = list(parsed.get("entries") or [])
    entries = [e for e in (_entry(r) for r in raw) if e is not None]
    broken = (
        bool(parsed.get("bozo"))
        and isinstance(parsed.get("bozo_exception"), Exception)
        and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    )
    error = _xml_error(parsed.get("bozo_exception")) if broken else ""
    if not parsed.get("version") and not entries:
        if broken:
            raise FeedError(f"this is not a feed (the XML is malformed: {error})")
        raise FeedError("this is not an RSS or Atom feed (no feed in the document)")
    if broken and not entries:
        raise FeedError(f"the feed is malformed ({error}) and no entry could be read")
    feed_info = parsed.get("feed") or {}
    title = " ".join(str(feed_info.get("title") or "").split()) or None
    problem = f"the feed is malformed ({error}); read as far as it goes" if broken else None
    return ParsedFeed(
        title=title,
        entries=tuple(_newest(entries, limit)),
        listed=listed if listed is not None else len(raw),
        problem=problem,
    )
