"""Feeds and article pages for the monitoring tests, written here so that every test says
what its server serves: RSS 2.0 and Atom documents, and pages the HTML reader reads as
articles."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One feed entry: `link` is a path on the test server or a full address."""

    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    published: dt.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _rfc822(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def rss(title: str, entries: Sequence[Entry], base: str = "") -> bytes:
    """An RSS 2.0 document."""
    items = []
    for e in entries:
        parts = [f"<title>{html.escape(e.title)}</title>"]
        if e.link:
            parts.append(f"<link>{html.escape(base + e.link)}</link>")
        if e.guid:
            parts.append(f'<guid isPermaLink="false">{html.escape(e.guid)}</guid>')
        if e.summary:
            parts.append(f"<description>{html.escape(e.summary)}</description>")
        if e.published:
            parts.append(f"<pubDate>{_rfc822(e.published)}</pubDate>")
        items.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{html.escape(base or 'http://example.org')}"
        "</link><description>test feed</description>" + "".join(items) + "</channel></rss>"
    ).encode("utf-8")


def atom(title: str, entries: Sequence[Entry], base: str = "") -> bytes:
    """An Atom 1.0 document."""
    items = []
    for n, e in enumerate(entries):
        when = (e.published or dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        parts = [
            f"<title>{html.escape(e.title)}</title>",
            f"<id>{html.escape(e.guid or f'urn:test:{n}')}</id>",
            f"<updated>{when}</updated>",
        ]
        if e.link:
            parts.append(f'<link rel="alternate" href="{html.escape(base + e.link)}"/>')
        if e.summary:
            parts.append(f'<summary type="html">{html.escape(e.summary)}</summary>')
        items.append("<entry>" + "".join(parts) + "</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:test:feed</id>"
        "<updated>2024-01-01T00:00:00Z</updated>" + "".join(items) + "</feed>"
    ).encode("utf-8")


def article_page(
    title: str,
    paragraphs: Sequence[str],
    site: str = "Sahel Wire",
    published: str = "2024-01-28",
) -> bytes:
    """A news page with its chrome, that the HTML reader reads as an article."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{html.escape(site)}">
<meta property="article:published_time" content="{published}T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/africa">Africa</a> <a href="/world">World</a></nav>
<article><h1>{html.escape(title)}</h1>{body}</article>
<footer>Copyright {site}. All rights reserved.</footer>
</body></html>""".encode()


def story(subject: str, place: str = "Niamey", words: str = "") -> list[str]:
    """Three paragraphs of a wire story about `subject` (each story its own text)."""
    return [
        f"{place.upper()}, Jan 28 - {subject} dominated the day in {place}, where officials "
        f"met for hours to discuss the consequences for the region and its neighbours. {words}",
        f"Diplomats said the talks on {subject.lower()} would continue next week, while "
        "observers warned that the situation remained fragile across the Sahel.",
        f"The government in {place} did not comment on {subject.lower()} by the evening, and "
        "the opposition called for calm in a statement read on the radio.",
    ]
