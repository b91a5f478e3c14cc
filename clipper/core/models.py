"""SQLAlchemy 2.0 models of the archive: clippings, sources, tags, notes, links, dossiers,
originals, captured references, the append-only `changes` log, and monitoring (feeds, watch
folders, the inbox of what they bring in, saved searches).

The ORM objects never leave `Archive`: callers get plain dataclasses from `clipper.core.views`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Meta(Base):
    """Key/value facts about the archive itself (gazetteer version, creation date)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Case- and accent-folded name, so "Le Monde" and "le monde" are one source.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(255))


class Clipping(Base):
    __tablename__ = "clippings"
    __table_args__ = (
        CheckConstraint(
            "published_precision IN ('day', 'month', 'year')", name="published_precision"
        ),
        Index("ix_clippings_published", "published"),
        Index("ix_clippings_trashed_at", "trashed_at"),
        # The listing (live clippings by date) read from the index alone, not from rows
        # whose dates sit among their texts (migration 0007).
        Index("ix_clippings_live_published", "trashed_at", "published"),
        # The sidebar's sources with their counts, likewise (migration 0007).
        Index("ix_clippings_live_source", "trashed_at", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    # The folded title, to match captured "Read more" headlines against.
    title_key: Mapped[str] = mapped_column(String(300), index=True)
    # True when the title was proposed from the text and the editor has not confirmed it.
    title_guessed: Mapped[bool] = mapped_column(Boolean, default=False)
    standfirst: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    author: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[dt.date | None] = mapped_column(Date)
    published_precision: Mapped[str] = mapped_column(String(5), default="day")
    language: Mapped[str | None] = mapped_column(String(8))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(8), default="file")
    # Other facts worth keeping that have no column: translation notes, original URL...
    extra: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # Unique: one clipping per text, however many desks import it at once (migration 0005).
    content_hash: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    trashed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    source: Mapped[Source | None] = relationship(lazy="joined")
    tags: Mapped[list[Tag]] = relationship(secondary="clipping_tags", lazy="selectin")
    notes: Mapped[list[Note]] = relationship(
        back_populates="clipping", cascade="all, delete-orphan", order_by="Note.id"
    )
    original: Mapped[Original | None] = relationship(
        back_populates="clipping", cascade="all, delete-orphan", uselist=False
    )


class Original(Base):
    """The bytes the editor imported, exactly as they came (a newsroom never throws them away)."""

    __tablename__ = "originals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str | None] = mapped_column(Text)
    media_type: Mapped[str | None] = mapped_column(String(127))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))

    clipping: Mapped[Clipping] = relationship(back_populates="original")


class Tag(Base):
    """A topic or a region. Regions form a tree (parent) and overlapping groupings (members)."""

    __tablename__ = "tags"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="kind_key"),
        CheckConstraint("kind IN ('topic', 'region')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tags.id", ondelete="SET NULL"), index=True
    )
    # ISO 3166 alpha-2 for countries; IPTC media topic code for default topics.
    code: Mapped[str | None] = mapped_column(String(32))
    # Gazetteer key (regions) so the tree can be re-synced when the gazetteer grows.
    gazetteer_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    match_mode: Mapped[str | None] = mapped_column(String(8))
    match_pattern: Mapped[str | None] = mapped_column(Text)
    # A rule that came from elsewhere (an imported export) is kept but off until an editor
    # turns it on: a rule runs on every import, so only the archive's editors may enable one.
    match_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TagMember(Base):
    """Membership of a tag in a grouping beyond its parent (Niger in Sahel, ECOWAS, AES)."""

    __tablename__ = "tag_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClippingTag(Base):
    __tablename__ = "clipping_tags"
    # A tag's clippings from the index alone (the tag tree's counts; migration 0007).
    __table_args__ = (Index("ix_clipping_tags_tag_clipping", "tag_id", "clipping_id"),)

    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    clipping: Mapped[Clipping] = relationship(back_populates="notes")


