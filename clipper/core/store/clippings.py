"""`ClippingStore`: storing drafts, editing clippings, and reading them back (details, list
rows, filtered and sorted listings, originals, exact and near duplicates)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, Table, and_, delete, func, insert, or_, select
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.orm import Session

from clipper.core import dedupe
from clipper.core.drafts import ClippingDraft
from clipper.core.errors import InvalidInput, checked_kind
from clipper.core.models import (
    Base,
    Clipping,
    ClippingTag,
    Dossier,
    DossierItem,
    Link,
    Original,
    Reference,
    ShingleBand,
    Source,
    Tag,
    utcnow,
)
from clipper.core.store.tags import TagStore
from clipper.core.store.unit import Store, chunks
from clipper.core.text import content_hash, name_key
from clipper.core.views import (
    AddResult,
    ClippingDetail,
    ClippingFilter,
    ClippingSummary,
    LinkView,
    NoteView,
    OpChanges,
    ReferenceView,
)
from clipper.core.vocabulary import DATE_PRECISIONS

# Fields `update` may change, and how each is checked.
EDITABLE_FIELDS = (
    "title",
    "standfirst",
    "body",
    "source",
    "author",
    "url",
    "published",
    "published_precision",
    "language",
    "extra",
)

# Orders a clipping list can be sorted in.
SORT_KEYS: dict[str, Any] = {
    "published": Clipping.published,
    "imported": Clipping.imported_at,
    "title": Clipping.title,
    "id": Clipping.id,
}
# Orders by a clipping's tags of one kind (see `list_ids`).
TAG_SORTS = {"regions": "region", "topics": "topic"}


# How deep a clipping's `extra` facts may nest: far beyond any real metadata, well below what
# JSON encoders and the window's viewers can walk (900 levels broke `show --json`).
MAX_EXTRA_DEPTH = 32


def checked_extra(extra: object) -> dict[str, object]:
    """`extra` as a dict, refused (InvalidInput) when it is not one or nests too deep."""
    if not isinstance(extra, dict):
        kind = type(extra).__name__
        raise InvalidInput(f"a clipping's extra facts must be a mapping, not {kind}")
    stack: list[tuple[object, int]] = [(extra, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_EXTRA_DEPTH:
            raise InvalidInput(
                f"the clipping's extra facts nest deeper than {MAX_EXTRA_DEPTH} levels"
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((item, depth + 1) for item in value)
    return dict(extra)


def _table(model: type[Base]) -> Table:
    """The model's table, for Core inserts of many rows (no ORM bookkeeping per row)."""
    return cast(Table, model.__table__)


def _insert_plain_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[int, int]]
) -> None:
    """INSERT rows of plain integers through the driver's executemany: forty band keys a
    clipping, where SQLAlchemy's processing of each row's parameters cost more than the
    database's insert (integers need none)."""
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(c) for c in columns)})"
        f" VALUES ({', '.join(marker for _ in columns)})"
    )
    connection.exec_driver_sql(sql, list(rows))


def band_keys(body: str) -> list[int]:
    """MinHash band keys of a body, stored for near-duplicate lookups."""
    return dedupe.body_band_keys(body.strip())


@dataclass(frozen=True)
class NewClipping:
    """One draft for `ClippingStore.add_many`, with its tags and (from an export) its times."""

    draft: ClippingDraft
    tags: Sequence[tuple[str, str]] = ()
    imported_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class _Prepared:
    """A new clipping checked, with what is computed before the transaction: its hashes."""

    draft: ClippingDraft
    title: str
    tags: tuple[tuple[str, str], ...]
    extra: dict[str, object]
    digest: str
    bands: list[int]
    imported_at: dt.datetime | None
    updated_at: dt.datetime | None

    @classmethod
    def of(cls, item: NewClipping) -> _Prepared:
        """The item checked (InvalidInput says what is wrong with it)."""
        draft = item.draft
        title = " ".join(draft.title.split())
        if not draft.body.strip():
            raise InvalidInput("the clipping has no text")
        if not title:
            raise InvalidInput("the clipping has no title")
        if draft.published_precision not in DATE_PRECISIONS:
            raise InvalidInput(f"unknown date precision {draft.published_precision!r}")
        return cls(
            draft=draft,
            title=title,
            tags=tuple((checked_kind(kind), name) for kind, name in item.tags),
            extra=checked_extra(draft.extra),
            digest=content_hash(draft.body),
            bands=band_keys(draft.body),
            imported_at=item.imported_at,
            updated_at=item.updated_at,
        )


