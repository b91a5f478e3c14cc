"""`TagStore`: topics and regions (a tree plus overlapping groupings), the gazetteer's regions
as tags, topic match rules, sources, and tagging clippings.

It is also the search index's `TagLookup`: `find`, `descendants`, `subtrees` and `names_of`
are all the index knows of tags.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import regex
from sqlalchemy import Select, String, and_, cast, delete, func, select, text, update
from sqlalchemy.orm import Session

from clipper.core import db
from clipper.core.errors import InvalidInput, NotFound, checked_kind
from clipper.core.models import Clipping, ClippingTag, Meta, Source, Tag, TagMember
from clipper.core.regions import Gazetteer
from clipper.core.rule_patterns import backtracking_reason, compile_rule
from clipper.core.store.count_cache import TagCountCache, archive_state
from clipper.core.store.unit import Store, chunks
from clipper.core.text import name_key
from clipper.core.views import Changed, OpChanges, SourceCount, TagNode, TagRef, TopicRule
from clipper.core.vocabulary import MATCH_MODES


def _ref(tag: Tag) -> TagRef:
    return TagRef(tag.id, tag.kind, tag.name, tag.code)


# What the tree is now, in one row: any added, removed or moved tag or grouping member changes
# it (each row's part is weighted by a number drawn from its id, so two changes do not cancel).
_TREE_DIGEST = text(
    "SELECT (SELECT count(*) FROM tags), (SELECT coalesce(max(id), 0) FROM tags), "
    "(SELECT coalesce(sum(coalesce(parent_id, 0) * ((id * 40503) % 65521) + id), 0) FROM tags), "
    "(SELECT count(*) FROM tag_members), "
    "(SELECT coalesce(sum(group_id * ((member_id * 40503) % 65521) + member_id), 0) "
    "FROM tag_members)"
)


class TagStore:
    def __init__(self, store: Store, gazetteer: Gazetteer) -> None:
        self._store = store
        self.gazetteer = gazetteer
        self._graph_cache: tuple[tuple[int, ...], dict[int, set[int]]] | None = None
        self._count_cache = (
            TagCountCache(store.location.home) if store.engine.dialect.name == "sqlite" else None
        )

    # -- the gazetteer as region tags --------------------------------------------------------

    def sync_gazetteer(self) -> None:
        """Make the region tree match the gazetteer when it is new or has grown."""
        version = str(self.gazetteer.version)
        with self._store.reading() as s:
            stored = s.get(Meta, "gazetteer_version")
            if stored is not None and stored.value == version:
                return
        with self._store.writing() as s:
            # Desks opening one shared archive at once: one syncs, the others find it done.
            db.serialize_writers(s, "gazetteer sync")
            stored = s.get(Meta, "gazetteer_version", populate_existing=True)
            if stored is not None and stored.value == version:
                return
            existing = {
                t.gazetteer_key: t
                for t in s.scalars(select(Tag).where(Tag.gazetteer_key.is_not(None)))
            }
            by_key = {t.key: t for t in s.scalars(select(Tag).where(Tag.kind == "region"))}
            tags: dict[str, Tag] = {}
            for region in self.gazetteer.regions.values():
                tag = existing.get(region.key) or by_key.get(name_key(region.name))
                if tag is None:
                    tag = Tag(kind="region", name=region.name, key=name_key(region.name))
                    s.add(tag)
                tag.gazetteer_key = region.key
                tag.code = region.code
                tags[region.key] = tag
            s.flush()
            for region in self.gazetteer.regions.values():
                parent = tags.get(region.parent) if region.parent else None
                tags[region.key].parent_id = parent.id if parent else None
            s.execute(
                delete(TagMember).where(TagMember.group_id.in_([t.id for t in tags.values()]))
            )
            memberships = {
                (tags[region.key].id, tags[m].id)
                for region in self.gazetteer.regions.values()
                for m in region.members
                if m in tags
            }
            s.add_all(TagMember(group_id=g, member_id=m) for g, m in memberships)
            s.merge(Meta(key="gazetteer_version", value=version))

    # -- sources -----------------------------------------------------------------------------

    @staticmethod
    def source(session: Session, name: str | None) -> Source | None:
        """The source of that name, created when new; None for a blank name. Two desks adding
        the same new source at once get the same row (insert-or-get on the unique key)."""
        if not name or not name.strip():
            return None
        key = name_key(name)
        if not key:
            return None
        query = select(Source).where(Source.key == key)
        source = session.scalar(query)
        if source is None:
            db.insert_if_absent(session, Source, {"name": name.strip(), "key": key})
            source = session.scalar(query)
            assert source is not None
        return source

    def sources(self) -> list[SourceCount]:
        with self._store.reading() as s:
            rows = s.execute(
                select(Source.id, Source.name, func.count(Clipping.id))
                .join(
                    Clipping, and_(Clipping.source_id == Source.id, Clipping.trashed_at.is_(None))
                )
                .group_by(Source.id)
                .order_by(Source.name)
            )
            return [SourceCount(*row) for row in rows]

    # -- finding tags and walking the tree ---------------------------------------------------

    def find_in(self, session: Session, kind: str, name: str) -> Tag | None:
        tag = session.scalar(select(Tag).where(Tag.kind == kind, Tag.key == name_key(name)))
        if tag is None and kind == "region":
            region = self.gazetteer.lookup(name)
            if region is not None:
                tag = session.scalar(select(Tag).where(Tag.gazetteer_key == region.key))
        return tag

    def get_or_create(self, session: Session, kind: str, name: str) -> Tag:
        """The tag of that kind and name, created at the top of its tree when new."""
        checked_kind(kind)
        tag = self.find_in(session, kind, name)
        if tag is None:
            key = name_key(name)
            if not key:
                raise InvalidInput(f"tag name {name!r} has no letters or digits")
            # Insert-or-get: another desk may be creating the same tag right now.
            values = {"kind": kind, "name": name.strip(), "key": key, "match_enabled": True}
            db.insert_if_absent(session, Tag, values)
            tag = session.scalar(select(Tag).where(Tag.kind == kind, Tag.key == key))
            assert tag is not None
        return tag

    def find(self, kind: str, name: str) -> TagRef | None:
        """The tag of that kind called `name` (a region also by any of its gazetteer names
        or its ISO code), or None."""
        with self._store.reading() as s:
            tag = self.find_in(s, checked_kind(kind), name)
            return _ref(tag) if tag else None

    @staticmethod
    def graph(session: Session) -> dict[int, set[int]]:
        """Children of each tag: tree children and grouping members."""
        children: dict[int, set[int]] = defaultdict(set)
        for tag_id, parent_id in session.execute(select(Tag.id, Tag.parent_id)):
            if parent_id is not None:
                children[parent_id].add(tag_id)
        for group_id, member_id in session.execute(select(TagMember.group_id, TagMember.member_id)):
            children[group_id].add(member_id)
        return children

    @staticmethod
    def closure(children: dict[int, set[int]], roots: Iterable[int]) -> set[int]:
        seen: set[int] = set()
        stack = list(roots)
        while stack:
            tag_id = stack.pop()
            if tag_id not in seen:
                seen.add(tag_id)
                stack.extend(children.get(tag_id, ()))
        return seen

    def descendants(self, tag_id: int) -> set[int]:
        """The tag and everything under it (sub-regions, members of a grouping)."""
        with self._store.reading() as s:
            return self.closure(self.graph(s), [tag_id])

    def subtrees(self, tag_ids: Iterable[int]) -> dict[int, set[int]]:
        """Each tag with everything under it (as `descendants`). The search index asks this
        for every facet count: the tree is read again only when its digest (one aggregate
        query) says that it changed, here or in another process."""
        with self._store.reading() as s:
            digest = tuple(s.execute(_TREE_DIGEST).one())
            cached = self._graph_cache
            if cached is None or cached[0] != digest:
                cached = self._graph_cache = (digest, self.graph(s))
        graph = cached[1]
        return {tag_id: self.closure(graph, [tag_id]) for tag_id in tag_ids}

    def names_of(self, tag_ids: Iterable[int]) -> dict[int, TagRef]:
        """The tags of these ids. Rows, not ORM objects: every search's facets ask this for
        every tag applied to a hit (hundreds), and loading them as objects cost more than the
        query (9 of 96 ms of a search at 200,000 clippings, profiled)."""
        ids = list(tag_ids)
        with self._store.reading() as s:
            return {
                row[0]: TagRef(*row)
                for chunk in chunks(ids, 500)
                for row in s.execute(
                    select(Tag.id, Tag.kind, Tag.name, Tag.code).where(Tag.id.in_(chunk))
                )
            }

    @staticmethod
    def tags_of(session: Session, ids: Sequence[int]) -> dict[int, list[TagRef]]:
        """Each clipping's tags, by kind then name."""
        result: dict[int, list[TagRef]] = defaultdict(list)
        for chunk in chunks(ids, 500):
            rows = session.execute(
                select(ClippingTag.clipping_id, Tag.id, Tag.kind, Tag.name, Tag.code)
                .join(Tag, Tag.id == ClippingTag.tag_id)
                .where(ClippingTag.clipping_id.in_(chunk))
                .order_by(Tag.kind, Tag.key, Tag.name)
            )
            for cid, tag_id, kind, name, code in rows:
                result[cid].append(TagRef(tag_id, kind, name, code))
        return result

    def tree(self, kind: str) -> list[TagNode]:
        """Every tag of a kind with its direct and subtree counts of live clippings."""
        checked_kind(kind)
        with self._store.reading() as s:
            graph = self.graph(s)
            tags = list(s.scalars(select(Tag).where(Tag.kind == kind).order_by(Tag.name)))
            groups: dict[int, list[int]] = defaultdict(list)
            for group_id, member_id in s.execute(select(TagMember.group_id, TagMember.member_id)):
                groups[member_id].append(group_id)
            count, total = self._live_counts(s, kind, graph, [tag.id for tag in tags])
            nodes = []
            for tag in tags:
                nodes.append(
                    TagNode(
                        id=tag.id,
                        kind=tag.kind,
                        name=tag.name,
                        code=tag.code,
                        parent_id=tag.parent_id,
                        group_ids=tuple(sorted(groups.get(tag.id, ()))),
                        count=count[tag.id],
                        total=total[tag.id],
                        match_mode=tag.match_mode,
                        match_pattern=tag.match_pattern,
                        match_enabled=tag.match_enabled,
                        gazetteer_key=tag.gazetteer_key,
                    )
                )
            return nodes

    def _live_counts(
        self, session: Session, kind: str, graph: dict[int, set[int]], tag_ids: Sequence[int]
    ) -> tuple[Counter[int], Counter[int]]:
        """Live clippings on each tag of a kind, and on it or anything under it (a clipping
        on two tags under it counts once).

        The database groups the clippings by the set of tags they carry (a few thousand
        sets at 20,000 clippings), and only those sets come to Python: reading every
        (tag, clipping) pair into sets took a second of the window's startup at 20,000
        clippings, and grew with the archive. "Not trashed" is asked of the trash index,
        not of each clipping's row, whose trash date sits after its text. The counts are
        kept between sessions in the archive folder while neither the archive nor the tree
        changes (`count_cache`, on SQLite)."""
        cache = self._count_cache
        state: list[object] = []
        if cache is not None:
            state = [*archive_state(session), *session.execute(_TREE_DIGEST).one()]
            cached = cache.get(kind, state)
            if cached is not None:
                return cached
        above: dict[int, set[int]] = defaultdict(set)
        for tag_id in tag_ids:
            for below in self.closure(graph, [tag_id]):
                above[below].add(tag_id)
        count: Counter[int] = Counter()
        total: Counter[int] = Counter()
        for joined, clippings in session.execute(self._tag_sets(kind)):
            on = {int(tag_id) for tag_id in joined.split(",")}
            for tag_id in on:
                count[tag_id] += clippings
            for tag_id in set().union(*(above[t] for t in on)):
                total[tag_id] += clippings
        if cache is not None:
            cache.put(kind, state, count, total)
        return count, total

    @staticmethod
    def _tag_sets(kind: str) -> Select[Any]:
        """The live clippings grouped by the set of tags of this kind they carry: the set's
        ids joined by commas, and how many."""
        trashed = select(Clipping.id).where(Clipping.trashed_at.is_not(None))
        carried = (
            select(func.aggregate_strings(cast(ClippingTag.tag_id, String), ",").label("tags"))
            .join(Tag, Tag.id == ClippingTag.tag_id)
            .where(Tag.kind == kind, ClippingTag.clipping_id.not_in(trashed))
            .group_by(ClippingTag.clipping_id)
            .subquery()
        )
        return select(carried.c.tags, func.count()).group_by(carried.c.tags)

    # -- changing the tree -------------------------------------------------------------------

    def create(self, kind: str, name: str, parent_id: int | None = None) -> Changed[TagRef]:
        with self._store.writing() as s:
            if self.find_in(s, checked_kind(kind), name) is not None:
                raise InvalidInput(f"a {kind} called {name!r} already exists")
            tag = self.get_or_create(s, kind, name)
            if parent_id is not None:
                self._set_parent(s, tag, parent_id)
            return Changed(_ref(tag), OpChanges(tags=True))

    def _set_parent(self, session: Session, tag: Tag, parent_id: int | None) -> None:
        if parent_id is not None:
            parent = session.get(Tag, parent_id)
            if parent is None or parent.kind != tag.kind:
                raise InvalidInput(f"no {tag.kind} with id {parent_id} to put {tag.name!r} under")
            if parent_id in self.closure(self.graph(session), [tag.id]):
                raise InvalidInput(f"{parent.name!r} is under {tag.name!r} already")
        tag.parent_id = parent_id

    @staticmethod
    def _tagged_with(session: Session, tag_id: int) -> list[int]:
        return list(
            session.scalars(select(ClippingTag.clipping_id).where(ClippingTag.tag_id == tag_id))
        )

    @staticmethod
    def _require(session: Session, tag_id: int) -> Tag:
        tag = session.get(Tag, tag_id)
        if tag is None:
            raise NotFound(f"no tag with id {tag_id}")
        return tag

    def rename(self, tag_id: int, name: str) -> OpChanges:
        with self._store.writing() as s:
            tag = self._require(s, tag_id)
            other = self.find_in(s, tag.kind, name)
            if other is not None and other.id != tag.id:
                raise InvalidInput(f"a {tag.kind} called {name!r} already exists")
            tag.name, tag.key = name.strip(), name_key(name)
            affected = self._tagged_with(s, tag_id)
            seq = self._store.log_change(s, affected, "retag")
            return OpChanges(clippings=frozenset(affected), tags=True, seq=seq)

    def move(self, tag_id: int, parent_id: int | None) -> OpChanges:
        with self._store.writing() as s:
            self._set_parent(s, self._require(s, tag_id), parent_id)
            return OpChanges(tags=True)

    def delete(self, tag_id: int) -> OpChanges:
        """Remove a tag from every clipping and from the tree; its children move up."""
        with self._store.writing() as s:
            tag = self._require(s, tag_id)
            affected = self._tagged_with(s, tag_id)
            s.execute(update(Tag).where(Tag.parent_id == tag_id).values(parent_id=tag.parent_id))
            s.delete(tag)
            s.flush()
            seq = self._store.log_change(s, affected, "untag")
            return OpChanges(clippings=frozenset(affected), tags=True, seq=seq)

    def set_topic_rule(
        self, tag_id: int, mode: str | None, pattern: str | None, *, enabled: bool = True
    ) -> OpChanges:
        """A match rule on a topic, used to suggest it on import. An editor's rule is on; one
        from elsewhere (an imported export) is stored off (`enabled=False`) until an editor
        turns it on (`enable_topic_rule`)."""
        if mode is not None and mode not in MATCH_MODES:
            raise InvalidInput(f"unknown match mode {mode!r}: use one of {', '.join(MATCH_MODES)}")
        if mode == "regex" and pattern:
            _check_regex(pattern, enabled)
        with self._store.writing() as s:
            tag = self._require(s, tag_id)
            tag.match_mode, tag.match_pattern = (mode, pattern) if mode else (None, None)
            tag.match_enabled = enabled
            return OpChanges(tags=True)

    def topic_rules(self) -> list[TopicRule]:
        """The topics whose match rule is on, by name: what an import tries on each draft
        (one query on the tags alone, whatever the size of the archive)."""
        with self._store.reading() as s:
            rows = s.execute(
                select(Tag.name, Tag.code, Tag.match_mode, Tag.match_pattern)
                .where(
                    Tag.kind == "topic",
                    Tag.match_mode.is_not(None),
                    Tag.match_pattern.is_not(None),
                    Tag.match_enabled.is_(True),
                )
                .order_by(Tag.name)
            )
            return [
                TopicRule(name, code, mode, pattern)
                for name, code, mode, pattern in rows
                if mode and pattern  # not NULL, as the query asks; and not empty
            ]

    def enable_topic_rule(self, tag_id: int, enabled: bool = True) -> OpChanges:
        """Turn a topic's rule on (or off) as it stands."""
        with self._store.writing() as s:
            tag = self._require(s, tag_id)
            if enabled and tag.match_mode == "regex" and tag.match_pattern:
                _check_regex(tag.match_pattern, enabled)
            tag.match_enabled = enabled
            return OpChanges(tags=True)

    # -- tags on clippings -------------------------------------------------------------------

    def add_to(self, clipping_ids: int | Sequence[int], kind: str, name: str) -> OpChanges:
        ids = [clipping_ids] if isinstance(clipping_ids, int) else list(clipping_ids)
        with self._store.writing() as s:
            tag = self.get_or_create(s, kind, name)
            changed = []
            for cid in ids:
                self._store.require_clipping(s, cid)
                # Another desk may be putting the same tag on it at this moment.
                if db.insert_if_absent(s, ClippingTag, {"clipping_id": cid, "tag_id": tag.id}):
                    changed.append(cid)
            seq = self._store.log_change(s, changed, "tag")
            return OpChanges(clippings=frozenset(changed), tags=True, seq=seq)

    def remove_from(self, clipping_ids: int | Sequence[int], kind: str, name: str) -> OpChanges:
        ids = [clipping_ids] if isinstance(clipping_ids, int) else list(clipping_ids)
        with self._store.writing() as s:
            tag = self.find_in(s, checked_kind(kind), name)
            if tag is None:
                raise NotFound(f"no {kind} called {name!r}")
            changed = []
            for cid in ids:
                self._store.require_clipping(s, cid)
                link = s.get(ClippingTag, (cid, tag.id))
                if link is not None:
                    s.delete(link)
                    changed.append(cid)
            s.flush()
            seq = self._store.log_change(s, changed, "untag")
            return OpChanges(clippings=frozenset(changed), tags=True, seq=seq)


def _check_regex(pattern: str, enabled: bool) -> None:
    """Refuse what is not a regular expression, and a pattern that would run on every import
    (`enabled`) while it backtracks without end. A rule stored off (from an export) keeps its
    pattern as it came, for an editor to read before turning it on."""
    try:
        reason = backtracking_reason(pattern) if enabled else None
        if reason is None:
            compile_rule(pattern)
    except regex.error as exc:
        raise InvalidInput(f"the regular expression {pattern!r} is invalid: {exc}") from exc
    if reason is not None:
        raise InvalidInput(f"the regular expression {pattern!r} cannot be used: {reason}")
