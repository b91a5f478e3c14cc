"""`Monitor`, the API the window will use (through `Archive`, never SQL): polling with
progress and cancel, unread counts per feed, keep and skip returning what changed, saved
searches with their new counts and `mark_opened`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.core.store.inbox import Arrival
from tests.helpers.archives import add
from tests.helpers.feeds import Entry, article_page, rss, story


def serve_feed(web: Any, name: str, count: int) -> str:
    entries = []
    for n in range(count):
        path = f"/{name}/{n}"
        web(path, 200, "text/html", article_page(f"{name} story {n}", story(f"{name} event {n}")))
        entries.append(Entry(f"{name} story {n}", path))
    return web(f"/{name}.xml", 200, "application/rss+xml", rss(name, entries, web.base))


def test_polling_reports_progress_per_feed_and_stops_when_cancelled(
    archive: Archive, web: Any
) -> None:
    monitor = Monitor(archive)
    one = monitor.add_feed(serve_feed(web, "One", 2))
    two = monitor.add_feed(serve_feed(web, "Two", 1), check=False, name="Second")
    seen: list[tuple[int, int, str]] = []
    outcomes = monitor.poll_due_feeds(progress=lambda *p: seen.append(p))
    assert seen == [(1, 2, "One"), (2, 2, "Second")]
    arrived = [(o.source_id, len(o.arrived), o.ok) for o in outcomes]
    assert arrived == [(one.id, 2, True), (two.id, 1, True)]
    counts = {c.feed_id: c.new for c in monitor.inbox_counts()}
    assert counts == {one.id: 2, two.id: 1}
    # Not due again until the interval has passed.
    assert monitor.poll_due_feeds() == []
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=31)
    assert len(monitor.poll_due_feeds(now=later, cancelled=lambda: True)) == 0
    assert [o.name for o in monitor.poll_due_feeds(now=later)] == ["One", "Second"]


def test_keep_and_skip_through_the_api(archive: Archive, web: Any) -> None:
    monitor = Monitor(archive)
    feed = monitor.add_feed(serve_feed(web, "Wire", 3), tags=[("topic", "Wires")])
    monitor.poll_feeds()
    first, second, third = monitor.inbox()
    (outcome,) = monitor.keep([first.id], extra_tags=[("region", "Mali")])
    assert outcome.ok and outcome.created and outcome.changes.added == {outcome.clipping_id}
    assert archive.search("Wire").total == 1  # the index has caught up
    detail = archive.get(outcome.clipping_id or 0)
    assert {("topic", "Wires"), ("region", "Mali")} <= {(t.kind, t.name) for t in detail.tags}
    assert monitor.skip([second.id]) == [second.id]
    assert monitor.skip([second.id]) == []
    assert [i.id for i in monitor.inbox(feed_id=feed.id)] == [third.id]
    (count,) = monitor.inbox_counts()
    assert (count.new, count.kept, count.skipped) == (1, 1, 1)
    assert monitor.inbox_item(first.id).clipping_id == outcome.clipping_id


def test_an_entry_recorded_again_is_remembered_once(archive: Archive) -> None:
    """A second poller (the app beside the command line) recording the same entry."""
    feed = archive.stores.feeds.add("http://127.0.0.1:9/feed", "Wire")
    arrival = Arrival("same-key", "dropped", "An entry")
    first = archive.stores.inbox.record(arrival, feed_id=feed.id)
    assert archive.stores.inbox.record(arrival, feed_id=feed.id) == first
    assert len(archive.stores.inbox.items(("dropped",))) == 1


def test_saved_searches_count_what_is_new_until_opened(archive: Archive) -> None:
    monitor = Monitor(archive)
    monitor.save_search("Niger", "niger")
    add(archive, "Niger closes the border", "Niger closed its border with Benin.")
    add(archive, "Mali votes", "Mali voted on a new constitution.")
    (status,) = monitor.saved_searches()
    assert (status.search.name, status.new) == ("Niger", 1)
    monitor.mark_opened("Niger")
    assert monitor.saved_searches()[0].new == 0
    run = monitor.run_saved("Niger", mark_opened=False)
    assert len(run.ids) == 1
    assert monitor.digest_ids("Niger") == []
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    assert monitor.digest_ids("Niger", since) == list(run.ids)


def test_removing_a_feed_lets_its_items_go_and_keeps_its_clippings(
    archive: Archive, web: Any
) -> None:
    monitor = Monitor(archive)
    feed = monitor.add_feed(serve_feed(web, "Wire", 2))
    monitor.poll_feeds()
    first, _second = monitor.inbox()
    (kept,) = monitor.keep([first.id])
    monitor.remove_feed(feed.id)
    assert monitor.inbox(("new", "kept")) == []
    assert monitor.inbox_counts() == []
    assert archive.get(kept.clipping_id or 0).title == "Wire story 0"
