"""Polling feeds: fetch each due feed once (a conditional GET), read its newest entries, and
bring what is new into the inbox; a failing feed is reported and tried again later (the
interval doubles with each failure in a row), and the other feeds still poll.

Bounds, so that no feed can hold a poll for long: at most MAX_ENTRIES_PER_POLL entries are
read from a feed (`feeds.parse_feed`), each entry's page through the import pipeline's URL
fetcher with its own timeout and size cap, and a feed's entries stop being fetched after
FEED_BUDGET_S seconds; entries not reached arrive at the next poll. A feed's validators
(ETag, Last-Modified) are kept only when everything it listed was dealt with, so that a
304 never hides an entry still to read.

An entry is remembered whatever became of it (new, dropped by the rule, already in the
archive), so a second poll brings nothing twice; one that could not be read at all is tried
again at the next polls, MAX_ATTEMPTS times in all.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import IngestError
from clipper.core.ingest.suggest import archive_suggestions
from clipper.core.ingest.url import fetch
from clipper.core.models import utcnow
from clipper.core.monitor.arrivals import arrival_of, entry_draft
from clipper.core.monitor.feeds import (
    FEED_TYPES,
    MAX_ENTRIES_PER_POLL,
    FeedEntry,
    FeedError,
    parse_feed,
)
from clipper.core.monitor.rules import matching_drafts
from clipper.core.store.feeds import FeedView
from clipper.core.store.inbox import Arrival

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

# How long one feed's entries may be fetched for, in seconds, per poll.
FEED_BUDGET_S = 120.0
# An entry that could not be read is tried at this many polls in all.
MAX_ATTEMPTS = 3
# Drafts whose rule is evaluated together (one throwaway index for the lot).
RULE_BATCH = 20


@dataclass(frozen=True)
class KnownEntry:
    """An entry that needed no decision: the archive (or the inbox) has it already."""

    title: str
    clipping_id: int | None = None
    item_id: int | None = None

    @property
    def label(self) -> str:
        if self.clipping_id is not None:
            return f"{self.title!r} is already in the archive as #{self.clipping_id}"
        return f"{self.title!r} is already in the inbox as item #{self.item_id}"


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of one feed (or watch folder) did; `error` when it could not be read at
    all (the other sources still poll)."""

    kind: str  # "feed" or "folder"
    source_id: int
    name: str
    error: str | None = None
    not_modified: bool = False
    listed: int = 0
    arrived: tuple[int, ...] = ()
    dropped: tuple[str, ...] = ()
    known: tuple[KnownEntry, ...] = ()
    # Entries that could not be read at all (each a line naming the entry and the reason).
    failed: tuple[str, ...] = ()
    # Things the editor should know about entries that did arrive (a summary stood in).
    notes: tuple[str, ...] = ()
    # Things about the source itself (malformed but read, more entries than a poll takes).
    warnings: tuple[str, ...] = ()
    next_poll_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed


@dataclass
class _Tally:
    arrived: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    known: list[KnownEntry] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Entries left for a later poll (out of time, cancelled, or to be tried again).
    left: int = 0


