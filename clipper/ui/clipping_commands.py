"""The Edit menu's commands on the selected clippings: link two of them, move them to the
trash and back, delete them for good, empty the trash, edit a title in place, open a related
story. Each change runs as an operation on the window's writer and says in the status bar
what it did (a change with no other echo on screen must not pass unnoticed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from clipper.core import operations as ops
from clipper.core.operations import OpResult
from clipper.ui.clipping_model import Column
from clipper.ui.dialogs import LinkDialog
from clipper.ui.text import clippings, quoted

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow

STATUS_MS = 6000


class ClippingCommands:
    """What the Edit menu does to the selected clippings, for one window (which owns it)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    # -- links -------------------------------------------------------------------------------

    def link_selected(self) -> None:
        ids = self.window.results.selected_ids()
        if len(ids) != 2:
            self.say("Select exactly two clippings to link them.")
            return
        self.open_link_dialog(ids[0], ids[1])

    def open_link_dialog(self, a: int, b: int) -> None:
        window = self.window
        titles = {s.id: s.title for s in window.archive.summaries([a, b])}
        if a not in titles or b not in titles:
            return
        dialog = LinkDialog((a, titles[a]), (b, titles[b]), window)
        existing = next((v for v in window.archive.get(a).links if v.other_id == b), None)
        if existing is not None:
            dialog.note.setText(existing.note)
            dialog.set_kind(existing.kind)

        def linked(_result: OpResult) -> None:
            self.say(f"Linked {quoted(titles[a])} and {quoted(titles[b])}.")

        dialog.accepted.connect(
            lambda: window.runner.run(
                ops.link(a, b, dialog.note.text(), dialog.chosen_kind()),
                origin=window,
                on_done=linked,
            )
        )
        window.open_dialog(dialog)

    # -- the trash ---------------------------------------------------------------------------

    def trash_selected(self) -> None:
        ids = self.window.results.selected_ids()
        if ids and self.window.results.node.kind != "trash":
            self.trash(ids)

    def trash(self, ids: list[int]) -> None:
        window = self.window
        # Where the editor lands once the rows are gone: the next one, as in a mail reader.
        window.results.select_after_refresh(window.results.neighbour_of(ids))

        def trashed(result: OpResult) -> None:
            moved = len(result.changes.clippings)
            self.say(f"Moved {clippings(moved)} to the trash. Undo with Ctrl+Z.")

        window.runner.run(ops.trash(ids), origin=window, on_done=trashed)

    def restore_selected(self) -> None:
        window = self.window
        ids = window.results.selected_ids()
        if not ids or window.results.node.kind != "trash":
            return
        window.results.select_after_refresh(window.results.neighbour_of(ids))

        def restored(result: OpResult) -> None:
            self.say(f"Restored {clippings(len(result.changes.clippings))} to the library.")

        window.runner.run(ops.restore(ids), origin=window, on_done=restored)

    def purge_selected(self) -> None:
        window = self.window
        ids = window.results.selected_ids()
        if not ids or window.results.node.kind != "trash":
            return
        answer = QMessageBox.question(
            window,
            "Delete for good",
            f"Delete {clippings(len(ids))} for good, with notes, links and the original "
            "files? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            window.results.select_after_refresh(window.results.neighbour_of(ids))
            window.runner.run(
                ops.purge(ids),
                origin=window,
                on_done=lambda _r: self.say(f"Deleted {clippings(len(ids))} for good."),
            )

    def empty_trash(self) -> None:
        window = self.window
        answer = QMessageBox.question(
            window,
            "Empty trash",
            "Delete every clipping in the trash for good, with its notes and links? "
            "This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            window.runner.run(
                ops.empty_trash(), origin=window, on_done=lambda _r: self.say("Emptied the trash.")
            )

    # -- exporting ---------------------------------------------------------------------------

    def export(self) -> None:
        """Export the selection, or the whole list when nothing is selected; a dossier's
        description is offered for the book's cover."""
        from clipper.ui.export_dialog import start_export  # the export stack loads on demand

        window = self.window
        results = window.results
        title = results.node_title if not results.query else f"Search: {results.query}"
        description = ""
        if results.node.kind == "dossier" and isinstance(results.node.value, int):
            description = window.archive.dossier(results.node.value).description
        selected = results.selected_ids()

        def export_ids(ids: list[int]) -> None:
            if not ids:
                self.say("Nothing to export: the list is empty.")
                return
            scope = "selected" if selected else "in the list"
            start_export(window, window.archive, ids, title, scope=scope, description=description)

        if selected:
            export_ids(selected)
        else:
            results.listed_ids(export_ids)

    # -- titles and opening ------------------------------------------------------------------

    def edit_title(self) -> None:
        table = self.window.results.table
        index = table.currentIndex()
        if index.isValid():
            table.setFocus()
            table.edit(index.siblingAtColumn(Column.TITLE))

    def edit_title_of(self, clipping_id: int) -> None:
        results = self.window.results
        if results.model.row_of(clipping_id) is not None:
            results.select_ids([clipping_id])
            self.edit_title()

    def open_clipping(self, clipping_id: int) -> None:
        """Show a clipping: selected in the list when it is there, else in the reader."""
        results = self.window.results
        if results.model.row_of(clipping_id) is not None:
            results.select_ids([clipping_id])
            results.selection_changed.emit(results.selected_ids())
        else:
            self.window.reader.show_clippings([clipping_id])
