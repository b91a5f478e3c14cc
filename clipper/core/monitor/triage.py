"""Deciding inbox items: keep (store the draft in the library, with the source's tags and the
suggestions the editor accepts), skip (remembered, never back), or keep every waiting item a
query matches. Syndicated copies collapsed under an item go with the decision on it: keeping
the item skips its copies, skipping it skips them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from clipper.core.archive import Archive, ArchiveError
from clipper.core.monitor.rules import TagSpec, default_tags, matching_drafts
from clipper.core.views import OpChanges


@dataclass(frozen=True)
class KeepOutcome:
    """What keeping one inbox item did: the clipping it became (or already was), or why not."""

    item_id: int
    clipping_id: int | None = None
    created: bool = False
    error: str | None = None
    # Copies collapsed under the item, skipped with it.
    copies_skipped: tuple[int, ...] = ()
    changes: OpChanges = field(default_factory=OpChanges)

    @property
    def ok(self) -> bool:
        return self.error is None


def _source_tags(archive: Archive, feed_id: int | None, watch_id: int | None) -> list[TagSpec]:
    if feed_id is not None:
        return list(archive.stores.feeds.get(feed_id).tags)
    if watch_id is not None:
        return list(archive.stores.watch_folders.get(watch_id).tags)
    return []


def keep(
    archive: Archive,
    item_ids: Sequence[int],
    tags: Sequence[TagSpec] | None = None,
    extra_tags: Sequence[TagSpec] = (),
    suggestions: bool = True,
) -> list[KeepOutcome]:
    """Store each waiting item as a clipping, in one transaction per item.

    The clipping is tagged with `tags` when given (exactly those); otherwise with its feed's
    (or folder's) tags, plus its confident suggestions unless `suggestions` is False; and
    with `extra_tags` in every case.
    """
    inbox = archive.stores.inbox
    outcomes = []
    for item_id in item_ids:
        try:
            item = inbox.item(item_id)
            draft = inbox.draft(item_id)
        except ArchiveError as exc:
            outcomes.append(KeepOutcome(item_id, error=str(exc)))
            continue
        if tags is not None:
            chosen = list(tags)
        else:
            source = _source_tags(archive, item.feed_id, item.watch_id)
            chosen = default_tags(draft, source) if suggestions else source
        chosen += [t for t in extra_tags if t not in chosen]
        try:
            with archive.batch():
                result = archive.add(draft, tags=chosen)
                note = "" if result.created else f"already in the archive as #{result.id}"
                inbox.decide([item_id], "kept", clipping_id=result.id, note=note or None)
                copies = inbox.waiting_copies(item_id)
                inbox.decide(
                    copies, "skipped", note=f"a copy of item #{item_id}, kept as #{result.id}"
                )
        except ArchiveError as exc:
            outcomes.append(KeepOutcome(item_id, error=f"inbox item #{item_id}: {exc}"))
            continue
        outcomes.append(
            KeepOutcome(
                item_id,
                clipping_id=result.id,
                created=result.created,
                copies_skipped=tuple(copies),
                changes=result.changes,
            )
        )
    return outcomes


def skip(archive: Archive, item_ids: Sequence[int]) -> list[int]:
    """Skip waiting items (and their copies); returns every item skipped."""
    inbox = archive.stores.inbox
    wanted: list[int] = []
    for item_id in item_ids:
        wanted.append(item_id)
        wanted.extend(inbox.waiting_copies(item_id))
    return inbox.decide(list(dict.fromkeys(wanted)), "skipped")


def matching_items(
    archive: Archive,
    query: str,
    feed_id: int | None = None,
    watch_id: int | None = None,
) -> list[int]:
    """The waiting items (not copies) a query matches, as a rule would match them on arrival."""
    inbox = archive.stores.inbox
    items = inbox.items(("new",), feed_id=feed_id, watch_id=watch_id)
    drafts = inbox.drafts([i.id for i in items])
    matched: list[int] = []
    # Grouped by source: each source's own tags count, as they do for its rule.
    by_source: dict[tuple[int | None, int | None], list[int]] = {}
    for item in items:
        if item.id in drafts:
            by_source.setdefault((item.feed_id, item.watch_id), []).append(item.id)
    for (feed, folder), ids in by_source.items():
        source = _source_tags(archive, feed, folder)
        positions = matching_drafts(query, [drafts[i] for i in ids], archive.stores.tags, source)
        matched.extend(ids[p] for p in sorted(positions))
    order = {item.id: n for n, item in enumerate(items)}
    return sorted(matched, key=order.__getitem__)
