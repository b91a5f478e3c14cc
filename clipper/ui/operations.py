"""Every change the window makes, as an `Operation` on the archive, and the undo history.

An `Operation` is plain data: a label for menus ("Tag with Niger") and a function of the
`Archive` that returns an `OpResult` (what changed, the operation that undoes it, and any
value the caller wants, such as a new note's id). Operations run on the one serialized
writer (`OperationRunner`), which announces each result through `operation_did_execute`;
views refresh themselves from the `OpChanges` it carries (Anki's habit), never by poking each
other. Inverses are computed inside the worker, from what the archive says it changed, so
undo puts back exactly what the operation touched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from clipper.core.archive import Archive, ArchiveError, InvalidInput, NotFound
from clipper.core.drafts import ClippingDraft
from clipper.core.views import OpChanges
from clipper.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

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
    """The last changes, newest last; undoing one moves it to the redo stack."""

    undo_stack: list[UndoEntry] = field(default_factory=list)
    redo_stack: list[UndoEntry] = field(default_factory=list)

    def push(self, label: str, inverse: Operation) -> None:
        self.undo_stack.append(UndoEntry(label, inverse))
        del self.undo_stack[:-UNDO_LIMIT]
        self.redo_stack.clear()

    @property
    def undo_label(self) -> str | None:
        return self.undo_stack[-1].label if self.undo_stack else None

    @property
    def redo_label(self) -> str | None:
        return self.redo_stack[-1].label if self.redo_stack else None


class OperationRunner(QObject):
    """Runs operations on the writer, keeps the undo history, announces what changed.

    Signals:
        operation_did_execute(OpChanges, object): after every operation; the object is the
            `origin` the caller passed (a view may skip refreshing what it changed itself).
        operation_failed(str, str): the operation's label and the reason, for the status bar.
        history_changed(): the undo or redo label changed.
    """

    operation_did_execute = Signal(object, object)
    operation_failed = Signal(str, str)
    history_changed = Signal()

    def __init__(self, archive: Archive, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.tasks = tasks
        self.history = UndoHistory()

    def run(
        self,
        operation: Operation,
        origin: object = None,
        on_done: Callable[[OpResult], None] | None = None,
        record: bool = True,
        on_failed: Callable[[str, str], None] | None = None,
    ) -> None:
        """Run `operation` on the writer; record its inverse unless `record` is false."""
        archive = self.archive

        def done(result: OpResult) -> None:
            if record and operation.undoable and result.inverse is not None:
                self.history.push(operation.label, result.inverse)
                self.history_changed.emit()
            if on_done is not None:
                on_done(result)
            self.operation_did_execute.emit(result.changes, origin)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, ArchiveError):
                log.error("operation %r failed", operation.label, exc_info=exc)
            if on_failed is not None:
                on_failed(operation.label, str(exc))
            self.operation_failed.emit(operation.label, str(exc))

        self.tasks.run(lambda: operation.apply(archive), done, failed)

    def record(self, label: str, inverse: Operation) -> None:
        """Put a change made in several operations on the history as one (an import batch
        stores its clippings one by one; undoing it trashes them all)."""
        self.history.push(label, inverse)
        self.history_changed.emit()

    def announce(self, changes: OpChanges, origin: object = None) -> None:
        """Tell the views about a change made outside `run` (an import stored a clipping)."""
        self.operation_did_execute.emit(changes, origin)

    def undo(self) -> None:
        self._replay(self.history.undo_stack, self.history.redo_stack)

    def redo(self) -> None:
        self._replay(self.history.redo_stack, self.history.undo_stack)

    def _replay(self, source: list[UndoEntry], target: list[UndoEntry]) -> None:
        if not source:
            return
        entry = source.pop()
        self.history_changed.emit()

        def done(result: OpResult) -> None:
            if result.inverse is not None:
                target.append(UndoEntry(entry.label, result.inverse))
            self.history_changed.emit()

        self.run(entry.inverse, origin=self, on_done=done, record=False)


# -- the operations --------------------------------------------------------------------------


def _ids(clipping_ids: int | Sequence[int]) -> list[int]:
    return [clipping_ids] if isinstance(clipping_ids, int) else list(clipping_ids)


def add_tag(clipping_ids: int | Sequence[int], kind: str, name: str) -> Operation:
    ids = _ids(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.add_tag(ids, kind, name)
        changed = sorted(changes.clippings)
        return OpResult(changes, remove_tag(changed, kind, name) if changed else None)

    return Operation(f"Tag with {name}", apply)


def remove_tag(clipping_ids: int | Sequence[int], kind: str, name: str) -> Operation:
    ids = _ids(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.remove_tag(ids, kind, name)
        changed = sorted(changes.clippings)
        return OpResult(changes, add_tag(changed, kind, name) if changed else None)

    return Operation(f"Remove tag {name}", apply)


def add_note(clipping_id: int, text: str) -> Operation:
    def apply(archive: Archive) -> OpResult:
        note_id, changes = archive.add_note(clipping_id, text)
        return OpResult(changes, delete_note(clipping_id, note_id), value=note_id)

    return Operation("Add note", apply)


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

    return Operation("Edit note", apply)


def delete_note(clipping_id: int, note_id: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = _note_text(archive, clipping_id, note_id)
        changes = archive.delete_note(note_id)
        return OpResult(changes, add_note(clipping_id, before))

    return Operation("Delete note", apply)


def link(a: int, b: int, note: str, kind: str | None) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = next((v for v in archive.get(a).links if v.other_id == b), None)
        changes = archive.link(a, b, note, kind)
        inverse = unlink(a, b) if before is None else link(a, b, before.note, before.kind)
        return OpResult(changes, inverse)

    return Operation("Link clippings", apply)


def unlink(a: int, b: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = next((v for v in archive.get(a).links if v.other_id == b), None)
        changes = archive.unlink(a, b)
        inverse = link(a, b, before.note, before.kind) if before is not None else None
        return OpResult(changes, inverse)

    return Operation("Unlink clippings", apply)


def trash(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.trash(ids)
        changed = sorted(changes.clippings)
        return OpResult(changes, restore(changed) if changed else None)

    return Operation("Move to trash" if len(ids) == 1 else f"Move {len(ids)} to trash", apply)


def restore(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)

    def apply(archive: Archive) -> OpResult:
        changes = archive.restore(ids)
        changed = sorted(changes.clippings)
        return OpResult(changes, trash(changed) if changed else None)

    return Operation("Restore from trash", apply)


def purge(clipping_ids: Sequence[int]) -> Operation:
    ids = list(clipping_ids)
    return Operation("Delete for good", lambda archive: OpResult(archive.purge(ids)), False)


def empty_trash() -> Operation:
    return Operation("Empty trash", lambda archive: OpResult(archive.empty_trash()), False)


def update_fields(clipping_id: int, **fields: Any) -> Operation:
    """Edit metadata (F2 on the title); undo puts the old values back."""

    def apply(archive: Archive) -> OpResult:
        before = archive.get(clipping_id)
        old = {name: getattr(before, name) for name in fields}
        changes = archive.update(clipping_id, **fields)
        return OpResult(changes, update_fields(clipping_id, **old))

    label = "Edit title" if set(fields) == {"title"} else "Edit details"
    return Operation(label, apply)


def confirm_title(clipping_id: int) -> Operation:
    return Operation(
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

    return Operation(f"Import {draft.title}", apply, undoable=False)


def import_clipper_export(path: Path, tags: Sequence[tuple[str, str]] = ()) -> Operation:
    """Bring a Clipper JSON export into the archive, in one transaction (a colleague's
    dossier, an archive moved from another machine); the value is the import's report.
    Not undoable: into a busy archive it merges notes and links into clippings already there.
    """

    def apply(archive: Archive) -> OpResult:
        from clipper.export.common import ExportError
        from clipper.export.json_export import import_json_file

        try:
            report = import_json_file(archive, path, tags=tags)
        except ExportError as exc:
            raise InvalidInput(str(exc)) from exc
        return OpResult(report.changes, None, report)

    return Operation(f"Import {path.name}", apply, undoable=False)


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

    return Operation(f"Create dossier {name}", apply)


def delete_dossier(dossier_id: int) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = archive.dossier(dossier_id)
        changes = archive.delete_dossier(dossier_id)
        return OpResult(
            changes, _recreate_dossier(before.name, before.description, before.clipping_ids)
        )

    return Operation("Delete dossier", apply)


def _recreate_dossier(name: str, description: str, clipping_ids: Sequence[int]) -> Operation:
    def apply(archive: Archive) -> OpResult:
        view, changes = archive.create_dossier(name, description)
        if clipping_ids:
            changes = changes.merge(archive.add_to_dossier(view.id, list(clipping_ids)))
        return OpResult(changes, delete_dossier(view.id), value=view)

    return Operation(f"Create dossier {name}", apply)


def update_dossier(
    dossier_id: int, name: str | None = None, description: str | None = None
) -> Operation:
    def apply(archive: Archive) -> OpResult:
        before = archive.dossier(dossier_id)
        changes = archive.update_dossier(dossier_id, name=name, description=description)
        return OpResult(
            changes, update_dossier(dossier_id, name=before.name, description=before.description)
        )

    return Operation("Describe dossier" if name is None else "Rename dossier", apply)


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

    return Operation(label, apply)


def _set_dossier(dossier_id: int, clipping_ids: Sequence[int]) -> Operation:
    """Make a dossier hold exactly these clippings, in this order (the undo of the above)."""
    wanted = list(clipping_ids)

    def change(archive: Archive) -> OpChanges:
        before = archive.dossier(dossier_id).clipping_ids
        changes = OpChanges(dossiers=True)
        extra = [cid for cid in before if cid not in wanted]
        if extra:
            changes = changes.merge(archive.remove_from_dossier(dossier_id, extra))
        missing = [cid for cid in wanted if cid not in before]
        if missing:
            changes = changes.merge(archive.add_to_dossier(dossier_id, missing))
        return changes.merge(archive.reorder_dossier(dossier_id, wanted))

    return _dossier_change("Change dossier", dossier_id, change)
