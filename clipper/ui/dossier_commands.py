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
        window = self.window
        dossier_id = self.current()
        if dossier_id is None:
            return
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
        dossier_id = self.current()
        if dossier_id is not None:
            self.window.runner.run(ops.delete_dossier(dossier_id), origin=self.window)

    def add_selection_to(self, dossier_id: int) -> None:
        ids = self.window.results.selected_ids()
        if ids:
            self.window.runner.run(ops.add_to_dossier(dossier_id, ids), origin=self.window)

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
        """Move the one selected clipping `step` rows within the dossier shown."""
        results = self.window.results
        dossier_id = self.current()
        ids = results.selected_ids()
        if dossier_id is None or len(ids) != 1:
            return
        order = results.model.known_ids()
        row = order.index(ids[0])
        target = row + step
        if not 0 <= target < len(order):
            return
        order[row], order[target] = order[target], order[row]
        self.window.runner.run(ops.reorder_dossier(dossier_id, order), origin=self.window)

    def reorder_dropped(self, ids: list[int], row: int) -> None:
        """Clippings dragged to `row` of the dossier shown are moved there; if some are not
        in the list, only those are added to the dossier, at that place, and nothing moves."""
        dossier_id = self.current()
        if dossier_id is None:
            return
        runner, window = self.window.runner, self.window
        order = window.results.model.known_ids()
        before = [cid for cid in order[:row] if cid not in ids]
        after = [cid for cid in order[row:] if cid not in ids]
        moved = [cid for cid in ids if cid in order]
        outside = [cid for cid in ids if cid not in order]
        if outside:
            runner.run(ops.add_to_dossier(dossier_id, outside, position=len(before)), origin=window)
            return
        runner.run(ops.reorder_dossier(dossier_id, before + moved + after), origin=window)

    def dropped_on_node(self, key: NodeKey, ids: list[int]) -> None:
        """Clippings dropped on the sidebar: filed in a dossier, tagged, or trashed."""
        runner, window = self.window.runner, self.window
        if key.kind == "dossier" and isinstance(key.value, int):
            runner.run(ops.add_to_dossier(key.value, ids), origin=window)
        elif key.kind in ("topic", "region"):
            index = window.sidebar.sidebar_model.index_of(key)
            if index.isValid():
                runner.run(ops.add_tag(ids, key.kind, index.data()), origin=window)
        elif key.kind == "trash":
            runner.run(ops.trash(ids), origin=window)

    def rebuild_add_menu(self, dossiers: Sequence[tuple[int, str]]) -> None:
        """The "Add to dossier" submenu: one entry per dossier (id, name), then a new one."""
        menu = self.window.add_to_dossier_menu
        menu.clear()
        for dossier_id, name in dossiers:
            action = menu.addAction(icon("dossier"), name)
            action.triggered.connect(lambda _=False, d=dossier_id: self.add_selection_to(d))
        if dossiers:
            menu.addSeparator()
        new = menu.addAction("New dossier with the selection…")
        new.triggered.connect(lambda: self.new(with_selection=True))
