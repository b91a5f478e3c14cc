"""Plain data returned by `Archive`: what views, the command line and workers hold.

Nothing here is bound to a database session, so it can cross threads freely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, NewType, TypeVar

ClippingId = NewType("ClippingId", int)
TagId = NewType("TagId", int)
NoteId = NewType("NoteId", int)
DossierId = NewType("DossierId", int)

T = TypeVar("T")


@dataclass(frozen=True)
class OpChanges:
    """What one archive operation changed; views refresh from this and nothing else."""

    clippings: frozenset[int] = frozenset()
    added: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    tags: bool = False
    notes: bool = False
    links: bool = False
    dossiers: bool = False
    trash: bool = False
    seq: int | None = None

    def merge(self, other: OpChanges) -> OpChanges:
        seqs = [s for s in (self.seq, other.seq) if s is not None]
        return OpChanges(
            clippings=self.clippings | other.clippings,
            added=self.added | other.added,
            removed=self.removed | other.removed,
            tags=self.tags or other.tags,
            notes=self.notes or other.notes,
            links=self.links or other.links,
            dossiers=self.dossiers or other.dossiers,
            trash=self.trash or other.trash,
            seq=max(seqs) if seqs else None,
        )


class Changed(NamedTuple, Generic[T]):
    """What an operation created (a note's id, a dossier, a tag) and what it changed, as
    Anki's OpChangesWithId: `note_id, changes = archive.add_note(...)`."""

    value: T
    changes: OpChanges


@dataclass(frozen=True)
class AddResult:
    """The outcome of storing a draft: a new id, or the id of the exact duplicate it matched."""

    id: int
    created: bool
    duplicate_of: int | None
    changes: OpChanges


@dataclass(frozen=True)
class TagRef:
    id: int
    kind: str
    name: str
    code: str | None = None


@dataclass(frozen=True)
class NoteView:
    id: int
    clipping_id: int
    text: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class LinkView:
    """A link seen from one clipping: the other side, its title, and why they belong together."""

    id: int
    other_id: int
    other_title: str
    note: str
    kind: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ReferenceView:
    """A captured "Read more" headline and, once that story is in the archive, its id."""

    headline: str
    owner_id: int
    match_id: int | None


@dataclass(frozen=True)
class ClippingSummary:
    """One row of a clipping list."""

    id: int
    title: str
    source: str | None
    published: dt.date | None
    published_precision: str
    language: str | None
    regions: tuple[str, ...]
    topics: tuple[str, ...]
    imported_at: dt.datetime
    trashed: bool


@dataclass(frozen=True)
class ClippingDetail:
    """Everything about one clipping, as the reader pane and `clipper show` need it."""

    id: int
    title: str
    title_guessed: bool
    standfirst: str
    body: str
    source: str | None
    author: str | None
    url: str | None
    published: dt.date | None
    published_precision: str
    language: str | None
    origin: str
    imported_at: dt.datetime
    updated_at: dt.datetime
    trashed_at: dt.datetime | None
    extra: dict[str, object]
    tags: tuple[TagRef, ...]
    notes: tuple[NoteView, ...]
    links: tuple[LinkView, ...]
    dossiers: tuple[str, ...]
    references: tuple[ReferenceView, ...]
    original_filename: str | None
    original_media_type: str | None
    original_size: int | None

    @property
    def regions(self) -> tuple[TagRef, ...]:
        return tuple(t for t in self.tags if t.kind == "region")

    @property
    def topics(self) -> tuple[TagRef, ...]:
        return tuple(t for t in self.tags if t.kind == "topic")


@dataclass(frozen=True)
class TopicRule:
    """A topic's match rule that is on: what an import tries on each draft."""

    name: str
    code: str | None
    mode: str
    pattern: str


@dataclass(frozen=True)
class TagNode:
    """A tag in its tree, with the number of live clippings on it and under it."""

    id: int
    kind: str
    name: str
    code: str | None
    parent_id: int | None
    group_ids: tuple[int, ...]
    count: int
    total: int
    match_mode: str | None = None
    match_pattern: str | None = None
    match_enabled: bool = True
    # The gazetteer entry a region came from (it may since have been renamed or moved).
    gazetteer_key: str | None = None


@dataclass(frozen=True)
class SourceCount:
    id: int
    name: str
    count: int


@dataclass(frozen=True)
class DossierView:
    id: int
    name: str
    description: str
    clipping_ids: tuple[int, ...]
    created_at: dt.datetime


@dataclass(frozen=True)
class ClippingFilter:
    """Restricts a listing. A tag includes its descendants; several tags must all match."""

    tag_ids: tuple[int, ...] = ()
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    language: str | None = None
    dossier_id: int | None = None
    in_trash: bool = False
    ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class HitText:
    """What a row of search results shows, with the text its snippet is cut from."""

    id: int
    title: str
    source: str | None
    published: dt.date | None
    language: str | None
    standfirst: str
    body: str


@dataclass(frozen=True)
class IndexDocument:
    """What the search index holds for one live clipping, read from the archive."""

    id: int
    title: str
    standfirst: str
    body: str
    source: str | None
    author: str | None
    published: dt.date | None
    language: str | None
    topic_ids: tuple[int, ...]
    region_ids: tuple[int, ...]
    tag_names: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    published_precision: str = "day"

    @property
    def fingerprint(self) -> str:
        """A digest of every indexed field: equal fingerprints mean the index is current."""
        payload = json.dumps(
            [
                self.title,
                self.standfirst,
                self.body,
                self.source,
                self.author,
                self.published.isoformat() if self.published else None,
                self.language,
                sorted(self.topic_ids),
                sorted(self.region_ids),
                sorted(self.tag_names),
                list(self.notes),
                self.published_precision,
            ],
            ensure_ascii=False,
        )
        return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ChangeRecord:
    seq: int
    clipping_id: int
    op: str


@dataclass(frozen=True)
class ReviewSuggestion:
    """A region or topic an import suggested for a clipping, with what it rests on."""

    kind: str
    name: str
    code: str | None = None
    score: float = 0.0
    evidence: str = ""
    accepted: bool = False


@dataclass(frozen=True)
class PendingReview:
    """What an import left for the editor to look at about one stored clipping: a guessed
    title, suggestions (accepted ones stay listed, so a card never shifts under the
    pointer), a possible duplicate of `duplicate_of` (`held`: it waits in the trash)."""

    id: int
    clipping_id: int
    clipping_title: str
    clipping_trashed: bool
    label: str
    title_guessed: bool
    suggestions: tuple[ReviewSuggestion, ...]
    duplicate_of: int | None
    duplicate_title: str | None
    similarity: float | None
    held: bool
    arrived_at: dt.datetime

    @property
    def open_suggestions(self) -> tuple[ReviewSuggestion, ...]:
        return tuple(s for s in self.suggestions if not s.accepted)

    @property
    def is_open(self) -> bool:
        """Something is still to be decided."""
        return self.held or self.title_guessed or bool(self.open_suggestions)
