"""Rules: a query in Clipper's search language that decides which arriving entries go to the
inbox (the rest are dropped and counted), checked when a feed is added and evaluated over
the arriving drafts alone, never over the library.

The drafts are indexed into a small throwaway search index (the archive's own schema and
analysis, in a temporary folder) and the rule runs there through the same engine as a search,
resolving `topic:`/`region:` through the archive's tags. So a rule means exactly what the
same words typed in the search field mean: stemming, accents, phrases, `region:Sahel` taking
in Niger. A draft counts as tagged with what it would be kept with by default: its source's
tags and its confident suggestions (`default_tags`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.search import SearchIndex
from clipper.core.search.ports import TagLookup
from clipper.core.search.query import (
    AllOf,
    AnyOf,
    Node,
    QuerySyntaxError,
    TagClause,
    Without,
    parse,
)
from clipper.core.search.searcher import tag_ids
from clipper.core.views import ChangeRecord, HitText, IndexDocument, TagRef

TagSpec = tuple[str, str]

# Suggestions at least this sure (1.0 is the best of a draft) are the tags an item is kept
# with by default, and what a rule sees of it.
CONFIDENT_SUGGESTION = 0.5


def default_tags(draft: ClippingDraft, source_tags: Sequence[TagSpec] = ()) -> list[TagSpec]:
    """The tags an arrived draft is kept with unless the editor says otherwise: the feed's
    (or folder's) own tags, then its confident region and topic suggestions."""
    return suggested_tags(draft.regions, draft.topics, source_tags)


def suggested_tags(
    regions: Sequence[Suggestion], topics: Sequence[Suggestion], source_tags: Sequence[TagSpec] = ()
) -> list[TagSpec]:
    """`default_tags` from the suggestions alone (what the inbox shows of a waiting item)."""
    tags: list[TagSpec] = list(dict.fromkeys(source_tags))
    for kind, suggestions in (("region", regions), ("topic", topics)):
        for suggestion in suggestions:
            spec = (kind, suggestion.name)
            if suggestion.score >= CONFIDENT_SUGGESTION and spec not in tags:
                tags.append(spec)
    return tags


def _clauses(node: Node) -> Iterator[TagClause]:
    if isinstance(node, TagClause):
        yield node
    elif isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _clauses(child)
    elif isinstance(node, Without):
        yield from _clauses(node.child)


def check_rule(text: str, tags: TagLookup) -> str:
    """The rule as stored, or QuerySyntaxError saying what is wrong with it: malformed, empty,
    or naming a tag the archive does not have (it would silently match nothing)."""
    tree = parse(text)
    if tree is None:
        raise QuerySyntaxError("the rule has nothing to match (leave it out to take every entry)")
    for clause in _clauses(tree):
        if tag_ids(tags, clause.kind, clause.name) is None:
            raise QuerySyntaxError(
                f"the rule names {clause.kind}:{clause.name}, and there is no such {clause.kind}"
            )
    return " ".join(text.split())


class _NoChanges:
    """The change feed of a throwaway index: everything is there from the start."""

    def last_seq(self) -> int:
        return 0

    def changes_since(self, seq: int, limit: int | None = None) -> list[ChangeRecord]:
        return []

    def changes_with_seqs(self, seqs: Sequence[int]) -> list[ChangeRecord]:
        return []

    def missing_seqs(self, after: int, upto: int) -> list[int]:
        return []


class _Drafts:
    """Drafts as the documents of a throwaway index (ids 1, 2, ... in their order)."""

    def __init__(self, documents: dict[int, IndexDocument]) -> None:
        self._documents = documents

    def live_ids(self) -> list[int]:
        return sorted(self._documents)

    def count_live(self) -> int:
        return len(self._documents)

    def index_documents(self, ids: Sequence[int]) -> dict[int, IndexDocument]:
        return {i: self._documents[i] for i in ids if i in self._documents}

    def hit_texts(self, ids: Sequence[int]) -> dict[int, HitText]:
        found = {}
        for i in ids:
            doc = self._documents.get(i)
            if doc is not None:
                found[i] = HitText(
                    i, doc.title, doc.source, doc.published, doc.language, doc.standfirst, doc.body
                )
        return found


def _document(number: int, draft: ClippingDraft, tag_refs: Sequence[TagRef]) -> IndexDocument:
    return IndexDocument(
        id=number,
        title=draft.title,
        standfirst=draft.standfirst,
        body=draft.body,
        source=draft.source,
        author=draft.author,
        published=draft.published,
        language=draft.language,
        topic_ids=tuple(t.id for t in tag_refs if t.kind == "topic"),
        region_ids=tuple(t.id for t in tag_refs if t.kind == "region"),
        tag_names=tuple(t.name for t in tag_refs),
    )


def matching_drafts(
    rule: str,
    drafts: Sequence[ClippingDraft],
    tags: TagLookup,
    source_tags: Sequence[TagSpec] = (),
) -> set[int]:
    """The positions in `drafts` of those the rule matches (see the module notes)."""
    if not drafts:
        return set()
    documents = {}
    for number, draft in enumerate(drafts, start=1):
        refs = []
        for kind, name in default_tags(draft, source_tags):
            ref = tags.find(kind, name)
            if ref is not None:
                refs.append(ref)
        documents[number] = _document(number, draft, refs)
    with tempfile.TemporaryDirectory(prefix="clipper-rule-") as folder:
        index = SearchIndex.open(
            Path(folder) / "index", _NoChanges(), _Drafts(documents), tags, parallel=False
        )
        try:
            return {number - 1 for number, _score in index.ranked_ids(rule)}
        finally:
            index.close()
