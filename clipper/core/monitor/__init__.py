"""Monitoring: feeds and watch folders bring entries into an inbox (not the library), where
the editor keeps or skips each; saved searches count what is new in them; digests select a
saved search's new clippings.

`Monitor(archive)` is the one API the window and the command line use, a thin facade over
the archive's stores (`archive.stores.feeds`, `.watch_folders`, `.inbox`, `.saved`) and this
package's modules. It sits above `Archive` and the import pipeline (it reads pages through
them), which is why it is not an attribute of `Archive`: the archive cannot import what
imports it. Everything here is safe to call off the GUI thread (polling is network-bound);
results are plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from clipper.core.archive import Archive, InvalidInput
from clipper.core.ingest import IngestError
from clipper.core.ingest.url import fetch
from clipper.core.monitor import polling, saved, triage, watch
from clipper.core.monitor.feeds import FEED_TYPES, FeedError, parse_feed
from clipper.core.monitor.polling import Cancelled, KnownEntry, PollOutcome, Progress
from clipper.core.monitor.rules import TagSpec, check_rule, default_tags
from clipper.core.monitor.saved import SavedRun, SavedSearchStatus
from clipper.core.monitor.since import parse_since
from clipper.core.monitor.triage import KeepOutcome
from clipper.core.store.feeds import (
    DEFAULT_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    FeedView,
    WatchFolderView,
)
from clipper.core.store.inbox import InboxCounts, InboxItemView
from clipper.core.store.saved import SavedSearchView
from clipper.core.views import ClippingFilter

__all__ = [
    "DEFAULT_INTERVAL_MINUTES",
    "MIN_INTERVAL_MINUTES",
    "FeedView",
    "InboxCounts",
    "InboxItemView",
    "KeepOutcome",
    "KnownEntry",
    "Monitor",
    "PollOutcome",
    "SavedRun",
    "SavedSearchStatus",
    "SavedSearchView",
    "WatchFolderView",
    "default_tags",
    "parse_since",
]


class Monitor:
    """Monitoring over one open archive (see the module notes)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._stores = archive.stores

    # -- feeds --------------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        name: str | None = None,
        tags: Sequence[TagSpec] = (),
        rule: str | None = None,
        interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
        check: bool = True,
    ) -> FeedView:
        """Follow a feed. A malformed rule is refused (QuerySyntaxError); with `check` the
        feed is fetched once to make sure it is one (InvalidInput saying why not) and to
        learn its title when no name is given."""
        url = url.strip()
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise InvalidInput(f"{url}: a feed is an http or https address")
        rule = check_rule(rule, self._stores.tags) if rule and rule.strip() else None
        title = None
        if check:
            try:
                title = parse_feed(fetch(url, accept=FEED_TYPES).data, limit=1).title
            except IngestError as exc:
                raise InvalidInput(str(exc)) from None
            except FeedError as exc:
                raise InvalidInput(f"{url}: {exc}") from None
        return self._stores.feeds.add(
            url, name or title or url, tags=tags, rule=rule, interval_minutes=interval_minutes
        )

    def feeds(self) -> list[FeedView]:
        return self._stores.feeds.all()

    def feed(self, feed_id: int) -> FeedView:
        return self._stores.feeds.get(feed_id)

    def remove_feed(self, feed_id: int) -> FeedView:
        """Stop following a feed; its waiting items and its memory of entries go with it
        (clippings kept from it stay in the library)."""
        return self._stores.feeds.remove(feed_id)

    def due_feeds(self, now: dt.datetime | None = None) -> list[FeedView]:
        """The feeds whose time to be polled has come (a poll of them may be skipped when
        there are none: the window's timer asks every minute)."""
        return self._stores.feeds.due(now)

    def poll_due_feeds(
        self,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        now: dt.datetime | None = None,
    ) -> list[PollOutcome]:
        """Poll every feed whose time has come, once each; one outcome per feed."""
        return polling.poll_feeds(self.archive, self._stores.feeds.due(now), progress, cancelled)

    def poll_feeds(
        self,
        feed_ids: Sequence[int] | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> list[PollOutcome]:
        """Poll these feeds (default: all of them) now, due or not."""
        feeds = self.feeds() if feed_ids is None else [self.feed(i) for i in feed_ids]
        return polling.poll_feeds(self.archive, feeds, progress, cancelled)

    # -- watch folders ------------------------------------------------------------------------

    def add_watch_folder(
        self, folder: str | Path, move_to: str | Path | None = None, tags: Sequence[TagSpec] = ()
    ) -> WatchFolderView:
        """Watch a folder; with `move_to`, each file read is moved there."""
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise InvalidInput(f"{path}: no such folder")
        target = Path(move_to).expanduser().resolve() if move_to else None
        if target is not None and target == path:
            raise InvalidInput("the folder to move files to must not be the watched folder")
        if target is not None and target.exists() and not target.is_dir():
            raise InvalidInput(f"{target}: not a folder")
        return self._stores.watch_folders.add(str(path), str(target) if target else None, tags=tags)

    def watch_folders(self) -> list[WatchFolderView]:
        return self._stores.watch_folders.all()

    def remove_watch_folder(self, folder_id: int) -> WatchFolderView:
        return self._stores.watch_folders.remove(folder_id)

    def poll_watch_folders(
        self,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
        settle_s: float | None = None,
    ) -> list[PollOutcome]:
        """Read the new files of every watch folder into the inbox."""
        return watch.poll_folders(self.archive, self.watch_folders(), progress, cancelled, settle_s)

    # -- the inbox ----------------------------------------------------------------------------

    def inbox(
        self,
        states: Sequence[str] = ("new",),
        feed_id: int | None = None,
        watch_id: int | None = None,
        copies: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[InboxItemView]:
        """Inbox items (default: those waiting, syndicated copies collapsed under the first)."""
        return self._stores.inbox.items(
            states, feed_id=feed_id, watch_id=watch_id, copies=copies, limit=limit, offset=offset
        )

    def inbox_item(self, item_id: int) -> InboxItemView:
        return self._stores.inbox.item(item_id)

    def inbox_counts(self) -> list[InboxCounts]:
        """Per feed and folder, items in each state: `new` is the unread count."""
        return self._stores.inbox.counts()

    def keep(
        self,
        item_ids: Sequence[int],
        tags: Sequence[TagSpec] | None = None,
        extra_tags: Sequence[TagSpec] = (),
        suggestions: bool = True,
    ) -> list[KeepOutcome]:
        """Store waiting items in the library (see `triage.keep` for the tags)."""
        outcomes = triage.keep(self.archive, item_ids, tags, extra_tags, suggestions)
        if any(o.created for o in outcomes):
            self.archive.index.catch_up()
        return outcomes

    def skip(self, item_ids: Sequence[int]) -> list[int]:
        """Skip waiting items (and their copies): they never come back."""
        return triage.skip(self.archive, item_ids)

    def matching(
        self, query: str, feed_id: int | None = None, watch_id: int | None = None
    ) -> list[int]:
        """The waiting items a query matches (QuerySyntaxError for a malformed one)."""
        check_rule(query, self._stores.tags)
        return triage.matching_items(self.archive, query, feed_id, watch_id)

    def keep_matching(
        self,
        query: str,
        feed_id: int | None = None,
        watch_id: int | None = None,
        extra_tags: Sequence[TagSpec] = (),
        suggestions: bool = True,
    ) -> list[KeepOutcome]:
        """Keep every waiting item the query matches (a feed's rule, or any query)."""
        return self.keep(self.matching(query, feed_id, watch_id), None, extra_tags, suggestions)

    # -- saved searches -----------------------------------------------------------------------

    def save_search(
        self, name: str, query: str, facets: ClippingFilter | None = None
    ) -> SavedSearchView:
        """Save a search under a name (QuerySyntaxError for a malformed query)."""
        facets = facets or ClippingFilter()
        saved.check_search(query, facets)
        return self._stores.saved.add(name, query, facets)

    def saved_searches(self) -> list[SavedSearchStatus]:
        """Every saved search with how many clippings are new since it was last opened."""
        return saved.statuses(self.archive)

    def saved_search(self, name: str) -> SavedSearchView:
        return self._stores.saved.get(name)

    def run_saved(
        self, name: str, since: dt.datetime | None = None, mark_opened: bool = True
    ) -> SavedRun:
        return saved.run(self.archive, name, since, mark_opened)

    def mark_opened(self, name: str) -> SavedSearchView:
        return self._stores.saved.mark_opened(name)

    def remove_saved(self, name: str) -> SavedSearchView:
        return self._stores.saved.remove(name)

    def digest_ids(self, name: str, since: dt.datetime | None = None) -> list[int]:
        """A digest's clippings: the saved search's new ones since `since` (default: since it
        was last opened), newest first."""
        return saved.digest_ids(self.archive, name, since)