class Link(Base):
    """An undirected link between two clippings, stored once with low_id < high_id."""

    __tablename__ = "links"
    __table_args__ = (
        UniqueConstraint("low_id", "high_id", name="pair"),
        CheckConstraint("low_id < high_id", name="ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("clippings.id", ondelete="CASCADE"))
    high_id: Mapped[int] = mapped_column(ForeignKey("clippings.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Dossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DossierItem(Base):
    __tablename__ = "dossier_items"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True
    )
    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Reference(Base):
    """A headline captured from a "Read more" promo, matched when that story arrives."""

    __tablename__ = "references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), index=True
    )
    headline: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(300), index=True)


class ShingleBand(Base):
    """A MinHash band key of a clipping's body: clippings sharing one are near-duplicate
    candidates (see `clipper.core.dedupe`)."""

    __tablename__ = "shingle_bands"

    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class Change(Base):
    """The append-only log the search index catches up from; written with every change."""

    __tablename__ = "changes"
    # AUTOINCREMENT: a sequence number is never reused, even if the log is ever compacted.
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    clipping_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ReviewItem(Base):
    """What an import left for the editor to look at about one stored clipping: a guessed
    title to confirm, suggested tags (with their score; accepted ones stay listed), a
    possible duplicate of another clipping (`held`: it waits in the trash until kept). Kept
    until dealt with, across restarts; gone with its clipping."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clipping_id: Mapped[int] = mapped_column(
        ForeignKey("clippings.id", ondelete="CASCADE"), unique=True
    )
    # What was imported: a file's path, an address, "pasted text: ...".
    label: Mapped[str] = mapped_column(Text, default="")
    title_guessed: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"kind", "name", "code", "score", "evidence", "accepted"}], best first.
    suggestions: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("clippings.id", ondelete="SET NULL")
    )
    similarity: Mapped[float | None] = mapped_column(Float)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# -- monitoring -------------------------------------------------------------------------------


class Feed(Base):
    """An RSS or Atom feed the archive polls; what it brings in lands in the inbox."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # [[kind, name], ...]: the tags every item of this feed is kept with.
    tags: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # A query in the search language; only entries it matches go to the inbox.
    rule: Mapped[str | None] = mapped_column(Text)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # The validators of the last complete read, for a conditional GET.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    next_poll_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    # Polls that failed in a row (the backoff doubles the interval with each).
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class WatchFolder(Base):
    """A folder whose new files are read into the inbox (and moved away, if the editor wants)."""

    __tablename__ = "watch_folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    move_to: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_polled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class InboxItem(Base):
    """One entry a feed or a watch folder brought in, and what became of it.

    The row is the memory of the entry (its feed or folder and `entry_key`, unique together),
    so polling again never brings it twice and a skipped one never comes back. While it waits
    (`new`) it holds the draft the import pipeline made (JSON, the original bytes beside it);
    once decided, the draft is let go: a kept one lives on as `clipping_id`.
    """

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("feed_id", "entry_key", name="feed_entry"),
        UniqueConstraint("watch_id", "entry_key", name="watch_entry"),
        CheckConstraint(
            "state IN ('new', 'kept', 'skipped', 'dropped', 'known', 'failed')", name="state"
        ),
        CheckConstraint("(feed_id IS NULL) <> (watch_id IS NULL)", name="one_source"),
        Index("ix_inbox_items_state_arrived", "state", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int | None] = mapped_column(
        ForeignKey("feeds.id", ondelete="CASCADE"), index=True
    )
    watch_id: Mapped[int | None] = mapped_column(
        ForeignKey("watch_folders.id", ondelete="CASCADE"), index=True
    )
    # A digest of the entry's identity: its guid, else its link (a file: path, size, mtime).
    entry_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    # A digest of the URL, to find the same link arriving through another feed.
    url_key: Mapped[str | None] = mapped_column(String(64), index=True)
    published: Mapped[dt.date | None] = mapped_column(Date)
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    draft: Mapped[dict[str, object] | None] = mapped_column(JSON)
    original: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # What the editor should know: the page was gone and the summary stands in, a read error.
    note: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # The clipping this one (nearly) duplicates, found at arrival.
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("clippings.id", ondelete="SET NULL")
    )
    similarity: Mapped[float | None] = mapped_column(Float)
    # The inbox item this one is a syndicated copy of: copies collapse under it.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_items.id", ondelete="SET NULL"), index=True
    )
    clipping_id: Mapped[int | None] = mapped_column(
        ForeignKey("clippings.id", ondelete="SET NULL"), index=True
    )


class InboxBand(Base):
    """A MinHash band key of a waiting inbox item's body, to collapse syndicated copies."""

    __tablename__ = "inbox_bands"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_items.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)


class SavedSearch(Base):
    """A named search (query and facets) with the time the editor last opened it."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text, default="")
    # The facets, as `ClippingFilter` fields by name (tag_ids, source, language, dates).
    facets: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