def _insert_clippings(
    session: Session, tag_store: TagStore, items: Sequence[_Prepared]
) -> dict[str, int]:
    """Insert the clippings of new texts, in order; their ids by content hash. A text
    another desk has just stored is left out (the unique content hash: insert-or-skip,
    which on a server waits for that desk's transaction)."""
    if not items:
        return {}
    sources: dict[str, int | None] = {}
    rows = []
    for item in items:
        draft = item.draft
        name = draft.source or ""
        if name not in sources:
            source = tag_store.source(session, draft.source)
            sources[name] = source.id if source is not None else None
        now = item.imported_at or utcnow()
        rows.append(
            {
                "title": item.title,
                "title_key": name_key(item.title),
                "title_guessed": draft.title_guessed,
                "standfirst": draft.standfirst.strip(),
                "body": draft.body.strip(),
                "source_id": sources[name],
                "author": draft.author,
                "url": draft.url,
                "published": draft.published,
                "published_precision": draft.published_precision,
                "language": draft.language,
                "imported_at": now,
                "updated_at": item.updated_at or now,
                "origin": draft.origin,
                "extra": item.extra,
                "content_hash": item.digest,
            }
        )
    table = _table(Clipping)
    statement: Any
    if session.get_bind().dialect.name == "postgresql":
        statement = pg_dialect.insert(table).on_conflict_do_nothing(index_elements=["content_hash"])
    else:
        statement = sqlite_dialect.insert(table).on_conflict_do_nothing(
            index_elements=["content_hash"]
        )
    statement = statement.returning(table.c.id, table.c.content_hash)
    return {digest: clipping_id for clipping_id, digest in session.execute(statement, rows)}


def _insert_parts(
    session: Session, tag_store: TagStore, created: Sequence[tuple[int, _Prepared]]
) -> int | None:
    """Store what belongs to new clippings (originals, band keys, tags, references) and
    log their adding; returns the last change number written."""
    if not created:
        return None
    originals = []
    bands: list[tuple[int, int]] = []
    links: list[dict[str, object]] = []
    references = []
    tag_ids: dict[tuple[str, str], int] = {}
    for clipping_id, item in created:
        draft = item.draft
        if draft.original is not None:
            originals.append(
                {
                    "clipping_id": clipping_id,
                    "filename": draft.original_filename,
                    "media_type": draft.original_media_type,
                    "data": draft.original,
                    "sha256": hashlib.sha256(draft.original).hexdigest(),
                }
            )
        bands.extend((clipping_id, band) for band in item.bands)
        tagged: dict[int, None] = {}
        for kind, name in item.tags:
            if (kind, name) not in tag_ids:
                tag_ids[kind, name] = tag_store.get_or_create(session, kind, name).id
            tagged[tag_ids[kind, name]] = None
        now = utcnow()
        links.extend({"clipping_id": clipping_id, "tag_id": t, "added_at": now} for t in tagged)
        seen: set[str] = set()
        for headline in draft.related_refs:
            key = name_key(headline)
            if key and key not in seen:
                seen.add(key)
                references.append(
                    {"clipping_id": clipping_id, "headline": headline.strip(), "key": key}
                )
    _insert_plain_rows(session, _table(ShingleBand), ("clipping_id", "band"), bands)
    for model, rows in (
        (Original, originals),
        (ClippingTag, links),
        (Reference, references),
    ):
        if rows:
            session.execute(insert(_table(model)), rows)
    return Store.log_change(session, [clipping_id for clipping_id, _ in created], "add")


