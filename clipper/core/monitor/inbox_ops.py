"""The inbox's decisions as undoable operations (`clipper.core.operations.Operation`), so the
window runs them on its one writer and files them on its undo history like any other change.

Keeping is undone by moving the kept clipping to the trash (nothing is deleted; redo restores
it); the item stays decided, so an undone keep does not bring the entry back to the inbox.
A kept item that was already in the archive has nothing to undo. Skipping is not undoable:
the core remembers a skipped entry so that it never comes back, and that is the point.
"""

from __future__ import annotations

from collections.abc import Sequence

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.core.monitor.rules import TagSpec
from clipper.core.monitor.triage import KeepOutcome
from clipper.core.operations import Operation, OpResult, trash
from clipper.core.views import OpChanges


def _kept(outcomes: Sequence[KeepOutcome]) -> OpResult:
    changes = OpChanges()
    for outcome in outcomes:
        changes = changes.merge(outcome.changes)
    created = [o.clipping_id for o in outcomes if o.created and o.clipping_id is not None]
    return OpResult(changes, trash(created) if created else None, list(outcomes))


def _label(what: str, count: int, title: str | None) -> str:
    if count == 1 and title:
        return f"{what} {title}"
    return f"{what} {count} inbox items"


def keep_items(
    item_ids: Sequence[int],
    title: str | None = None,
    extra_tags: Sequence[TagSpec] = (),
    suggestions: bool = True,
) -> Operation:
    """Keep waiting items (with their source's tags and confident suggestions); the value is
    the list of `KeepOutcome`s, one per item."""
    ids = list(item_ids)

    def apply(archive: Archive) -> OpResult:
        return _kept(Monitor(archive).keep(ids, extra_tags=extra_tags, suggestions=suggestions))

    return Operation(_label("Keep", len(ids), title), apply)


def keep_matching(query: str, feed_id: int | None = None, label: str = "") -> Operation:
    """Keep every waiting item of a feed (or of the whole inbox) that `query` matches."""

    def apply(archive: Archive) -> OpResult:
        return _kept(Monitor(archive).keep_matching(query, feed_id=feed_id))

    return Operation(label or f"Keep all matching {query}", apply)


def skip_items(item_ids: Sequence[int]) -> Operation:
    """Skip waiting items (and their copies); the value is every item skipped."""
    ids = list(item_ids)

    def apply(archive: Archive) -> OpResult:
        return OpResult(OpChanges(), None, Monitor(archive).skip(ids))

    return Operation(_label("Skip", len(ids), None), apply, undoable=False)
