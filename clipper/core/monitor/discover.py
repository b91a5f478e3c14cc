"""Is this address a feed, or a page that links one? What a window asks when an editor drops
or pastes a web address: a feed is offered for following, a page that names its feed
(`<link rel="alternate" type="application/rss+xml" href=...>`) offers that feed, anything
else is imported as a page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from clipper.core.ingest import IngestError
from clipper.core.ingest.url import fetch
from clipper.core.monitor.feeds import FEED_TYPES, FeedError, parse_feed

# The link types that name a page's feed.
_FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml"}
)


@dataclass(frozen=True)
class FeedOffer:
    """A feed to offer: its address, its title if it says one, and the page that linked it."""

    url: str
    title: str | None
    page_url: str | None = None


def is_web_address(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text.strip()


def linked_feeds(page: bytes, base: str) -> list[tuple[str, str | None]]:
    """The feeds an HTML page names in its head, in order: (absolute address, title)."""
    try:
        document = lxml_html.fromstring(page)
    except (etree.ParserError, ValueError):
        return []
    found: list[tuple[str, str | None]] = []
    for link in document.iter("link"):
        rel = {r.lower() for r in str(link.get("rel") or "").split()}
        kind = str(link.get("type") or "").split(";")[0].strip().lower()
        href = str(link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_LINK_TYPES and href:
            address = urljoin(base, href)
            if address not in [a for a, _ in found]:
                found.append((address, (link.get("title") or "").strip() or None))
    return found


def discover_feed(url: str) -> FeedOffer | None:
    """The feed `url` is or links to, or None (not a feed, no feed linked, not reachable:
    the address is then imported as a page, which says why it could not be read)."""
    try:
        fetched = fetch(url, accept=FEED_TYPES)
    except IngestError:
        return None
    if fetched.media_type != "text/html":
        try:
            return FeedOffer(fetched.url, parse_feed(fetched.data, limit=1).title)
        except FeedError:
            return None
    links = linked_feeds(fetched.data, fetched.url)
    if not links:
        return None
    address, title = links[0]
    return FeedOffer(address, title, page_url=fetched.url)
