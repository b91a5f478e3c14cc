"""`DocumentStore`: what the search index reads from the archive (its `DocumentSource`): the
documents of live clippings to index, and the texts a page of hits shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select

from clipper.core.models import Clipping, Note, Source
from clipper.core.store.tags import TagStore
from clipper.core.store.unit import Store, chunks
from clipper.core.views import HitText, IndexDocument

# What a document needs of a clipping, and no more: loading whole clippings also loaded each
# clipping's tags a second time (the relationship's own eager load) beside `tags_of`.
_DOCUMENT_COLUMNS = select(
    Clipping.id,
    Clipping.title,
    Clipping.standfirst,
    Clipping.body,
    Source.name.label("source"),
    Clipping.author,
    Clipping.published,
    Clipping.published_precision,
    Clipping.language,
).outerjoin(Source, Source.id == Clipping.source_id)


class DocumentStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def index_documents(self, ids: Sequence[int]) -> dict[int, IndexDocument]:
        """Documents for the live clippings among `ids` (trashed and purged ones are absent)."""
        docs: dict[int, IndexDocument] = {}
        with self._store.reading() as s:
            tags = TagStore.tags_of(s, ids)
            notes: dict[int, list[str]] = defaultdict(list)
            for chunk in chunks(ids, 500):
                for cid, note_text in s.execute(
                    select(Note.clipping_id, Note.text)
                    .where(Note.clipping_id.in_(chunk))
                    .order_by(Note.id)
                ):
                    notes[cid].append(note_text)
                for c in s.execute(
                    _DOCUMENT_COLUMNS.where(Clipping.id.in_(chunk), Clipping.trashed_at.is_(None))
                ):
                    clipping_tags = tags.get(c.id, [])
                    docs[c.id] = IndexDocument(
                        id=c.id,
                        title=c.title,
                        standfirst=c.standfirst,
                        body=c.body,
                        source=c.source,
                        author=c.author,
                        published=c.published,
                        published_precision=c.published_precision,
                        language=c.language,
                        topic_ids=tuple(t.id for t in clipping_tags if t.kind == "topic"),
                        region_ids=tuple(t.id for t in clipping_tags if t.kind == "region"),
                        tag_names=tuple(t.name for t in clipping_tags),
                        notes=tuple(notes.get(c.id, ())),
                    )
        return docs

    def hit_texts(self, ids: Sequence[int]) -> dict[int, HitText]:
        """Title, source, date and text of the live clippings among `ids`, in one query (no
        tags or notes): what a page of search results shows."""
        found: dict[int, HitText] = {}
        with self._store.reading() as s:
            for chunk in chunks(ids, 500):
                rows = s.execute(
                    select(
                        Clipping.id,
                        Clipping.title,
                        Source.name,
                        Clipping.published,
                        Clipping.language,
                        Clipping.standfirst,
                        Clipping.body,
                    )
                    .outerjoin(Source, Source.id == Clipping.source_id)
                    .where(Clipping.id.in_(chunk), Clipping.trashed_at.is_(None))
                )
                for row in rows:
                    found[row[0]] = HitText(*row)
        return found

    def live_ids(self) -> list[int]:
        with self._store.reading() as s:
            return list(
                s.scalars(
                    select(Clipping.id).where(Clipping.trashed_at.is_(None)).order_by(Clipping.id)
                )
            )

    def count_live(self) -> int:
        with self._store.reading() as s:
            query = select(func.count(Clipping.id)).where(Clipping.trashed_at.is_(None))
            return s.scalar(query) or 0
