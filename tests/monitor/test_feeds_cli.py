"""`clipper feeds`: following RSS and Atom feeds served from 127.0.0.1, polling them into the
inbox (not the library), and every bad case as one clear line while the other feeds poll."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from clipper.core.archive import Archive
from clipper.core.ingest import url as url_module
from clipper.core.paths import resolve_location
from tests.helpers.feeds import Entry, article_page, atom, rss, story
from tests.monitor.conftest import Desk

WAGNER = ("Wagner arrives in Niamey", story("The arrival of Wagner"))
URANIUM = ("Uranium exports halted", story("Uranium exports", "Agadez"))
CORPS = ("Africa Corps lands in Bamako", story("The Africa Corps", "Bamako"))


def serve_pages(web: Any, *pages: tuple[str, list[str]], site: str = "Sahel Wire") -> list[str]:
    """Serve each (title, paragraphs) at /pages/N and return the paths."""
    paths = []
    for number, (title, paragraphs) in enumerate(pages, start=1):
        path = f"/pages/{site.replace(' ', '-').lower()}-{number}"
        web(path, 200, "text/html; charset=utf-8", article_page(title, paragraphs, site=site))
        paths.append(path)
    return paths


def serve_rss(web: Any, path: str, title: str, entries: list[Entry], **validators: str) -> str:
    return web(path, 200, "application/rss+xml", rss(title, entries, web.base), **validators)


def waiting(desk: Desk) -> list[dict[str, Any]]:
    ran = desk.run("inbox", "list", "--json")
    assert ran.code == 0, ran.err
    return json.loads(ran.out)  # type: ignore[no-any-return]


def library_count(desk: Desk) -> int:
    with Archive(resolve_location(desk.home)) as archive:
        return archive.count()


def test_rss_and_atom_entries_arrive_in_the_inbox_not_the_library(desk: Desk, web: Any) -> None:
    wagner, uranium = serve_pages(web, WAGNER, URANIUM)
    (corps,) = serve_pages(web, CORPS, site="Bamako Daily")
    feed = web(
        "/rss",
        200,
        "application/rss+xml",
        rss("Sahel Wire", [Entry(WAGNER[0], wagner, "w-1"), Entry(URANIUM[0], uranium, "w-2")],
            base=web.base),
    )  # fmt: skip
    bamako = atom("Bamako", [Entry(CORPS[0], corps)], web.base)
    other = web("/atom", 200, "application/atom+xml", bamako)
    added = desk.run("feeds", "add", feed, "--tag", "topic:Security", "--tag", "region:Sahel")
    assert added.code == 0, added.err
    assert added.lines[0] == f"following feed #1 Sahel Wire ({feed}), every 30 min"
    assert desk.run("feeds", "add", other, "--every", "10").code == 0

    polled = desk.run("feeds", "poll")
    assert polled.code == 0, polled.err
    assert polled.lines == [
        "feed #1 Sahel Wire: 2 new in the inbox",
        "feed #2 Bamako: 1 new in the inbox",
    ]
    items = waiting(desk)
    assert [i["title"] for i in items] == [WAGNER[0], URANIUM[0], CORPS[0]]
    assert items[0]["url"] == web.base + wagner
    assert items[0]["source"] == "Sahel Wire"
    assert items[0]["published"] == "2024-01-28"
    assert "Niger" in [r["name"] for r in items[0]["regions"]]
    # Waiting is not being in the library: no search, listing or count sees the items.
    assert library_count(desk) == 0
    assert desk.run("search", "Wagner").lines[0] == "0 clipping(s)"

    listed = json.loads(desk.run("feeds", "list", "--json").out)
    assert [(f["name"], f["unread"], f["interval_minutes"]) for f in listed] == [
        ("Sahel Wire", 2, 30),
        ("Bamako", 1, 10),
    ]

    kept = desk.run("inbox", "keep", str(items[0]["id"]))
    assert kept.code == 0, kept.err
    assert kept.lines == [f"kept item #{items[0]['id']} as #1"]
    found = desk.run("search", "Wagner", "--json")
    assert [h["id"] for h in json.loads(found.out)["hits"]] == [1]
    shown = json.loads(desk.run("show", "1", "--json").out)
    tags = {(t["kind"], t["name"]) for t in shown["tags"]}
    # The feed's own tags, and the confident suggestions.
    assert {("topic", "Security"), ("region", "Sahel"), ("region", "Niger")} <= tags
    assert shown["extra"]["feed"] == feed
    assert shown["url"] == web.base + wagner
    assert json.loads(desk.run("feeds", "list", "--json").out)[0]["unread"] == 1


def test_polling_twice_brings_nothing_twice_and_an_unchanged_feed_answers_304(
    desk: Desk, web: Any
) -> None:
    (wagner,) = serve_pages(web, WAGNER)
    entries = [Entry(WAGNER[0], wagner, "w-1")]
    feed = web("/rss", 200, "application/rss+xml", rss("Wire", entries, web.base), etag='"v1"')
    plain = web("/plain", 200, "application/rss+xml", rss("Plain", entries, web.base))
    desk.run("feeds", "add", feed)
    desk.run("feeds", "add", plain)
    first = desk.run("feeds", "poll", "--all")
    assert first.lines == [
        "feed #1 Wire: 1 new in the inbox",
        "feed #2 Plain: 0 new in the inbox, 1 already in the inbox",
        f"  {WAGNER[0]!r} is already in the inbox as item #1",
    ]
    second = desk.run("feeds", "poll", "--all")
    assert second.code == 0, second.err
    assert second.lines == [
        "feed #1 Wire: not modified since the last poll",
        "feed #2 Plain: 0 new in the inbox",
    ]
    conditional = [h for p, h in web.requests if p == "/rss"]
    assert "If-None-Match" not in conditional[1] and conditional[-1]["If-None-Match"] == '"v1"'
    # The page was fetched once, whatever the polls and feeds.
    assert web.paths().count(wagner) == 1
    assert len(waiting(desk)) == 1
    # A feed is due again only after its interval.
    assert desk.run("feeds", "poll").lines == ["no feed is due (--all polls them anyway)"]


def test_a_skipped_entry_never_comes_back(desk: Desk, web: Any) -> None:
    (wagner,) = serve_pages(web, WAGNER)
    feed = serve_rss(web, "/rss", "Wire", [Entry(WAGNER[0], wagner)])
    desk.run("feeds", "add", feed)
    desk.run("feeds", "poll")
    assert desk.run("inbox", "skip", "1").lines == ["skipped item #1"]
    assert desk.run("feeds", "poll", "--all").lines == ["feed #1 Wire: 0 new in the inbox"]
    assert waiting(desk) == []
    skipped = json.loads(desk.run("inbox", "list", "--state", "skipped", "--json").out)
    assert [i["title"] for i in skipped] == [WAGNER[0]]
    again = desk.run("inbox", "keep", "1")
    assert again.code == 1
    assert again.err == "error: inbox item #1 is skipped, not waiting\n"


BAD_FEEDS = {
    "malformed": (200, "application/rss+xml", b"<rss><channel><item><title>cut off", 0.0,
                  "the feed is malformed (no element found) and no entry could be read"),
    "not a feed": (200, "text/html", b"<html><body><p>Our newsletter</p></body></html>", 0.0,
                   "this is not an RSS or Atom feed (no feed in the document)"),
    "404": (404, "text/html", b"<html>gone</html>", 0.0, "the server answered 404 Not Found"),
    "timeout": (200, "application/rss+xml", rss("Slow", []), 3.0,
                "no answer within 0.5 s (timed out)"),
    "an image": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 0.0,
                 "the address serves an image (image/png)"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FEEDS))
def test_a_bad_feed_is_one_clear_line_and_the_other_feeds_still_poll(
    desk: Desk, web: Any, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(url_module, "FETCH_TIMEOUT_S", 0.5)
    status, media_type, body, delay, reason = BAD_FEEDS[case]
    (wagner,) = serve_pages(web, WAGNER)
    good = serve_rss(web, "/good", "Good", [Entry(WAGNER[0], wagner)])
    bad = web("/bad", status, media_type, body, delay)
    assert desk.run("feeds", "add", bad, "--name", "Bad", "--no-check").code == 0
    assert desk.run("feeds", "add", good).code == 0

    polled = desk.run("feeds", "poll")
    assert polled.code == 1
    assert polled.lines == ["feed #2 Good: 1 new in the inbox"]
    assert polled.err.startswith(f"error: feed #1 Bad: {bad}: {reason} (tried again in ")
    assert len(polled.err.splitlines()) == 1
    assert "Traceback" not in polled.err
    assert [i["title"] for i in waiting(desk)] == [WAGNER[0]]
    # The failing feed backs off: it is not due again at once, and says why it fails.
    listed = json.loads(desk.run("feeds", "list", "--json").out)
    assert listed[0]["failures"] == 1 and reason in listed[0]["last_error"]
    assert desk.run("feeds", "poll").lines == ["no feed is due (--all polls them anyway)"]


def test_adding_checks_the_address_is_a_feed(desk: Desk, web: Any) -> None:
    page = web("/page", 200, "text/html", b"<html><body><p>A page, not a feed</p></body></html>")
    refused = desk.run("feeds", "add", page)
    assert refused.code == 2
    assert refused.err == (
        f"clipper: {page}: this is not an RSS or Atom feed (no feed in the document)\n"
    )
    assert desk.run("feeds", "add", "ftp://example.org/feed").err == (
        "clipper: ftp://example.org/feed: a feed is an http or https address\n"
    )
    feed = web("/rss", 200, "application/rss+xml", rss("Wire", []))
    assert desk.run("feeds", "add", feed).code == 0
    again = desk.run("feeds", "add", feed)
    assert (again.code, again.err) == (2, f"clipper: {feed} is already followed as feed #1\n")
    assert desk.run("feeds", "remove", "7").err == "clipper: no feed with id 7\n"
    assert desk.run("feeds", "remove", "1").lines == ["no longer following feed #1 Wire"]
    assert json.loads(desk.run("feeds", "list", "--json").out) == []


def test_an_entry_whose_page_is_gone_arrives_with_the_feeds_own_text(desk: Desk, web: Any) -> None:
    web("/pages/gone", 404, "text/html", b"<html>not here</html>")
    summary = "<p>Wagner mercenaries arrived in Niamey on Sunday, officials said.</p>"
    nothing = Entry("An entry with no text", "/pages/also-gone", "x-2")
    feed = web(
        "/rss",
        200,
        "application/rss+xml",
        rss("Wire", [Entry(WAGNER[0], "/pages/gone", "x-1", summary=summary), nothing], web.base),
    )
    desk.run("feeds", "add", feed)
    polled = desk.run("feeds", "poll")
    gone = f"{web.base}/pages/gone: the server answered 404 Not Found"
    assert polled.code == 1
    assert polled.lines == [
        "feed #1 Wire: 1 new in the inbox, 1 failed",
        f"  {WAGNER[0]!r}: the page could not be read ({gone}); the feed's own text stands in",
    ]
    also_gone = f"{web.base}/pages/also-gone: the server answered 404 Not Found"
    assert polled.err == (
        f"error: feed #1 Wire: 'An entry with no text': the page could not be read ({also_gone});"
        " the feed's own text stands in, and the feed gives no text for it"
        " (tried again at the next poll)\n"
    )
    (item,) = waiting(desk)
    shown = json.loads(desk.run("inbox", "show", str(item["id"]), "--json").out)
    assert shown["body"] == "Wagner mercenaries arrived in Niamey on Sunday, officials said."
    assert shown["title"] == WAGNER[0]
    # The entry that failed is tried again, and given up after three polls in all.
    second = desk.run("feeds", "poll", "--all")
    assert second.err.endswith("(tried again at the next poll)\n")
    third = desk.run("feeds", "poll", "--all")
    assert third.code == 1 and not third.err.endswith("(tried again at the next poll)\n")
    fourth = desk.run("feeds", "poll", "--all")
    assert (fourth.code, fourth.err, fourth.lines) == (0, "", ["feed #1 Wire: 0 new in the inbox"])
    assert web.paths().count("/pages/also-gone") == 3


def test_an_entry_already_in_the_archive_is_said_so_and_does_not_wait(desk: Desk, web: Any) -> None:
    wagner, uranium = serve_pages(web, WAGNER, URANIUM)
    # The same uranium story at a second address (an outlet's mirror).
    web("/mirror/uranium", 200, "text/html", article_page(*URANIUM, site="Mirror"))
    assert desk.run("import", web.base + wagner).lines == [f"imported {web.base}{wagner} as #1"]
    assert desk.run("import", web.base + uranium).code == 0
    entries = [Entry(WAGNER[0], wagner), Entry(URANIUM[0], "/mirror/uranium")]
    feed = web("/rss", 200, "application/rss+xml", rss("Wire", entries, web.base))
    desk.run("feeds", "add", feed)
    polled = desk.run("feeds", "poll")
    assert polled.code == 0, polled.err
    assert polled.lines == [
        "feed #1 Wire: 0 new in the inbox, 2 already in the archive",
        f"  {WAGNER[0]!r} is already in the archive as #1",
        f"  {URANIUM[0]!r} is already in the archive as #2",
    ]
    # Known by its address, the first page is not even fetched again.
    assert web.paths().count(wagner) == 1
    assert waiting(desk) == []
    known = json.loads(desk.run("inbox", "list", "--state", "known", "--json").out)
    assert [(i["title"], i["duplicate_of"]) for i in known] == [(WAGNER[0], 1), (URANIUM[0], 2)]


def test_a_rule_decides_what_waits_and_the_rest_is_dropped_and_counted(
    desk: Desk, web: Any
) -> None:
    libya = ("Wagner fighters stay in Libya", story("Wagner fighters", "Benghazi"))
    pages = serve_pages(web, WAGNER, CORPS, libya, URANIUM)
    stories = (WAGNER, CORPS, libya, URANIUM)
    entries = [Entry(title, path) for (title, _p), path in zip(stories, pages, strict=True)]
    feed = web("/rss", 200, "application/rss+xml", rss("Wire", entries, web.base))
    rule = 'region:Sahel AND (Wagner OR "Africa Corps")'
    added = desk.run("feeds", "add", feed, "--rule", rule)
    assert added.lines[1] == f"  rule: {rule}"
    polled = desk.run("feeds", "poll")
    assert polled.lines == ["feed #1 Wire: 2 new in the inbox, 2 dropped by its rule"]
    # region:Sahel takes in Niger and Mali, as a search does.
    assert [i["title"] for i in waiting(desk)] == [WAGNER[0], CORPS[0]]
    dropped = json.loads(desk.run("inbox", "list", "--state", "dropped", "--json").out)
    assert [i["title"] for i in dropped] == [libya[0], URANIUM[0]]
    assert json.loads(desk.run("feeds", "list", "--json").out)[0]["dropped"] == 2
    assert desk.run("feeds", "poll", "--all").lines == ["feed #1 Wire: 0 new in the inbox"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("(Wagner OR", "the rule is not a valid query: "),
        ("region:Sahle AND Wagner", "the rule is not a valid query: the rule names region:Sahle"),
    ],
)
def test_a_malformed_rule_is_refused_when_the_feed_is_added(
    desk: Desk, web: Any, rule: str, message: str
) -> None:
    feed = web("/rss", 200, "application/rss+xml", rss("Wire", []))
    refused = desk.run("feeds", "add", feed, "--rule", rule)
    assert refused.code == 2
    assert refused.err.startswith(f"clipper: {message}")
    assert len(refused.err.splitlines()) == 1
    assert json.loads(desk.run("feeds", "list", "--json").out) == []


def test_a_huge_feed_is_read_in_bounded_pieces(desk: Desk, web: Any) -> None:
    """10,000 entries, oldest first: a poll reads the newest 100 and says so."""
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    entries = [
        Entry(f"Bulletin number {n}", guid=f"b-{n}", summary=f"<p>Bulletin {n} of the wire.</p>",
              published=start + dt.timedelta(hours=n))
        for n in range(10_000)
    ]  # fmt: skip
    feed = web("/huge", 200, "application/rss+xml", rss("Huge", entries))
    desk.run("feeds", "add", feed)
    polled = desk.run("feeds", "poll")
    assert polled.code == 0, polled.err
    assert polled.lines == [
        "feed #1 Huge: 100 new in the inbox",
        "  warning: the feed lists 10,000 entries; a poll reads the newest 100 of them",
    ]
    titles = {i["title"] for i in waiting(desk)}
    assert titles == {f"Bulletin number {n}" for n in range(9_900, 10_000)}
    again = desk.run("feeds", "poll", "--all")
    assert again.lines[0] == "feed #1 Huge: 0 new in the inbox"


def test_poll_json_has_one_object_per_feed(desk: Desk, web: Any) -> None:
    (wagner,) = serve_pages(web, WAGNER)
    feed = serve_rss(web, "/rss", "Wire", [Entry(WAGNER[0], wagner)])
    bad = web("/bad", 500, "text/plain", b"oops")
    desk.run("feeds", "add", feed)
    desk.run("feeds", "add", bad, "--no-check")
    polled = desk.run("feeds", "poll", "--json")
    assert polled.code == 1
    first, second = (json.loads(line) for line in polled.lines)
    assert (first["name"], first["ok"], first["arrived"]) == ("Wire", True, [1])
    assert second["ok"] is False
    assert second["error"] == f"{bad}: the server answered 500 Internal Server Error"
