"""The Dossier menu's commands and the drops that file clippings away: new, describe and
delete a dossier, add the selection to one, move a clipping up or down in it, reorder it by
dragging rows, and clippings dropped on a sidebar node (a dossier, a tag, the trash). Each
change runs as an operation on the window's writer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from clipper.core import operations as ops
from clipper.core.operations import OpResult
from clipper.ui.dialogs import DossierDialog
from clipper.ui.icons import icon
from clipper.ui.sidebar import NodeKey
from clipper.ui.text import clippings, menu_text

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow


class DossierCommands:
    """What the Dossier menu and drops on dossiers do, for one window (which owns it)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def current(self) -> int | None:
        """The dossier the list shows, if it shows one."""
        node = self.window.results.node
        return node.value if node.kind == "dossier" and isinstance(node.value, int) else None

    def new(self, with_selection: bool = False) -> None:
        window = self.window
        ids = window.results.selected_ids() if with_selection else []
        dialog = DossierDialog(parent=window)

        def create() -> None:
            operation = ops.create_dossier(dialog.name.text(), dialog.description.toPlainText())

            def created(result: OpResult) -> None:
                if ids:
                    window.runner.run(ops.add_to_dossier(result.value.id, ids), origin=window)

            window.runner.run(operation, origin=window, on_done=created)

        dialog.accepted.connect(create)
        window.open_dialog(dialog)

    def describe(self) -> None:
        dossier_id = self.current()
        if dossier_id is not None:
            self.describe_dossier(dossier_id)

    def describe_dossier(self, dossier_id: int) -> None:
        window = self.window
        view = window.archive.dossier(dossier_id)
        dialog = DossierDialog(view.name, view.description, window)
        dialog.accepted.connect(
            lambda: window.runner.run(
                ops.update_dossier(
                    dossier_id,
                    name=dialog.name.text(),
                    description=dialog.description.toPlainText(),
                ),
                origin=window,
            )
        )
        window.open_dialog(dialog)

    def delete(self) -> None:
        """Delete the dossier shown; its clippings stay in the library."""
        dossier_id = self.current()
        if dossier_id is not None:
            self.delete_dossier(dossier_id)

    def delete_dossier(self, dossier_id: int) -> None:
        window = self.window
        name = window.archive.dossier(dossier_id).name
        window.runner.run(
            ops.delete_dossier(dossier_id),
            origin=window,
            on_done=lambda _r: window.clipping_commands.say(
                f"Deleted the dossier {name}; its clippings stay in the library. Undo with Ctrl+Z."
            ),
        )

    def add_selection_to(self, dossier_id: int) -> None:
        ids = self.window.results.selected_ids()
        if ids:
            self.add(dossier_id, ids)

    def add(self, dossier_id: int, ids: Sequence[int], position: int | None = None) -> None:
        window = self.window
        name = window.archive.dossier(dossier_id).name
        window.runner.run(
            ops.add_to_dossier(dossier_id, ids, position=position),
            origin=window,
            on_done=lambda _r: window.clipping_commands.say(
                f"Added {clippings(len(ids))} to {name}."
            ),
        )

    def remove_selection(self) -> None:
        dossier_id = self.current()
        ids = self.window.results.selected_ids()
        if dossier_id is not None and ids:
            self.window.runner.run(ops.remove_from_dossier(dossier_id, ids), origin=self.window)

    def move_up(self) -> None:
        self.move(-1)

    def move_down(self) -> None:
        self.move(+1)

    def move(self, step: int) -> None:
        """Move the one selected clipping `step` rows within the dossier shown: it trades
        places with its neighbour in the list (members in the trash keep theirs)."""
        results = self.window.results
        dossier_id = self.current()
        ids = results.selected_ids()
        if dossier_id is None or len(ids) != 1:
            return
        listed = results.model.known_ids()
        row = listed.index(ids[0])
        if not 0 <= row + step < len(listed):
            return
        neighbour = listed[row + step]
        order = list(self.window.archive.dossier(dossier_id).clipping_ids)
        here, there = order.index(ids[0]), order.index(neighbour)
        order[here], order[there] = order[there], order[here]
        self.window.runner.run(ops.reorder_dossier(dossier_id, order), origin=self.window)

    def reorder_dropped(self, ids: list[int], row: int) -> None:
        """Clippings dragged to `row` of the dossier shown are moved there; if some are not
        in the list, only those are added to the dossier, at that place, and nothing moves."""
        dossier_id = self.current()
        if dossier_id is None:
            return
        runner, window = self.window.runner, self.window
        listed = window.results.model.known_ids()
        outside = [cid for cid in ids if cid not in listed]
        full = list(window.archive.dossier(dossier_id).clipping_ids)
        # Row `row` of the list is this place in the whole dossier (trashed members too).
        at = full.index(listed[row]) if row < len(listed) else len(full)
        if outside:
            self.add(dossier_id, outside, position=len([c for c in full[:at] if c not in ids]))
            return
        before = [cid for cid in full[:at] if cid not in ids]
        after = [cid for cid in full[at:] if cid not in ids]
        moved = [cid for cid in ids if cid in full]
        runner.run(ops.reorder_dossier(dossier_id, before + moved + after), origin=window)

    def dropped_on_node(self, key: NodeKey, ids: list[int]) -> None:
        """Clippings dropped on the sidebar: filed in a dossier, tagged, or trashed."""
        runner, window = self.window.runner, self.window
        if key.kind == "dossier" and isinstance(key.value, int):
            self.add(key.value, ids)
        elif key.kind in ("topic", "region"):
            index = window.sidebar.sidebar_model.index_of(key)
            if index.isValid():
                runner.run(ops.add_tag(ids, key.kind, index.data()), origin=window)
        elif key.kind == "trash":
            window.clipping_commands.trash(ids)

    def rebuild_add_menu(self, dossiers: Sequence[tuple[int, str]]) -> None:
        """The "Add to dossier" submenu: one entry per dossier (id, name), then a new one."""
        menu = self.window.add_to_dossier_menu
        menu.clear()
        for dossier_id, name in dossiers:
            action = menu.addAction(icon("dossier"), menu_text(name))
            action.triggered.connect(lambda _=False, d=dossier_id: self.add_selection_to(d))
        if dossiers:
            menu.addSeparator()
        new = menu.addAction("New dossier with the selection…")
        new.triggered.connect(lambda: self.new(with_selection=True))
