"""`FeedStore` and `WatchFolderStore`: the sources monitoring polls (RSS/Atom feeds, watch
folders), with what each poll left behind (when, validators for the next conditional GET,
failures in a row for the backoff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clipper.core.errors import InvalidInput, NotFound, checked_kind
from clipper.core.models import Feed, WatchFolder, utcnow
from clipper.core.store.unit import Store

# A feed is polled this often unless the editor says otherwise.
DEFAULT_INTERVAL_MINUTES = 30
MIN_INTERVAL_MINUTES = 1
# However long the backoff after failures grows, a feed is tried again within a day.
MAX_BACKOFF = dt.timedelta(days=1)

TagSpec = tuple[str, str]


@dataclass(frozen=True)
class FeedView:
    id: int
    url: str
    name: str
    tags: tuple[TagSpec, ...]
    rule: str | None
    interval_minutes: int
    created_at: dt.datetime
    last_polled_at: dt.datetime | None
    next_poll_at: dt.datetime | None
    failures: int
    last_error: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class WatchFolderView:
    id: int
    path: str
    move_to: str | None
    tags: tuple[TagSpec, ...]
    created_at: dt.datetime
    last_polled_at: dt.datetime | None
    last_error: str | None


def _tags(specs: Iterable[TagSpec]) -> list[list[str]]:
    tags: list[list[str]] = []
    for kind, name in specs:
        if not name.strip():
            raise InvalidInput(f"tag {kind}: needs a name")
        pair = [checked_kind(kind), name.strip()]
        if pair not in tags:
            tags.append(pair)
    return tags


def _tag_specs(stored: object) -> tuple[TagSpec, ...]:
    if not isinstance(stored, list):
        return ()
    return tuple((str(pair[0]), str(pair[1])) for pair in stored if len(pair) == 2)


def _feed_view(feed: Feed) -> FeedView:
    return FeedView(
        id=feed.id,
        url=feed.url,
        name=feed.name,
        tags=_tag_specs(feed.tags),
        rule=feed.rule,
        interval_minutes=feed.interval_minutes,
        created_at=feed.created_at,
        last_polled_at=feed.last_polled_at,
        next_poll_at=feed.next_poll_at,
        failures=feed.failures,
        last_error=feed.last_error,
        etag=feed.etag,
        last_modified=feed.last_modified,
    )


def backoff_delay(interval_minutes: int, failures: int) -> dt.timedelta:
    """How long to wait after `failures` polls in a row failed: the interval, doubled with
    each failure, at most MAX_BACKOFF."""
    if failures <= 0:
        return dt.timedelta(minutes=interval_minutes)
    delay = dt.timedelta(minutes=interval_minutes) * (2 ** min(failures, 16))
    return min(delay, MAX_BACKOFF)


class FeedStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _find(session: Session, feed_id: int) -> Feed:
        found = session.get(Feed, feed_id)
        if found is None:
            raise NotFound(f"no feed with id {feed_id}")
        return found

    def add(
        self,
        url: str,
        name: str,
        tags: Sequence[TagSpec] = (),
        rule: str | None = None,
        interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
    ) -> FeedView:
        """Follow a feed (due at once). The caller checks the URL and the rule."""
        if interval_minutes < MIN_INTERVAL_MINUTES:
            raise InvalidInput(f"a feed is polled every {MIN_INTERVAL_MINUTES} minute at most")
        name = " ".join(name.split()) or url
        with self._store.writing() as s:
            existing = s.scalar(select(Feed.id).where(Feed.url == url))
            if existing is not None:
                raise InvalidInput(f"{url} is already followed as feed #{existing}")
            feed = Feed(
                url=url,
                name=name[:200],
                tags=_tags(tags),
                rule=rule or None,
                interval_minutes=interval_minutes,
                created_at=utcnow(),
                failures=0,
            )
            s.add(feed)
            s.flush()
            return _feed_view(feed)

    def all(self) -> list[FeedView]:
        with self._store.reading() as s:
            return [_feed_view(f) for f in s.scalars(select(Feed).order_by(Feed.id))]

    def get(self, feed_id: int) -> FeedView:
        with self._store.reading() as s:
            return _feed_view(self._find(s, feed_id))

    def due(self, now: dt.datetime | None = None) -> list[FeedView]:
        """Feeds whose next poll time has come (or that were never polled)."""
        now = now or utcnow()
        with self._store.reading() as s:
            rows = s.scalars(
                select(Feed)
                .where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
                .order_by(Feed.id)
            )
            return [_feed_view(f) for f in rows]

    def remove(self, feed_id: int) -> FeedView:
        """Stop following a feed; its inbox items (waiting or remembered) go with it."""
        with self._store.writing() as s:
            feed = self._find(s, feed_id)
            view = _feed_view(feed)
            s.delete(feed)
            return view

    def record_poll(
        self,
        feed_id: int,
        at: dt.datetime,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FeedView:
        """What a poll left: on success the validators to send next time (None: none, so the
        next poll reads the whole feed again) and the next time at the interval; on failure
        the error and a next time further off with each failure in a row."""
        with self._store.writing() as s:
            feed = self._find(s, feed_id)
            feed.last_polled_at = at
            if error is None:
                feed.failures = 0
                feed.last_error = None
                feed.etag = etag
                feed.last_modified = last_modified
            else:
                feed.failures += 1
                feed.last_error = error
            feed.next_poll_at = at + backoff_delay(feed.interval_minutes, feed.failures)
            return _feed_view(feed)


def _watch_view(folder: WatchFolder) -> WatchFolderView:
    return WatchFolderView(
        id=folder.id,
        path=folder.path,
        move_to=folder.move_to,
        tags=_tag_specs(folder.tags),
        created_at=folder.created_at,
        last_polled_at=folder.last_polled_at,
        last_error=folder.last_error,
    )


class WatchFolderStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _find(session: Session, folder_id: int) -> WatchFolder:
        found = session.get(WatchFolder, folder_id)
        if found is None:
            raise NotFound(f"no watch folder with id {folder_id}")
        return found

    def add(
        self, path: str, move_to: str | None = None, tags: Sequence[TagSpec] = ()
    ) -> WatchFolderView:
        """Watch a folder (paths given absolute; the caller checks they exist)."""
        with self._store.writing() as s:
            existing = s.scalar(select(WatchFolder.id).where(WatchFolder.path == path))
            if existing is not None:
                raise InvalidInput(f"{path} is already watched as folder #{existing}")
            folder = WatchFolder(path=path, move_to=move_to, tags=_tags(tags), created_at=utcnow())
            s.add(folder)
            s.flush()
            return _watch_view(folder)

    def all(self) -> list[WatchFolderView]:
        with self._store.reading() as s:
            rows = s.scalars(select(WatchFolder).order_by(WatchFolder.id))
            return [_watch_view(f) for f in rows]

    def get(self, folder_id: int) -> WatchFolderView:
        with self._store.reading() as s:
            return _watch_view(self._find(s, folder_id))

    def remove(self, folder_id: int) -> WatchFolderView:
        """Stop watching a folder (its files stay where they are)."""
        with self._store.writing() as s:
            folder = self._find(s, folder_id)
            view = _watch_view(folder)
            s.delete(folder)
            return view

    def record_poll(self, folder_id: int, at: dt.datetime, error: str | None = None) -> None:
        with self._store.writing() as s:
            folder = self._find(s, folder_id)
            folder.last_polled_at = at
            folder.last_error = error
