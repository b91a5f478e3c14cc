"""Reading feed documents: RSS, Atom, a malformed one read as far as it goes, a page that is
no feed, and a huge one cut down before feedparser sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from clipper.core.monitor.feeds import FeedError, cut_down, html_text, parse_feed
from tests.helpers.feeds import Entry, atom, rss

WHEN = dt.datetime(2024, 1, 28, 9, 30, tzinfo=dt.UTC)


def test_rss_and_atom_entries() -> None:
    entries = [Entry("Wagner in Niamey", "/a", "g-1", "<p>One.</p><p>Two &amp; three.</p>", WHEN)]
    for document in (
        rss("Wire", entries, "http://127.0.0.1"),
        atom("Wire", entries, "http://127.0.0.1"),
    ):
        parsed = parse_feed(document)
        assert parsed.title == "Wire" and parsed.listed == 1 and parsed.problem is None
        (entry,) = parsed.entries
        assert entry.title == "Wagner in Niamey"
        assert entry.link == "http://127.0.0.1/a"
        assert entry.summary == "One.\n\nTwo & three."
        assert entry.published == dt.date(2024, 1, 28)
    # The identity is the guid: the same entry under a new link is the same entry.
    moved = [Entry("Wagner in Niamey", "/moved", "g-1")]
    assert (
        parse_feed(rss("Wire", moved)).entries[0].key
        == parse_feed(rss("Wire", entries)).entries[0].key
    )


def test_a_malformed_feed_is_read_as_far_as_it_goes() -> None:
    document = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<item><title>Good</title><link>http://x/1</link></item>"
        b"<item><title>Bad & broken</title><link>http://x/2</link></item></channel></rss>"
    )
    parsed = parse_feed(document)
    assert [e.title for e in parsed.entries] == ["Good", "Bad & broken"]
    assert parsed.problem == (
        "the feed is malformed (not well-formed (invalid token)); read as far as it goes"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"<html><body><p>Hello</p></body></html>", "this is not an RSS or Atom feed"),
        (b"this is not xml at all", "this is not a feed (the XML is malformed: syntax error)"),
        (b"<rss><channel><item><title>cut", "no entry could be read"),
    ],
)
def test_documents_that_give_no_entries(document: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_feed(document)


def test_a_huge_feed_is_cut_to_its_first_and_last_entries_before_parsing() -> None:
    entries = [Entry(f"n{n}", f"/{n}", f"g{n}") for n in range(1000)]
    cut, listed = cut_down(rss("Huge", entries), 10)
    assert listed == 1000
    parsed = parse_feed(cut, limit=1000)
    assert [e.title for e in parsed.entries] == [f"n{n}" for n in [*range(10), *range(990, 1000)]]
    # Undated entries: the feed's order; dated ones: the newest, whatever the order.
    assert [e.title for e in parse_feed(rss("Huge", entries), limit=3).entries] == [
        "n0",
        "n1",
        "n2",
    ]
    dated = [Entry(f"n{n}", f"/{n}", published=WHEN + dt.timedelta(days=n)) for n in range(1000)]
    assert [e.title for e in parse_feed(rss("Huge", dated), limit=3).entries] == [
        "n997",
        "n998",
        "n999",
    ]


def test_html_text_keeps_paragraphs() -> None:
    assert html_text("<p>One<br>line</p><ul><li>a</li><li>b</li></ul>") == "One\nline\n\na\n\nb"
    assert html_text("plain words") == "plain words"
