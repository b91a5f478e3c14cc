"""`InboxStore`: what feeds and watch folders brought in, waiting for the editor, and the
memory of every entry ever seen (so that nothing arrives twice and a skipped entry never
comes back).

A waiting item holds the `ClippingDraft` the import pipeline made, as JSON (the original
bytes in a column beside it), with its suggestions and the duplicate found at arrival.
Syndicated copies (the same body, or a near-identical one, through several feeds) collapse
under the first item that arrived: `group_id` points to it. Deciding an item (kept, skipped)
lets its draft go; a kept one lives on as a clipping of the library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from clipper.core import dedupe
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.errors import InvalidInput, NotFound
from clipper.core.models import Clipping, InboxBand, InboxItem, Source, utcnow
from clipper.core.store.unit import Store, chunks
from clipper.core.text import content_hash

# new: waits for the editor; kept: stored as a clipping; skipped: the editor (or a kept
# copy) let it go; dropped: the source's rule did not match; known: already in the archive
# or in the inbox by its link; failed: could not be read (tried again a few times).
INBOX_STATES = ("new", "kept", "skipped", "dropped", "known", "failed")
EXCERPT_CHARS = 280


def url_key(url: str) -> str:
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()


# -- drafts as JSON ---------------------------------------------------------------------------


def draft_to_json(draft: ClippingDraft) -> dict[str, Any]:
    """Everything of a draft but its original bytes (kept in a column of their own)."""
    return {
        "title": draft.title,
        "body": draft.body,
        "title_guessed": draft.title_guessed,
        "standfirst": draft.standfirst,
        "source": draft.source,
        "author": draft.author,
        "url": draft.url,
        "published": draft.published.isoformat() if draft.published else None,
        "published_precision": draft.published_precision,
        "language": draft.language,
        "origin": draft.origin,
        "extra": dict(draft.extra),
        "original_filename": draft.original_filename,
        "original_media_type": draft.original_media_type,
        "regions": [[s.name, s.code, s.score] for s in draft.regions],
        "topics": [[s.name, s.code, s.score] for s in draft.topics],
        "related_refs": list(draft.related_refs),
    }


def _suggestions(values: object) -> list[Suggestion]:
    if not isinstance(values, list):
        return []
    return [Suggestion(str(v[0]), v[1], float(v[2])) for v in values if len(v) == 3]


def draft_from_json(data: dict[str, Any], original: bytes | None = None) -> ClippingDraft:
    published = data.get("published")
    return ClippingDraft(
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        title_guessed=bool(data.get("title_guessed")),
        standfirst=str(data.get("standfirst") or ""),
        source=data.get("source"),
        author=data.get("author"),
        url=data.get("url"),
        published=dt.date.fromisoformat(published) if published else None,
        published_precision=str(data.get("published_precision") or "day"),
        language=data.get("language"),
        origin=str(data.get("origin") or "url"),
        extra=dict(data.get("extra") or {}),
        original=original,
        original_filename=data.get("original_filename"),
        original_media_type=data.get("original_media_type"),
        regions=_suggestions(data.get("regions")),
        topics=_suggestions(data.get("topics")),
        related_refs=list(data.get("related_refs") or []),
    )


# -- plain data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """An entry as it arrived, to be remembered (and, when `new`, to wait for the editor)."""

    entry_key: str
    state: str
    title: str
    url: str | None = None
    published: dt.date | None = None
    draft: ClippingDraft | None = None
    note: str = ""
    duplicate_of: int | None = None
    similarity: float | None = None
    # The waiting item this entry is already in the inbox as (the same link elsewhere).
    group_id: int | None = None


@dataclass(frozen=True)
class SeenEntry:
    item_id: int
    state: str
    attempts: int


@dataclass(frozen=True)
class InboxItemView:
    """One inbox item as the inbox list and `clipper inbox` show it."""

    id: int
    feed_id: int | None
    watch_id: int | None
    state: str
    title: str
    url: str | None
    published: dt.date | None
    arrived_at: dt.datetime
    decided_at: dt.datetime | None
    source: str | None
    excerpt: str
    regions: tuple[Suggestion, ...]
    topics: tuple[Suggestion, ...]
    note: str
    attempts: int
    duplicate_of: int | None
    duplicate_source: str | None
    duplicate_title: str | None
    similarity: float | None
    group_id: int | None
    # The waiting syndicated copies collapsed under this item.
    copies: tuple[int, ...] = field(default=())
    clipping_id: int | None = None

    @property
    def duplicate_label(self) -> str | None:
        """'already clipped as #123 from AFP' (near duplicates say how alike they are)."""
        if self.duplicate_of is None:
            return None
        label = f"already clipped as #{self.duplicate_of}"
        if self.duplicate_source:
            label += f" from {self.duplicate_source}"
        if self.similarity is not None and self.similarity < 1.0:
            label += f" ({self.similarity:.0%} alike)"
        return label


@dataclass(frozen=True)
class InboxCounts:
    """How many items of one source are in each state (`new` counts collapsed copies once)."""

    feed_id: int | None
    watch_id: int | None
    new: int = 0
    kept: int = 0
    skipped: int = 0
    dropped: int = 0
    known: int = 0
    failed: int = 0


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


class InboxStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- what was seen ------------------------------------------------------------------------

    def seen(
        self, keys: Sequence[str], *, feed_id: int | None = None, watch_id: int | None = None
    ) -> dict[str, SeenEntry]:
        """The entries among `keys` this feed (or folder) brought in before."""
        source = InboxItem.feed_id == feed_id if feed_id is not None else None
        if source is None:
            source = InboxItem.watch_id == watch_id
        found: dict[str, SeenEntry] = {}
        with self._store.reading() as s:
            for chunk in chunks(list(keys), 500):
                rows = s.execute(
                    select(
                        InboxItem.entry_key, InboxItem.id, InboxItem.state, InboxItem.attempts
                    ).where(source, InboxItem.entry_key.in_(chunk))
                )
                for key, item_id, state, attempts in rows:
                    found[key] = SeenEntry(item_id, state, attempts)
        return found

    def clippings_with_urls(self, urls: Iterable[str]) -> dict[str, int]:
        """The first clipping (live or in the trash) stored from each of these addresses."""
        found: dict[str, int] = {}
        with self._store.reading() as s:
            for chunk in chunks(sorted(set(urls)), 200):
                rows = s.execute(
                    select(Clipping.url, func.min(Clipping.id))
                    .where(Clipping.url.in_(chunk))
                    .group_by(Clipping.url)
                )
                for url, clipping_id in rows:
                    if url is not None:
                        found[url] = clipping_id
        return found

    def items_with_urls(self, urls: Iterable[str]) -> dict[str, int]:
        """The waiting (or kept) item each of these addresses arrived as, from any source."""
        keys = {url_key(u): u for u in urls}
        found: dict[str, int] = {}
        with self._store.reading() as s:
            for chunk in chunks(sorted(keys), 500):
                rows = s.execute(
                    select(InboxItem.url_key, func.min(InboxItem.id))
                    .where(InboxItem.url_key.in_(chunk), InboxItem.state.in_(("new", "kept")))
                    .group_by(InboxItem.url_key)
                )
                for key, item_id in rows:
                    if key is not None:
                        found[keys[key]] = item_id
        return found

    # -- arriving -----------------------------------------------------------------------------

    def record(
        self, arrival: Arrival, *, feed_id: int | None = None, watch_id: int | None = None
    ) -> int | None:
        """Remember an entry (a failed one seen again is updated in place); returns the item's
        id, or None when another process recorded the same entry meanwhile."""
        if (feed_id is None) == (watch_id is None):
            raise ValueError("an inbox item comes from one feed or one watch folder")
        if arrival.state not in INBOX_STATES:
            raise InvalidInput(f"unknown inbox state {arrival.state!r}")
        try:
            with self._store.writing() as s:
                source = (
                    InboxItem.feed_id == feed_id
                    if feed_id is not None
                    else InboxItem.watch_id == watch_id
                )
                item = s.scalar(
                    select(InboxItem).where(source, InboxItem.entry_key == arrival.entry_key)
                )
                if item is None:
                    item = InboxItem(
                        feed_id=feed_id, watch_id=watch_id, entry_key=arrival.entry_key, attempts=0
                    )
                    s.add(item)
                elif item.state != "failed":
                    return item.id
                self._fill(s, item, arrival)
                s.flush()
                if arrival.state == "new" and arrival.draft is not None:
                    self._collapse(s, item, arrival.draft.body)
                return item.id
        except IntegrityError:
            return None

    @staticmethod
    def _fill(session: Session, item: InboxItem, arrival: Arrival) -> None:
        draft = arrival.draft
        item.state = arrival.state
        item.title = " ".join(arrival.title.split()) or "(no title)"
        item.url = arrival.url
        item.url_key = url_key(arrival.url) if arrival.url else None
        item.published = arrival.published
        item.arrived_at = utcnow()
        item.note = arrival.note
        item.attempts = (item.attempts or 0) + 1
        item.duplicate_of = arrival.duplicate_of
        item.similarity = arrival.similarity
        item.group_id = arrival.group_id
        keep_draft = arrival.state == "new" and draft is not None
        item.draft = draft_to_json(draft) if keep_draft and draft else None
        item.original = draft.original if keep_draft and draft else None
        item.content_hash = content_hash(draft.body) if keep_draft and draft else None

    @staticmethod
    def _collapse(session: Session, item: InboxItem, body: str) -> None:
        """File a new item under the waiting item it is a syndicated copy of, if any, and
        store its band keys so that later copies find it."""
        root: int | None = session.scalar(
            select(func.min(InboxItem.id)).where(
                InboxItem.content_hash == item.content_hash,
                InboxItem.state == "new",
                InboxItem.id != item.id,
            )
        )
        bands = dedupe.body_band_keys(body.strip())
        if root is None and bands:
            hashes = dedupe.shingles(body)
            candidates = sorted(
                set(
                    session.scalars(
                        select(InboxBand.item_id)
                        .join(InboxItem, InboxItem.id == InboxBand.item_id)
                        .where(InboxBand.band.in_(bands), InboxItem.state == "new")
                    )
                )
                - {item.id}
            )
            for candidate in candidates:
                other = session.get(InboxItem, candidate, options=[defer(InboxItem.original)])
                if other is None or not other.draft:
                    continue
                other_body = str(other.draft.get("body") or "")
                if dedupe.jaccard(hashes, dedupe.shingles(other_body)) >= (
                    dedupe.NEAR_DUPLICATE_JACCARD
                ):
                    root = candidate
                    break
        if root is not None:
            found = session.get(InboxItem, root, options=[defer(InboxItem.original)])
            if found is not None:
                # Copies hang under the first item, never under another copy.
                item.group_id = found.group_id or found.id
        session.add_all(InboxBand(item_id=item.id, band=band) for band in bands)

    # -- reading ------------------------------------------------------------------------------

    def items(
        self,
        states: Sequence[str] = ("new",),
        *,
        feed_id: int | None = None,
        watch_id: int | None = None,
        copies: bool = False,
        ids: Sequence[int] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[InboxItemView]:
        """Items in these states, the latest arrivals first (in a feed's own order within one
        arrival); waiting copies are collapsed under their first item unless `copies`."""
        for state in states:
            if state not in INBOX_STATES:
                raise InvalidInput(f"unknown inbox state {state!r}: use {', '.join(INBOX_STATES)}")
        with self._store.reading() as s:
            query = (
                select(InboxItem)
                .options(defer(InboxItem.original))
                .where(InboxItem.state.in_(list(states)))
                .order_by(func.date(InboxItem.arrived_at).desc(), InboxItem.id)
            )
            if feed_id is not None:
                query = query.where(InboxItem.feed_id == feed_id)
            if watch_id is not None:
                query = query.where(InboxItem.watch_id == watch_id)
            if ids is not None:
                query = query.where(InboxItem.id.in_(list(ids)))
            elif not copies:
                # Only waiting copies collapse; decided ones are listed on their own.
                query = query.where(or_(InboxItem.group_id.is_(None), InboxItem.state != "new"))
            if limit is not None:
                query = query.limit(limit)
            if offset:
                query = query.offset(offset)
            rows = list(s.scalars(query))
            return self._views(s, rows)

    def item(self, item_id: int) -> InboxItemView:
        views = self.items(INBOX_STATES, ids=[item_id])
        if not views:
            raise NotFound(f"no inbox item with id {item_id}")
        return views[0]

    @staticmethod
    def _views(session: Session, rows: Sequence[InboxItem]) -> list[InboxItemView]:
        ids = [r.id for r in rows]
        copies: dict[int, list[int]] = defaultdict(list)
        for chunk in chunks(ids, 500):
            for copy_id, root in session.execute(
                select(InboxItem.id, InboxItem.group_id)
                .where(InboxItem.group_id.in_(chunk), InboxItem.state == "new")
                .order_by(InboxItem.id)
            ):
                if root is not None:
                    copies[root].append(copy_id)
        duplicates: dict[int, tuple[str | None, str | None]] = {}
        wanted = sorted({r.duplicate_of for r in rows if r.duplicate_of is not None})
        for chunk in chunks(wanted, 500):
            for cid, clipping_title, source in session.execute(
                select(Clipping.id, Clipping.title, Source.name)
                .outerjoin(Source, Source.id == Clipping.source_id)
                .where(Clipping.id.in_(chunk))
            ):
                duplicates[cid] = (clipping_title, source)
        views = []
        for r in rows:
            draft = r.draft or {}
            duplicate_title, duplicate_source = duplicates.get(r.duplicate_of or 0, (None, None))
            views.append(
                InboxItemView(
                    id=r.id,
                    feed_id=r.feed_id,
                    watch_id=r.watch_id,
                    state=r.state,
                    title=r.title,
                    url=r.url,
                    published=r.published,
                    arrived_at=r.arrived_at,
                    decided_at=r.decided_at,
                    source=draft.get("source"),  # type: ignore[arg-type]
                    excerpt=_excerpt(str(draft.get("body") or "")),
                    regions=tuple(_suggestions(draft.get("regions"))),
                    topics=tuple(_suggestions(draft.get("topics"))),
                    note=r.note,
                    attempts=r.attempts,
                    duplicate_of=r.duplicate_of,
                    duplicate_source=duplicate_source,
                    duplicate_title=duplicate_title,
                    similarity=r.similarity,
                    group_id=r.group_id,
                    copies=tuple(copies.get(r.id, ())),
                    clipping_id=r.clipping_id,
                )
            )
        return views

    def draft(self, item_id: int) -> ClippingDraft:
        """The draft of a waiting item, original bytes included."""
        with self._store.reading() as s:
            item = s.get(InboxItem, item_id)
            if item is None:
                raise NotFound(f"no inbox item with id {item_id}")
            if item.state != "new" or item.draft is None:
                raise InvalidInput(f"inbox item #{item_id} is {item.state}, not waiting")
            return draft_from_json(item.draft, item.original)

    def drafts(self, item_ids: Sequence[int]) -> dict[int, ClippingDraft]:
        """The drafts of these waiting items (without their original bytes), by id."""
        found: dict[int, ClippingDraft] = {}
        with self._store.reading() as s:
            for chunk in chunks(list(item_ids), 500):
                rows = s.execute(
                    select(InboxItem.id, InboxItem.draft).where(
                        InboxItem.id.in_(chunk), InboxItem.state == "new"
                    )
                )
                for item_id, data in rows:
                    if data:
                        found[item_id] = draft_from_json(data)
        return found

    def counts(self) -> list[InboxCounts]:
        """Per feed and per watch folder, how many items are in each state."""
        per: dict[tuple[int | None, int | None], dict[str, int]] = defaultdict(dict)
        with self._store.reading() as s:
            rows = s.execute(
                select(InboxItem.feed_id, InboxItem.watch_id, InboxItem.state, func.count())
                .where((InboxItem.state != "new") | InboxItem.group_id.is_(None))
                .group_by(InboxItem.feed_id, InboxItem.watch_id, InboxItem.state)
            )
            for feed_id, watch_id, state, count in rows:
                per[(feed_id, watch_id)][state] = count
        return [
            InboxCounts(feed_id, watch_id, **states)
            for (feed_id, watch_id), states in sorted(
                per.items(), key=lambda pair: (pair[0][0] is None, pair[0][0] or 0, pair[0][1] or 0)
            )
        ]

    # -- deciding -----------------------------------------------------------------------------

    def decide(
        self,
        item_ids: Sequence[int],
        state: str,
        *,
        clipping_id: int | None = None,
        note: str | None = None,
    ) -> list[int]:
        """Mark waiting items kept (as `clipping_id`) or skipped and let their drafts go;
        returns the ids that were waiting (the others are left as they are)."""
        if state not in ("kept", "skipped"):
            raise InvalidInput(f"an inbox item is kept or skipped, not {state}")
        decided = []
        with self._store.writing() as s:
            for item_id in item_ids:
                item = s.get(InboxItem, item_id, options=[defer(InboxItem.original)])
                if item is None or item.state != "new":
                    continue
                item.state = state
                item.decided_at = utcnow()
                item.clipping_id = clipping_id
                if note is not None:
                    item.note = note
                item.draft = None
                item.original = None
                decided.append(item_id)
            for chunk in chunks(decided, 500):
                s.execute(delete(InboxBand).where(InboxBand.item_id.in_(chunk)))
        return decided

    def waiting_copies(self, item_id: int) -> list[int]:
        """The waiting copies collapsed under this item."""
        with self._store.reading() as s:
            return list(
                s.scalars(
                    select(InboxItem.id)
                    .where(InboxItem.group_id == item_id, InboxItem.state == "new")
                    .order_by(InboxItem.id)
                )
            )
