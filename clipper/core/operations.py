"""Every change an editor makes, as an `Operation` on the archive, and the undo history.

An `Operation` is plain data: a label for menus ("Tag with Niger") and a function of the
`Archive` that returns an `OpResult` (what changed, the operation that undoes it, and any
value the caller wants, such as a new note's id). Inverses are computed from what the archive
says it changed, and each operation reads what it will need for its inverse and writes in one
transaction (`Archive.batch`), so no other write can slip in between and undo puts back
exactly what the operation touched. Nothing here knows about threads or Qt: the window runs
operations on its writer (`clipper.ui.operations.OperationRunner`), and views refresh
themselves from the `OpChanges` they return (Anki's habit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clipper.core.archive import Archive, InvalidInput, NotFound
from clipper.core.drafts import ClippingDraft
from clipper.core.views import (
    ClippingFilter,
    OpChanges,
    PendingReview,
    ReviewSuggestion,
    TagNode,
)

UNDO_LIMIT = 100


@dataclass(frozen=True)
class OpResult:
    changes: OpChanges
    inverse: Operation | None = None
    value: Any = None


@dataclass(frozen=True)
class Operation:
    """A named change to the archive; `undoable` ones go on the undo history."""

    label: str
    apply: Callable[[Archive], OpResult]
    undoable: bool = True


@dataclass(frozen=True)
class UndoEntry:
    """What the editor did (its label, for "Undo Tag with Niger") and the inverse to run."""

    label: str
    inverse: Operation


@dataclass
class UndoHistory:
    """The last changes, newest last; undoing one moves it to the redo stack.

    Replaying an entry has two halves, so that a caller may run the inverse elsewhere (the
    window's writer thread): `start_undo` takes the entry off its stack, `finish_undo` files
    the inverse of what it did on the redo stack. `undo` does both here and now.
    """

    undo_stack: list[UndoEntry] = field(default_factory=list)
    redo_stack: list[UndoEntry] = field(default_factory=list)

    def push(self, label: str, inverse: Operation) -> None:
        self.undo_stack.append(UndoEntry(label, inverse))
        del self.undo_stack[:-UNDO_LIMIT]
        self.redo_stack.clear()

    def record(self, operation: Operation, result: OpResult) -> bool:
        """Put what `operation` did on the history, if it can be undone; says if it was."""
        if not operation.undoable or result.inverse is None:
            return False
        self.push(operation.label, result.inverse)
        return True

    @property
    def undo_label(self) -> str | None:
        return self.undo_stack[-1].label if self.undo_stack else None

    @property
    def redo_label(self) -> str | None:
        return self.redo_stack[-1].label if self.redo_stack else None

    def start_undo(self) -> UndoEntry | None:
        return self.undo_stack.pop() if self.undo_stack else None

    def finish_undo(self, entry: UndoEntry, result: OpResult) -> None:
        if result.inverse is not None:
            self.redo_stack.append(UndoEntry(entry.label, result.inverse))

    def start_redo(self) -> UndoEntry | None:
        return self.redo_stack.pop() if self.redo_stack else None

    def finish_redo(self, entry: UndoEntry, result: OpResult) -> None:
        if result.inverse is not None:
            self.undo_stack.append(UndoEntry(entry.label, result.inverse))

    def execute(self, archive: Archive, operation: Operation) -> OpResult:
        """Apply `operation` on this thread and record it (the command line, the tests)."""
        result = operation.apply(archive)
        self.record(operation, result)
        return result

    def undo(self, archive: Archive) -> OpResult | None:
        entry = self.start_undo()
        if entry is None:
            return None
        result = entry.inverse.apply(archive)
        self.finish_undo(entry, result)
        return result

    def redo(self, archive: Archive) -> OpResult | None:
        entry = self.start_redo()
        if entry is None:
            return None
        result = entry.inverse.apply(archive)
        self.finish_redo(entry, result)
        return result


def _in_one_transaction(
    label: str, apply: Callable[[Archive], OpResult], undoable: bool = True
) -> Operation:
    """An operation whose reads (the state its inverse is computed from) and writes are one
    transaction: another thread's write cannot change that state in between."""

    def batched(archive: Archive) -> OpResult:
        with archive.batch():
            return apply(archive)

    return Operation(label, batched, undoable)


# -- the operations --------------------------------------------------------------------------


def _ids(clipping_ids: int | Sequence[int]) -> list[int]:
    return [clipping_ids] if isinstance(clipping_ids, int) else list(clipping_ids)


def add_tag(clipping_ids: int | Sequence[int], kind: str, name: str) -> Operation:
    ids = _ids(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.add_tag(ids, kind, name)
        changed = sorted(changes.clippings)
        return OpResult(changes, remove_tag(changed, kind, name) if changed else None)

    return _in_one_transaction(f"Tag with {name}", apply)


def add_tag_as_typed(clipping_ids: Sequence[int], text: str) -> Operation:
    """Tag from what the editor typed: 'topic:Security', 'region:Sahel', or a bare name,
    which is a region when the archive (or its gazetteer) knows one by that name."""
    kind, sep, name = text.partition(":")
    if sep and kind.strip().lower() in ("topic", "region") and name.strip():
        return add_tag(list(clipping_ids), kind.strip().lower(), name.strip())
    name = text.strip()
    ids = list(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        kind = "region" if archive.find_tag("region", name) is not None else "topic"
        return add_tag(ids, kind, name).apply(archive)

    return _in_one_transaction(f"Tag with {name}", apply)


def remove_tag(clipping_ids: int | Sequence[int], kind: str, name: str) -> Operation:
    ids = _ids(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.remove_tag(ids, kind, name)
        changed = sorted(changes.clippings)
        return OpResult(changes, add_tag(changed, kind, name) if changed else None)

    return _in_one_transaction(f"Remove tag {name}", apply)


def add_note(clipping_id: int, text: str) -> Operation:
    def apply(archive: Archive) -> OpResult:
        note_id, changes = archive.add_note(clipping_id, text)
        return OpResult(changes, delete_note(clipping_id, note_id), value=note_id)

    return _in_one_transaction("Add note", apply)


def _note_text(archive: Archive, clipping_id: int, note_id: int) -> str:
    for note in archive.get(clipping_id).notes:
        if note.id == note_id:
            return note.text
    raise NotFound(f"no note with id {note_id}")


def edit_note(clipping_id: int, note_id: int, text: str) -> Operation:
    """Change a note's text (an empty text deletes it)."""

    def apply(archive: Archive) -> OpResult:
        before = _note_text(archive, clipping_id, note_id)
        changes = archive.edit_note(note_id, text)
        if not text.strip():
            return OpResult(changes, add_note(clipping_id, before))
        return OpResult(changes, edit_note(clipping_id, note_id, before), value=note_id)

    return _in_one_transaction("Edit note", apply)


def delete_note(clipping_id: int, note_id: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = _note_text(archive, clipping_id, note_id)
        changes = archive.delete_note(note_id)
        return OpResult(changes, add_note(clipping_id, before))

    return _in_one_transaction("Delete note", apply)


def link(a: int, b: int, note: str, kind: str | None) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = next((v for v in archive.get(a).links if v.other_id == b), None)
        changes = archive.link(a, b, note, kind)
        inverse = unlink(a, b) if before is None else link(a, b, before.note, before.kind)
        return OpResult(changes, inverse)

    return _in_one_transaction("Link clippings", apply)


def unlink(a: int, b: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = next((v for v in archive.get(a).links if v.other_id == b), None)
        changes = archive.unlink(a, b)
        inverse = link(a, b, before.note, before.kind) if before is not None else None
        return OpResult(changes, inverse)

    return _in_one_transaction("Unlink clippings", apply)


def trash(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.trash(ids)
        changed = sorted(changes.clippings)
        return OpResult(changes, restore(changed) if changed else None)

    label = "Move to trash" if len(ids) == 1 else f"Move {len(ids)} to trash"
    return _in_one_transaction(label, apply)


def restore(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.restore(ids)
        changed = sorted(changes.clippings)
        return OpResult(changes, trash(changed) if changed else None)

    return _in_one_transaction("Restore from trash", apply)


def purge(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)
    return _in_one_transaction(
        "Delete for good", lambda archive: OpResult(archive.purge(ids)), undoable=False
    )


def empty_trash() -> Operation:
    return _in_one_transaction(
        "Empty trash", lambda archive: OpResult(archive.empty_trash()), undoable=False
    )


def update_fields(clipping_id: int, **fields: Any) -> Operation:
    """Edit metadata (F2 on the title); undo puts the old values back."""

    def apply(archive: Archive) -> OpResult:
        before = archive.get(clipping_id)
        old = {name: getattr(before, name) for name in fields}
        changes = archive.update(clipping_id, **fields)
        return OpResult(changes, update_fields(clipping_id, **old))

    label = "Edit title" if set(fields) == {"title"} else "Edit details"
    return _in_one_transaction(label, apply)


def confirm_title(clipping_id: int) -> Operation:
    return _in_one_transaction(
        "Confirm title",
        lambda archive: OpResult(archive.confirm_title(clipping_id)),
        undoable=False,
    )


def store_draft(draft: ClippingDraft, tags: Sequence[tuple[str, str]] = ()) -> Operation:
    """Store an import draft; the value is the `AddResult` (new id, or the duplicate's).
    Not recorded one by one: the importer records the whole batch (see `import_undo`)."""

    def apply(archive: Archive) -> OpResult:
        result = archive.add(draft, tags=tags)
        return OpResult(result.changes, trash([result.id]) if result.created else None, result)

    return _in_one_transaction(f"Import {draft.title}", apply, undoable=False)


def import_undo(titles: Sequence[str], clipping_ids: Sequence[int]) -> tuple[str, Operation]:
    """The history entry of an import batch: its label, and an inverse that moves what it
    stored to the trash (nothing is deleted; redo restores them)."""
    label = f"Import {titles[0]}" if len(titles) == 1 else f"Import {len(titles)} clippings"
    return label, trash(clipping_ids)


# -- dossiers --------------------------------------------------------------------------------


def create_dossier(name: str, description: str = "") -> Operation:
    def apply(archive: Archive) -> OpResult:
        view, changes = archive.create_dossier(name, description)
        return OpResult(changes, delete_dossier(view.id), value=view)

    return _in_one_transaction(f"Create dossier {name}", apply)


def delete_dossier(dossier_id: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = archive.dossier(dossier_id)
        changes = archive.delete_dossier(dossier_id)
        return OpResult(
            changes, _recreate_dossier(before.name, before.description, before.clipping_ids)
        )

    return _in_one_transaction("Delete dossier", apply)


def _recreate_dossier(name: str, description: str, clipping_ids: Sequence[int]) -> Operation:
    def apply(archive: Archive) -> OpResult:
        view, changes = archive.create_dossier(name, description)
        if clipping_ids:
            changes = changes.merge(archive.add_to_dossier(view.id, list(clipping_ids)))
        return OpResult(changes, delete_dossier(view.id), value=view)

    return _in_one_transaction(f"Create dossier {name}", apply)


def update_dossier(
    dossier_id: int, name: str | None = None, description: str | None = None
) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = archive.dossier(dossier_id)
        changes = archive.update_dossier(dossier_id, name=name, description=description)
        return OpResult(
            changes, update_dossier(dossier_id, name=before.name, description=before.description)
        )

    return _in_one_transaction("Describe dossier" if name is None else "Rename dossier", apply)


def add_to_dossier(
    dossier_id: int, clipping_ids: Sequence[int], position: int | None = None
) -> Operation:
    ids = list(clipping_ids)
    return _dossier_change(
        "Add to dossier", dossier_id, lambda a: a.add_to_dossier(dossier_id, ids, position)
    )


def remove_from_dossier(dossier_id: int, clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)
    return _dossier_change(
        "Remove from dossier", dossier_id, lambda a: a.remove_from_dossier(dossier_id, ids)
    )


def reorder_dossier(dossier_id: int, clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)
    return _dossier_change(
        "Reorder dossier", dossier_id, lambda a: a.reorder_dossier(dossier_id, ids)
    )


def _dossier_change(
    label: str, dossier_id: int, change: Callable[[Archive], OpChanges]
) -> Operation:
    """An operation on a dossier's contents; its undo puts back the clippings it held."""

    def apply(archive: Archive) -> OpResult:
        before = archive.dossier(dossier_id).clipping_ids
        return OpResult(change(archive), _set_dossier(dossier_id, before))

    return _in_one_transaction(label, apply)


def _set_dossier(dossier_id: int, clipping_ids: Sequence[int]) -> Operation:
    """Make a dossier hold exactly these clippings, in this order (the undo of the above)."""
    wanted = list(clipping_ids)

    def change(archive: Archive) -> OpChanges:
        before = archive.dossier(dossier_id).clipping_ids
        changes = OpChanges()
        extra = [cid for cid in before if cid not in wanted]
        if extra:
            changes = changes.merge(archive.remove_from_dossier(dossier_id, extra))
        missing = [cid for cid in wanted if cid not in before]
        if missing:
            changes = changes.merge(archive.add_to_dossier(dossier_id, missing))
        return changes.merge(archive.reorder_dossier(dossier_id, wanted))

    return _dossier_change("Change dossier", dossier_id, change)


# -- topics and regions ----------------------------------------------------------------------


def _tag_node(archive: Archive, tag_id: int) -> TagNode:
    ref = archive.tag_names([tag_id]).get(tag_id)
    if ref is None:
        raise NotFound(f"no tag with id {tag_id}")
    node = next((n for n in archive.tag_tree(ref.kind) if n.id == tag_id), None)
    if node is None:
        raise NotFound(f"no tag with id {tag_id}")
    return node


def _tagged_with(archive: Archive, node: TagNode) -> list[int]:
    """The clippings (in the trash too) that carry this very tag, not one under it."""
    candidates: list[int] = []
    for in_trash in (False, True):
        flt = ClippingFilter(tag_ids=(node.id,), in_trash=in_trash)
        candidates += archive.list_ids(flt, sort="id", descending=False)
    field = "regions" if node.kind == "region" else "topics"
    return [s.id for s in archive.summaries(candidates) if node.name in getattr(s, field)]


def rename_tag(tag_id: int, name: str) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = _tag_node(archive, tag_id).name
        changes = archive.rename_tag(tag_id, name)
        return OpResult(changes, rename_tag(tag_id, before))

    return _in_one_transaction(f"Rename to {name.strip()}", apply)


def delete_tag(tag_id: int) -> Operation:
    """Take a topic (or region) off every clipping and out of the tree; what was under it
    moves up. Undo puts it back, with its rule, its clippings and what was under it."""

    def apply(archive: Archive) -> OpResult:
        node = _tag_node(archive, tag_id)
        tagged = _tagged_with(archive, node)
        children = [n.id for n in archive.tag_tree(node.kind) if n.parent_id == tag_id]
        changes = archive.delete_tag(tag_id)
        return OpResult(changes, _recreate_tag(node, tagged, children), value=len(tagged))

    return _in_one_transaction("Delete tag", apply)


def _recreate_tag(node: TagNode, tagged: Sequence[int], children: Sequence[int]) -> Operation:
    def apply(archive: Archive) -> OpResult:
        ref, changes = archive.create_tag(node.kind, node.name, node.parent_id)
        if node.match_mode:
            changes = changes.merge(
                archive.set_topic_rule(
                    ref.id, node.match_mode, node.match_pattern, enabled=node.match_enabled
                )
            )
        if tagged:
            changes = changes.merge(archive.add_tag(list(tagged), node.kind, node.name))
        for child in children:
            changes = changes.merge(archive.move_tag(child, ref.id))
        return OpResult(changes, delete_tag(ref.id), value=ref)

    return _in_one_transaction(f"Create {node.name}", apply)


def merge_tags(source_id: int, target_id: int) -> Operation:
    """File everything tagged with one topic under another, then delete the first (what was
    under it moves up). Undo brings it back and takes the other off where it was added."""

    def apply(archive: Archive) -> OpResult:
        source = _tag_node(archive, source_id)
        target = _tag_node(archive, target_id)
        if source.kind != target.kind or source.id == target.id:
            raise InvalidInput(f"{source.name!r} can only be merged into another {source.kind}")
        tagged = _tagged_with(archive, source)
        children = [n.id for n in archive.tag_tree(source.kind) if n.parent_id == source_id]
        changes = OpChanges()
        if tagged:
            changes = archive.add_tag(tagged, target.kind, target.name)
        added = sorted(changes.clippings)
        changes = changes.merge(archive.delete_tag(source_id))
        inverse = _unmerge(source, tagged, children, target.kind, target.name, added)
        return OpResult(changes, inverse, value=len(tagged))

    return _in_one_transaction("Merge tags", apply)


def _unmerge(
    source: TagNode,
    tagged: Sequence[int],
    children: Sequence[int],
    kind: str,
    target_name: str,
    added: Sequence[int],
) -> Operation:
    def apply(archive: Archive) -> OpResult:
        result = _recreate_tag(source, tagged, children).apply(archive)
        changes = result.changes
        if added:
            changes = changes.merge(archive.remove_tag(list(added), kind, target_name))
        target = archive.find_tag(kind, target_name)
        assert target is not None
        return OpResult(changes, merge_tags(result.value.id, target.id))

    return _in_one_transaction("Merge tags", apply)


def set_topic_rule(tag_id: int, mode: str | None, pattern: str | None, enabled: bool) -> Operation:
    """Set (or, with no mode, clear) a topic's match rule; undo puts the old one back."""

    def apply(archive: Archive) -> OpResult:
        before = _tag_node(archive, tag_id)
        changes = archive.set_topic_rule(tag_id, mode, pattern, enabled=enabled)
        inverse = set_topic_rule(
            tag_id, before.match_mode, before.match_pattern, before.match_enabled
        )
        return OpResult(changes, inverse)

    return _in_one_transaction("Change match rule", apply)


# -- what imports leave to review ------------------------------------------------------------


def suggestions_of(draft: ClippingDraft) -> list[ReviewSuggestion]:
    """A draft's suggested regions and topics as a review lists them, best first."""
    return [
        ReviewSuggestion(
            kind,
            s.name,
            s.code,
            s.score,
            # What the suggestion rests on, when the pipeline says (its score otherwise).
            evidence=str(getattr(s, "evidence", "") or ""),
        )
        for kind, found in (("region", draft.regions), ("topic", draft.topics))
        for s in found
    ]


def store_for_review(
    draft: ClippingDraft,
    tags: Sequence[tuple[str, str]] = (),
    label: str = "",
    duplicate_of: int | None = None,
    similarity: float | None = None,
) -> Operation:
    """Store an import draft and, in the same transaction, what there is to review about it
    (kept until dealt with). A possible duplicate of `duplicate_of` is stored straight into
    the trash and held there until the editor keeps it. The value is (AddResult, the
    PendingReview or None). Not recorded one by one: the importer records the batch."""

    def apply(archive: Archive) -> OpResult:
        result = archive.add(draft, tags=tags)
        review = None
        changes = result.changes
        if result.created:
            held = duplicate_of is not None
            if held:
                changes = changes.merge(archive.trash([result.id]))
            suggestions = suggestions_of(draft)
            if held or draft.title_guessed or suggestions:
                review, _ = archive.add_review(
                    result.id,
                    label=label,
                    title_guessed=draft.title_guessed,
                    suggestions=suggestions,
                    duplicate_of=duplicate_of,
                    similarity=similarity,
                    held=held,
                )
        inverse = trash([result.id]) if result.created else None
        return OpResult(changes, inverse, (result, review))

    return _in_one_transaction(f"Import {draft.title}", apply, undoable=False)


ReviewsLeft = dict[int, "PendingReview | None"]
# What one review's change did: what it changed, and the operation that undoes that part.
ReviewStep = Callable[[Archive, PendingReview], tuple[OpChanges, Operation | None]]


def _on_reviews(
    label: str, review_ids: Sequence[int], step: ReviewStep, undoable: bool = True
) -> Operation:
    """An operation on some pending reviews: `step` deals with each one (tags it, confirms
    its title, dismisses it...) in one transaction. The value says what is left of each
    review (None: dealt with). Undo undoes each step and writes the reviews back as they
    were; redo runs this operation again."""
    ids = list(dict.fromkeys(review_ids))

    def apply(archive: Archive) -> OpResult:
        before = _reviews(archive, ids)
        changes = OpChanges()
        undo_steps: list[Operation] = []
        for review in before:
            changed, undo = step(archive, review)
            changes = changes.merge(changed)
            if undo is not None:
                undo_steps.append(undo)
        after = {review.id: review for review in _reviews(archive, [r.id for r in before])}
        left: ReviewsLeft = {review.id: after.get(review.id) for review in before}
        inverse = _restore_reviews(label, before, undo_steps, operation) if undoable else None
        return OpResult(changes, inverse, left)

    operation = _in_one_transaction(label, apply, undoable)
    return operation


def _restore_reviews(
    label: str, before: Sequence[PendingReview], undo_steps: Sequence[Operation], redo: Operation
) -> Operation:
    def apply(archive: Archive) -> OpResult:
        changes = OpChanges()
        for undo in reversed(undo_steps):
            changes = changes.merge(undo.apply(archive).changes)
        for review in before:
            changes = changes.merge(archive.put_review(review))
        after = {review.id: review for review in _reviews(archive, [r.id for r in before])}
        left: ReviewsLeft = {review.id: after.get(review.id) for review in before}
        return OpResult(changes, redo, left)

    return _in_one_transaction(label, apply)


def _reviews(archive: Archive, review_ids: Sequence[int]) -> list[PendingReview]:
    """These reviews as they stand (gone ones left out), in the order asked: one read for
    many (a big batch), one lookup for one."""
    if len(review_ids) == 1:
        found = _review_or_none(archive, review_ids[0])
        return [found] if found is not None else []
    pending = {review.id: review for review in archive.pending_reviews()}
    return [pending[rid] for rid in review_ids if rid in pending]


def _review_or_none(archive: Archive, review_id: int) -> PendingReview | None:
    try:
        return archive.review(review_id)
    except NotFound:
        return None


def _tag_with(
    clipping_id: int, picked: Sequence[tuple[str, str]], confirm_title: bool = False
) -> ReviewStep:
    """Tag the clipping with what was picked among its suggestions and note them accepted
    (and, with `confirm_title`, its guessed title confirmed as it is)."""

    def step(archive: Archive, review: PendingReview) -> tuple[OpChanges, Operation | None]:
        changes = OpChanges()
        added: list[tuple[str, str]] = []
        for kind, name in picked:
            tagged = archive.add_tag([clipping_id], kind, name)
            changes = changes.merge(tagged)
            if tagged.clippings:
                added.append((kind, name))
        if confirm_title:
            changes = changes.merge(archive.confirm_title(clipping_id))
        archive.settle_review(review.id, accepted=picked, title=confirm_title)
        undo = _untag(clipping_id, added) if added else None
        return changes, undo

    return step


def _untag(clipping_id: int, tags: Sequence[tuple[str, str]]) -> Operation:
    def apply(archive: Archive) -> OpResult:
        changes = OpChanges()
        for kind, name in tags:
            changes = changes.merge(archive.remove_tag([clipping_id], kind, name))
        return OpResult(changes)

    return Operation("Remove tags", apply)


def accept_suggestions(review_id: int, picked: Sequence[tuple[str, str]]) -> Operation:
    """Tag a reviewed clipping with suggestions it was offered (one click on a chip)."""
    wanted = list(picked)

    def step(archive: Archive, review: PendingReview) -> tuple[OpChanges, Operation | None]:
        return _tag_with(review.clipping_id, wanted)(archive, review)

    label = f"Tag with {wanted[0][1]}" if len(wanted) == 1 else f"Tag with {len(wanted)} tags"
    return _on_reviews(label, [review_id], step)


def confirm_review_title(review_id: int, title: str) -> Operation:
    """The guessed title, confirmed as it is or corrected; a correction can be undone."""

    def step(archive: Archive, review: PendingReview) -> tuple[OpChanges, Operation | None]:
        before = archive.get(review.clipping_id).title
        wanted = " ".join(title.split())
        archive.settle_review(review.id, title=True)
        if wanted and wanted != before:
            changes = archive.update(review.clipping_id, title=wanted)
            return changes, update_fields(review.clipping_id, title=before)
        return archive.confirm_title(review.clipping_id), None

    return _on_reviews("Edit title", [review_id], step)


def keep_duplicate(review_id: int, title: str) -> Operation:
    """Keep a possible duplicate the import held in the trash: it joins the library (as its
    import, "Import <title>", which undo takes back to the trash)."""

    def step(archive: Archive, review: PendingReview) -> tuple[OpChanges, Operation | None]:
        changes = archive.restore([review.clipping_id])
        archive.settle_review(review.id, duplicate=True)
        return changes, trash([review.clipping_id]) if changes.clippings else None

    return _on_reviews(f"Import {title}", [review_id], step)


def dismiss_reviews(review_ids: Sequence[int]) -> Operation:
    """The editor has seen these cards: forget them (a held duplicate stays in the trash;
    titles stay as guessed and suggestions unapplied)."""

    def step(archive: Archive, review: PendingReview) -> tuple[OpChanges, Operation | None]:
        return archive.dismiss_reviews([review.id]), None

    ids = list(review_ids)
    label = "Dismiss review" if len(ids) == 1 else f"Dismiss {len(ids)} reviews"
    return _on_reviews(label, ids, step)


def accept_reviews(review_ids: Sequence[int]) -> Operation:
    """Accept every suggestion and confirm every guessed title (as it is) of these reviews;
    possible duplicates are left for the editor to keep or skip one by one.

    Done in bulk (a 180-clipping batch suggests the same few tags again and again): one
    tagging per distinct tag, and the reviews, all settled, go in one statement."""
    ids = list(dict.fromkeys(review_ids))
    label = f"Accept {len(ids)} review{'s' if len(ids) != 1 else ''}"

    def apply(archive: Archive) -> OpResult:
        before = [r for r in _reviews(archive, ids) if not r.held]
        by_tag: dict[tuple[str, str], list[int]] = {}
        for review in before:
            for suggestion in review.open_suggestions:
                key = (suggestion.kind, suggestion.name)
                by_tag.setdefault(key, []).append(review.clipping_id)
        changes = OpChanges()
        undo_steps: list[Operation] = []
        for (kind, name), clipping_ids in by_tag.items():
            tagged = archive.add_tag(clipping_ids, kind, name)
            changes = changes.merge(tagged)
            if tagged.clippings:
                undo_steps.append(remove_tag(sorted(tagged.clippings), kind, name))
        for review in before:
            if review.title_guessed:
                changes = changes.merge(archive.confirm_title(review.clipping_id))
        changes = changes.merge(archive.dismiss_reviews([r.id for r in before]))
        left: ReviewsLeft = {review.id: None for review in before}
        inverse = _restore_reviews(label, before, undo_steps, operation)
        return OpResult(changes, inverse, left)

    operation = _in_one_transaction(label, apply)
    return operation