class ClippingStore:
    def __init__(self, store: Store, tags: TagStore) -> None:
        self._store = store
        self._tags = tags

    # -- adding and editing ------------------------------------------------------------------

    def add(
        self,
        draft: ClippingDraft,
        tags: Iterable[tuple[str, str]] = (),
        *,
        imported_at: dt.datetime | None = None,
        updated_at: dt.datetime | None = None,
    ) -> AddResult:
        """Store a draft (with tags), or return the exact duplicate already in the archive.

        `imported_at`/`updated_at` keep a clipping's history when an export is imported back.
        """
        return self.add_many([NewClipping(draft, tuple(tags), imported_at, updated_at)])[0]

    def add_many(self, items: Iterable[NewClipping]) -> list[AddResult]:
        """Store drafts as `add` stores each of them, in order, in one transaction and a few
        statements (the JSON import): one result per item. A text already in the archive, or
        earlier in `items`, gives that clipping (not created). An invalid item stores nothing
        of them all (inside a `batch`, as for `add`: the batch is rolled back when the error
        leaves it).

        A created clipping's `changes.seq` is the last change number the call wrote (every
        one of the call's clippings is at or below it)."""
        prepared = [_Prepared.of(item) for item in items]
        if not prepared:
            return []
        with self._store.writing() as s:
            # The inserts below are Core statements, which do not flush the batch's pending
            # ORM objects: flush them first, so that the database holds what they refer to.
            s.flush()
            results: list[AddResult | None] = [None] * len(prepared)
            known = self._with_hashes(s, [p.digest for p in prepared])
            first: dict[str, int] = {}
            new: list[int] = []
            for position, item in enumerate(prepared):
                if item.digest in known:
                    results[position] = self._duplicate(known[item.digest])
                elif item.digest in first:
                    continue  # the same text earlier in `items`: its clipping, once stored
                else:
                    first[item.digest] = position
                    new.append(position)
            ids = _insert_clippings(s, self._tags, [prepared[position] for position in new])
            created: list[tuple[int, _Prepared]] = []
            for position in new:
                item = prepared[position]
                clipping_id = ids.get(item.digest)
                if clipping_id is None:
                    # Another desk stored this text at this moment: its clipping is the answer.
                    existing = self._with_hash(s, item.digest)
                    if existing is None:
                        raise InvalidInput(
                            "not stored: it conflicts with a change made at the same moment"
                        )
                    results[position] = self._duplicate(existing)
                else:
                    created.append((clipping_id, item))
            seq = _insert_parts(s, self._tags, created)
            for clipping_id, item in created:
                results[first[item.digest]] = AddResult(
                    clipping_id,
                    created=True,
                    duplicate_of=None,
                    changes=OpChanges(
                        clippings=frozenset({clipping_id}),
                        added=frozenset({clipping_id}),
                        tags=bool(item.tags),
                        seq=seq,
                    ),
                )
            for position, item in enumerate(prepared):
                if results[position] is None:
                    owner = results[first[item.digest]]
                    assert owner is not None
                    results[position] = self._duplicate(owner.id)
            return [result for result in results if result is not None]

    @staticmethod
    def _with_hash(session: Session, digest: str) -> int | None:
        return session.scalar(select(Clipping.id).where(Clipping.content_hash == digest))

    @staticmethod
    def _with_hashes(session: Session, digests: Sequence[str]) -> dict[str, int]:
        """The clippings that have these texts, by content hash."""
        found: dict[str, int] = {}
        for chunk in chunks(sorted(set(digests)), 500):
            query = select(Clipping.content_hash, Clipping.id).where(
                Clipping.content_hash.in_(chunk)
            )
            found.update((digest, clipping_id) for digest, clipping_id in session.execute(query))
        return found

    @staticmethod
    def _duplicate(existing: int) -> AddResult:
        return AddResult(existing, created=False, duplicate_of=existing, changes=OpChanges())

    def update(self, clipping_id: int, **fields: Any) -> OpChanges:
        """Change metadata (or the body); a confirmed title stops being a guess."""
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput(f"cannot edit {', '.join(sorted(unknown))}")
        with self._store.writing() as s:
            clipping = self._store.require_clipping(s, clipping_id)
            for name, value in fields.items():
                if name == "title":
                    value = " ".join(str(value).split())
                    if not value:
                        raise InvalidInput("a title cannot be empty")
                    clipping.title_guessed = False
                    clipping.title_key = name_key(value)
                if name == "body":
                    if not str(value).strip():
                        raise InvalidInput("the body cannot be empty")
                    digest = content_hash(value)
                    same = self._with_hash(s, digest)
                    if same is not None and same != clipping_id:
                        raise InvalidInput(f"clipping {same} already has this text")
                    clipping.content_hash = digest
                    s.execute(delete(ShingleBand).where(ShingleBand.clipping_id == clipping_id))
                    s.add_all(
                        ShingleBand(clipping_id=clipping_id, band=band)
                        for band in band_keys(str(value))
                    )
                if name == "extra":
                    value = checked_extra(value)
                if name == "published_precision" and value not in DATE_PRECISIONS:
                    raise InvalidInput(f"unknown date precision {value!r}")
                if name == "source":
                    clipping.source = self._tags.source(s, value)
                    continue
                setattr(clipping, name, value)
            clipping.updated_at = utcnow()
            seq = self._store.log_change(s, [clipping_id], "update")
            return OpChanges(clippings=frozenset({clipping_id}), seq=seq)

    def confirm_title(self, clipping_id: int) -> OpChanges:
        with self._store.writing() as s:
            self._store.require_clipping(s, clipping_id).title_guessed = False
            seq = self._store.log_change(s, [clipping_id], "update")
            return OpChanges(clippings=frozenset({clipping_id}), seq=seq)

    # -- listing -----------------------------------------------------------------------------

    def _filtered(self, session: Session, query: Select[Any], flt: ClippingFilter) -> Select[Any]:
        query = query.where(
            Clipping.trashed_at.is_not(None) if flt.in_trash else Clipping.trashed_at.is_(None)
        )
        if flt.tag_ids:
            graph = self._tags.graph(session)
            for tag_id in flt.tag_ids:
                tag_ids = self._tags.closure(graph, [tag_id])
                query = query.where(
                    Clipping.id.in_(
                        select(ClippingTag.clipping_id).where(ClippingTag.tag_id.in_(tag_ids))
                    )
                )
        if flt.source:
            query = query.where(
                Clipping.source_id.in_(select(Source.id).where(Source.key == name_key(flt.source)))
            )
        if flt.date_from:
            query = query.where(Clipping.published >= flt.date_from)
        if flt.date_to:
            query = query.where(Clipping.published <= flt.date_to)
        if flt.language:
            query = query.where(Clipping.language == flt.language)
        if flt.dossier_id is not None:
            query = query.join(
                DossierItem,
                and_(
                    DossierItem.clipping_id == Clipping.id, DossierItem.dossier_id == flt.dossier_id
                ),
            ).order_by(DossierItem.position)
        if flt.ids is not None:
            query = query.where(Clipping.id.in_(flt.ids))
        return query

    def list_ids(
        self,
        flt: ClippingFilter | None = None,
        sort: str = "published",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[int]:
        """Ids of the clippings matching a filter, in order (a dossier keeps its own order)."""
        flt = flt or ClippingFilter()
        if sort not in SORT_KEYS and sort not in TAG_SORTS and sort != "source":
            raise InvalidInput(f"cannot sort by {sort!r}")
        with self._store.reading() as s:
            query = self._filtered(s, select(Clipping.id), flt)
            if flt.dossier_id is None:
                if sort == "source":
                    query = query.outerjoin(Source, Source.id == Clipping.source_id)
                    column: Any = Source.key
                elif sort in TAG_SORTS:
                    # By the first of its regions (topics) in alphabetical order, as the
                    # list shows them; clippings with none come last. The tag's key is a
                    # subquery of its own so that the database walks each clipping's few tags,
                    # not the thousands of regions: 0.28 s instead of 3.6 s at 100,000.
                    tag_key = (
                        select(Tag.key)
                        .where(Tag.id == ClippingTag.tag_id, Tag.kind == TAG_SORTS[sort])
                        .correlate(ClippingTag)
                        .scalar_subquery()
                    )
                    column = (
                        select(func.min(tag_key))
                        .where(ClippingTag.clipping_id == Clipping.id)
                        .correlate(Clipping)
                        .scalar_subquery()
                    )
                else:
                    column = SORT_KEYS[sort]
                first = column.desc() if descending else column.asc()
                tie = Clipping.id.desc() if descending else Clipping.id.asc()
                query = query.order_by(first.nulls_last(), tie)
            if limit is not None:
                query = query.limit(limit)
            if offset:
                query = query.offset(offset)
            return list(s.scalars(query))

    def count(self, flt: ClippingFilter | None = None) -> int:
        with self._store.reading() as s:
            query = self._filtered(s, select(func.count(Clipping.id)), flt or ClippingFilter())
            return s.scalar(query) or 0

    def summaries(self, ids: Sequence[int]) -> list[ClippingSummary]:
        """Rows for these ids, in the same order; ids that no longer exist are left out."""
        if not ids:
            return []
        # The row's columns only: loading whole clippings read every body and loaded every
        # clipping's tags a second time (the relationship's own eager load), 62 ms of the
        # 600 rows the window reads as it opens.
        columns = select(
            Clipping.id,
            Clipping.title,
            Source.name.label("source"),
            Clipping.published,
            Clipping.published_precision,
            Clipping.language,
            Clipping.imported_at,
            Clipping.trashed_at,
        ).outerjoin(Source, Source.id == Clipping.source_id)
        with self._store.reading() as s:
            rows: dict[int, ClippingSummary] = {}
            tags = self._tags.tags_of(s, ids)
            for chunk in chunks(ids, 500):
                for row in s.execute(columns.where(Clipping.id.in_(chunk))):
                    clipping_tags = tags.get(row.id, [])
                    rows[row.id] = ClippingSummary(
                        id=row.id,
                        title=row.title,
                        source=row.source,
                        published=row.published,
                        published_precision=row.published_precision,
                        language=row.language,
                        regions=tuple(t.name for t in clipping_tags if t.kind == "region"),
                        topics=tuple(t.name for t in clipping_tags if t.kind == "topic"),
                        imported_at=row.imported_at,
                        trashed=row.trashed_at is not None,
                    )
            return [rows[i] for i in ids if i in rows]

    def list_summaries(
        self, flt: ClippingFilter | None = None, limit: int | None = None, offset: int = 0
    ) -> list[ClippingSummary]:
        return self.summaries(self.list_ids(flt, limit=limit, offset=offset))

    # -- one clipping ------------------------------------------------------------------------

    def get(self, clipping_id: int) -> ClippingDetail:
        with self._store.reading() as s:
            c = self._store.require_clipping(s, clipping_id)
            links = []
            for link in s.scalars(
                select(Link).where(or_(Link.low_id == clipping_id, Link.high_id == clipping_id))
            ):
                other = link.high_id if link.low_id == clipping_id else link.low_id
                other_title = s.scalar(select(Clipping.title).where(Clipping.id == other)) or ""
                links.append(
                    LinkView(link.id, other, other_title, link.note, link.kind, link.created_at)
                )
            dossiers = s.scalars(
                select(Dossier.name)
                .join(DossierItem, DossierItem.dossier_id == Dossier.id)
                .where(DossierItem.clipping_id == clipping_id)
                .order_by(Dossier.name)
            )
            original = s.execute(
                select(Original.filename, Original.media_type, func.length(Original.data)).where(
                    Original.clipping_id == clipping_id
                )
            ).first()
            return ClippingDetail(
                id=c.id,
                title=c.title,
                title_guessed=c.title_guessed,
                standfirst=c.standfirst,
                body=c.body,
                source=c.source.name if c.source else None,
                author=c.author,
                url=c.url,
                published=c.published,
                published_precision=c.published_precision,
                language=c.language,
                origin=c.origin,
                imported_at=c.imported_at,
                updated_at=c.updated_at,
                trashed_at=c.trashed_at,
                extra=dict(c.extra or {}),
                tags=tuple(self._tags.tags_of(s, [clipping_id]).get(clipping_id, [])),
                notes=tuple(
                    NoteView(n.id, n.clipping_id, n.text, n.created_at, n.updated_at)
                    for n in c.notes
                ),
                links=tuple(sorted(links, key=lambda v: v.created_at)),
                dossiers=tuple(dossiers),
                references=tuple(self._references(s, c)),
                original_filename=original[0] if original else None,
                original_media_type=original[1] if original else None,
                original_size=original[2] if original else None,
            )

    def original(self, clipping_id: int) -> bytes | None:
        with self._store.reading() as s:
            return s.scalar(select(Original.data).where(Original.clipping_id == clipping_id))

    def _references(self, session: Session, clipping: Clipping) -> Iterator[ReferenceView]:
        """Headlines this clipping promoted (matched or not), and clippings that promoted it."""
        for ref in session.scalars(
            select(Reference).where(Reference.clipping_id == clipping.id).order_by(Reference.id)
        ):
            match = self._live_with_title_key(session, ref.key, exclude=clipping.id)
            yield ReferenceView(ref.headline, clipping.id, match)
        if clipping.title_key:
            for ref in session.scalars(
                select(Reference)
                .join(Clipping, Clipping.id == Reference.clipping_id)
                .where(
                    Reference.key == clipping.title_key,
                    Reference.clipping_id != clipping.id,
                    Clipping.trashed_at.is_(None),
                )
            ):
                yield ReferenceView(ref.headline, ref.clipping_id, clipping.id)

    @staticmethod
    def _live_with_title_key(session: Session, key: str, exclude: int) -> int | None:
        return session.scalar(
            select(Clipping.id)
            .where(
                Clipping.title_key == key,
                Clipping.trashed_at.is_(None),
                Clipping.id != exclude,
            )
            .order_by(Clipping.id)
        )

    # -- duplicates --------------------------------------------------------------------------

    def near_duplicates(
        self, body: str, threshold: float | None = None, limit: int = 5
    ) -> list[tuple[int, float]]:
        """Live clippings whose body is at least `threshold` alike to `body` in its 4-word
        shingles (`dedupe.similarity`: Jaccard, or the containment of a shortened copy),
        best first: syndicated copies of the same wire story."""
        threshold = dedupe.NEAR_DUPLICATE_JACCARD if threshold is None else threshold
        hashes = dedupe.shingles(body)
        if not hashes:
            return []
        keys = dedupe.body_band_keys(body)
        found: list[tuple[int, float]] = []
        with self._store.reading() as s:
            candidates = sorted(
                set(s.scalars(select(ShingleBand.clipping_id).where(ShingleBand.band.in_(keys))))
            )
            for chunk in chunks(candidates, 200):
                for cid, other in s.execute(
                    select(Clipping.id, Clipping.body).where(
                        Clipping.id.in_(chunk), Clipping.trashed_at.is_(None)
                    )
                ):
                    similarity = dedupe.similarity(hashes, dedupe.shingles(other))
                    if similarity >= threshold:
                        found.append((cid, round(similarity, 3)))
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:limit]

    def ids_with_hash(self, digest: str) -> list[int]:
        with self._store.reading() as s:
            return list(s.scalars(select(Clipping.id).where(Clipping.content_hash == digest)))