def poll_feeds(
    archive: Archive,
    feeds: Sequence[FeedView],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[PollOutcome]:
    """Poll each of these feeds once, in turn; a cancelled poll stops between entries."""
    outcomes = []
    for number, feed in enumerate(feeds, start=1):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(number, len(feeds), feed.name)
        try:
            outcomes.append(poll_feed(archive, feed, cancelled))
        except Exception as exc:  # a bug must not stop the other feeds; it is logged in full
            log.exception("polling feed %s failed", feed.url)
            at = utcnow()
            archive.stores.feeds.record_poll(feed.id, at, error=str(exc))
            outcomes.append(PollOutcome("feed", feed.id, feed.name, error=f"{feed.url}: {exc}"))
    return outcomes


def poll_feed(archive: Archive, feed: FeedView, cancelled: Cancelled | None = None) -> PollOutcome:
    """Poll one feed now (see the module notes)."""
    started = utcnow()
    feeds = archive.stores.feeds
    try:
        fetched = fetch(
            feed.url, accept=FEED_TYPES, etag=feed.etag, last_modified=feed.last_modified
        )
        if fetched.status == 304:
            view = feeds.record_poll(
                feed.id, started, etag=fetched.etag, last_modified=fetched.last_modified
            )
            return PollOutcome(
                "feed", feed.id, feed.name, not_modified=True, next_poll_at=view.next_poll_at
            )
        parsed = parse_feed(fetched.data)
    except IngestError as exc:
        return _failed(archive, feed, started, str(exc))
    except FeedError as exc:
        return _failed(archive, feed, started, f"{feed.url}: {exc}")
    tally = _Tally()
    if parsed.problem:
        tally.warnings.append(parsed.problem)
    if parsed.listed > len(parsed.entries):
        tally.warnings.append(
            f"the feed lists {parsed.listed:,} entries; a poll reads the newest "
            f"{MAX_ENTRIES_PER_POLL} of them"
        )
    _take_entries(archive, feed, parsed.entries, tally, cancelled)
    complete = tally.left == 0
    view = feeds.record_poll(
        feed.id,
        started,
        etag=fetched.etag if complete else None,
        last_modified=fetched.last_modified if complete else None,
    )
    return PollOutcome(
        "feed",
        feed.id,
        feed.name,
        listed=parsed.listed,
        arrived=tuple(tally.arrived),
        dropped=tuple(tally.dropped),
        known=tuple(tally.known),
        failed=tuple(tally.failed),
        notes=tuple(tally.notes),
        warnings=tuple(tally.warnings),
        next_poll_at=view.next_poll_at,
    )


def _failed(archive: Archive, feed: FeedView, at: dt.datetime, error: str) -> PollOutcome:
    view = archive.stores.feeds.record_poll(feed.id, at, error=error)
    return PollOutcome("feed", feed.id, feed.name, error=error, next_poll_at=view.next_poll_at)


def _take_entries(
    archive: Archive,
    feed: FeedView,
    entries: Sequence[FeedEntry],
    tally: _Tally,
    cancelled: Cancelled | None,
) -> None:
    inbox = archive.stores.inbox
    seen = inbox.seen([e.key for e in entries], feed_id=feed.id)
    todo = []
    for entry in entries:
        before = seen.get(entry.key)
        if before is None or (before.state == "failed" and before.attempts < MAX_ATTEMPTS):
            todo.append(entry)
    links = [e.link for e in todo if e.link]
    in_archive = inbox.clippings_with_urls(links)
    in_inbox = inbox.items_with_urls(links)
    to_read = []
    for entry in todo:
        if entry.link in in_archive:
            clipping_id = in_archive[entry.link]
            _remember(
                archive,
                feed,
                Arrival(entry.key, "known", entry.title, entry.link, entry.published,
                        duplicate_of=clipping_id),
                tally,
            )  # fmt: skip
        elif entry.link in in_inbox:
            item_id = in_inbox[entry.link]
            _remember(
                archive,
                feed,
                Arrival(entry.key, "known", entry.title, entry.link, entry.published,
                        group_id=item_id),
                tally,
            )  # fmt: skip
        else:
            to_read.append(entry)
    deadline = time.monotonic() + FEED_BUDGET_S
    batch: list[tuple[FeedEntry, ClippingDraft, str]] = []
    for number, entry in enumerate(to_read):
        if (cancelled is not None and cancelled()) or time.monotonic() > deadline:
            tally.left += len(to_read) - number
            if time.monotonic() > deadline:
                tally.warnings.append(
                    f"out of time after {number} new entries; {len(to_read) - number} more at "
                    "the next poll"
                )
            break
        try:
            draft, note = entry_draft(entry, feed.name, feed.url)
        except IngestError as exc:
            attempts = seen[entry.key].attempts + 1 if entry.key in seen else 1
            final = attempts >= MAX_ATTEMPTS
            reason = f"{entry.title!r}: {exc}"
            tally.failed.append(reason + ("" if final else " (tried again at the next poll)"))
            if not final:
                tally.left += 1
            _remember(
                archive,
                feed,
                Arrival(entry.key, "failed", entry.title, entry.link, entry.published,
                        note=str(exc)),
                tally,
            )  # fmt: skip
            continue
        archive_suggestions(archive, draft)
        batch.append((entry, draft, note))
        if len(batch) >= RULE_BATCH:
            _arrive(archive, feed, batch, tally)
            batch = []
    _arrive(archive, feed, batch, tally)


def _arrive(
    archive: Archive,
    feed: FeedView,
    batch: Sequence[tuple[FeedEntry, ClippingDraft, str]],
    tally: _Tally,
) -> None:
    """Store a batch of read entries: the rule decides which wait and which are dropped."""
    if not batch:
        return
    matched: set[int] | None = None
    if feed.rule:
        matched = matching_drafts(
            feed.rule, [draft for _e, draft, _n in batch], archive.stores.tags, feed.tags
        )
    for position, (entry, draft, note) in enumerate(batch):
        if matched is None or position in matched:
            arrival = arrival_of(archive, draft, entry.key, note)
        else:
            arrival = Arrival(entry.key, "dropped", draft.title, draft.url, draft.published)
        _remember(archive, feed, arrival, tally)


def _remember(archive: Archive, feed: FeedView, arrival: Arrival, tally: _Tally) -> None:
    item_id = archive.stores.inbox.record(arrival, feed_id=feed.id)
    if item_id is None:
        return  # another poll (the app, the command line) brought it in meanwhile
    title = arrival.title
    if arrival.state == "new":
        tally.arrived.append(item_id)
        if arrival.note:
            tally.notes.append(f"{title!r}: {arrival.note}")
    elif arrival.state == "dropped":
        tally.dropped.append(title)
    elif arrival.state == "known":
        tally.known.append(KnownEntry(title, arrival.duplicate_of, arrival.group_id))
