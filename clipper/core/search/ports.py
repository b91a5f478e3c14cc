"""Everything the search index knows of the archive: the narrow protocols it reads through
and the filter it is given already resolved.

The index follows a change feed, reads documents and hit texts from a document source, and
asks a tag lookup about `topic:`/`region:` terms and facet labels. It imports nothing of
the store, the archive facade or the import pipeline: they depend on it, never the other
way round, so the index can be built, tested and run in a worker process on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from clipper.core.views import ChangeRecord, HitText, IndexDocument, TagRef


class ChangeFeed(Protocol):
    """The archive's change log, by sequence number."""

    def last_seq(self) -> int: ...

    def changes_since(self, seq: int, limit: int | None = None) -> list[ChangeRecord]: ...

    def changes_with_seqs(self, seqs: Sequence[int]) -> list[ChangeRecord]: ...

    def missing_seqs(self, after: int, upto: int) -> list[int]: ...


class DocumentSource(Protocol):
    """The live clippings, as documents to index and as the texts a hit shows."""

    def live_ids(self) -> list[int]: ...

    def count_live(self) -> int: ...

    def index_documents(self, ids: Sequence[int]) -> dict[int, IndexDocument]: ...

    def hit_texts(self, ids: Sequence[int]) -> dict[int, HitText]: ...


class TagLookup(Protocol):
    """Tags by name (query terms) and by id (facet labels), and what lies under a tag."""

    def find(self, kind: str, name: str) -> TagRef | None: ...

    def descendants(self, tag_id: int) -> set[int]: ...

    def subtrees(self, tag_ids: Iterable[int]) -> dict[int, set[int]]: ...

    def names_of(self, tag_ids: Iterable[int]) -> dict[int, TagRef]: ...


@dataclass(frozen=True)
class IndexFilter:
    """A listing filter resolved for the index: every condition must hold.

    `tag_sets` has one (kind, tag ids) pair per tag the filter names, the ids being the tag
    and everything under it; an empty set matches nothing (a tag that is gone). `ids` are a
    dossier's clippings and explicit ids, already intersected.
    """

    tag_sets: tuple[tuple[str, frozenset[int]], ...] = ()
    source_key: str | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    ids: frozenset[int] | None = None
