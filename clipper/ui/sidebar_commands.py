"""The sidebar's context menu: rename, merge or delete a topic and see or edit its match rule;
rename a region; describe or delete a dossier; empty the trash. Each change runs as an
undoable operation on the window's writer and says in the status bar what it did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from clipper.core import operations as ops
from clipper.core.operations import OpResult
from clipper.core.views import TagNode
from clipper.ui.dialogs import MergeDialog, RuleDialog, TagNameDialog
from clipper.ui.sidebar import NODE_ROLE, NodeKey
from clipper.ui.text import clippings

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow


class SidebarCommands:
    """What the sidebar's context menu offers for each kind of node, for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.menu: QMenu | None = None  # the menu last shown (the tests look at it)
        sidebar = window.sidebar
        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self.show_menu)

    def show_menu(self, position: QPoint) -> None:
        sidebar = self.window.sidebar
        key = sidebar.indexAt(position).data(NODE_ROLE)
        menu = self.menu_for(key) if isinstance(key, NodeKey) else None
        if menu is None:
            return
        self.menu = menu
        menu.popup(sidebar.viewport().mapToGlobal(position))

    def menu_for(self, key: NodeKey) -> QMenu | None:
        window = self.window
        menu = QMenu(window)
        if key.kind == "topic" and isinstance(key.value, int):
            tag_id = key.value
            menu.addAction("Rename topic…", lambda: self.rename(tag_id))
            menu.addAction("Merge into…", lambda: self.merge(tag_id))
            menu.addAction("Match rule…", lambda: self.edit_rule(tag_id))
            menu.addSeparator()
            menu.addAction("Delete topic", lambda: self.delete(tag_id))
        elif key.kind == "region" and isinstance(key.value, int):
            tag_id = key.value
            menu.addAction("Rename region…", lambda: self.rename(tag_id))
        elif key.kind == "dossier" and isinstance(key.value, int):
            dossier_id = key.value
            commands = window.dossier_commands
            menu.addAction("Rename or describe…", lambda: commands.describe_dossier(dossier_id))
            menu.addSeparator()
            menu.addAction("Delete dossier", lambda: commands.delete_dossier(dossier_id))
        elif key.kind == "trash":
            menu.addAction(window.empty_trash_action)
        else:
            return None
        return menu

    # -- topics and regions ------------------------------------------------------------------

    def node(self, tag_id: int) -> TagNode | None:
        data = self.window.sidebar.sidebar_model.data_read
        if data is None:
            return None
        return next((n for n in (*data.topics, *data.regions) if n.id == tag_id), None)

    def rename(self, tag_id: int) -> None:
        node = self.node(tag_id)
        if node is None:
            return
        window = self.window
        dialog = TagNameDialog(node.kind, node.name, window)

        def renamed() -> None:
            name = dialog.name.text().strip()
            window.runner.run(
                ops.rename_tag(tag_id, name),
                origin=window,
                on_done=lambda _r: self.say(f"Renamed {node.name} to {name}."),
            )

        dialog.accepted.connect(renamed)
        window.open_dialog(dialog)

    def merge(self, tag_id: int) -> None:
        node = self.node(tag_id)
        data = self.window.sidebar.sidebar_model.data_read
        if node is None or data is None:
            return
        window = self.window
        others = [(n.id, n.name) for n in data.topics if n.id != tag_id]
        dialog = MergeDialog(node.name, others, window)

        def merged() -> None:
            target = dialog.chosen()
            if target is None:
                return
            name = dialog.target.currentText()

            def done(result: OpResult) -> None:
                self.say(f"Merged {node.name} into {name} ({clippings(result.value)}).")

            window.runner.run(ops.merge_tags(tag_id, target), origin=window, on_done=done)

        dialog.accepted.connect(merged)
        window.open_dialog(dialog)

    def edit_rule(self, tag_id: int) -> None:
        node = self.node(tag_id)
        if node is None:
            return
        window = self.window
        dialog = RuleDialog(
            node.name, node.match_mode, node.match_pattern, node.match_enabled, window
        )

        def saved() -> None:
            mode = dialog.chosen_mode()
            pattern = dialog.pattern.text().strip() if mode else None
            said = (
                f"Saved the match rule of {node.name}."
                if mode
                else f"{node.name} has no match rule now."
            )
            window.runner.run(
                ops.set_topic_rule(tag_id, mode, pattern, dialog.enabled.isChecked()),
                origin=window,
                on_done=lambda _r: self.say(said),
            )

        dialog.accepted.connect(saved)
        window.open_dialog(dialog)

    def delete(self, tag_id: int) -> None:
        node = self.node(tag_id)
        if node is None:
            return

        def done(result: OpResult) -> None:
            self.say(
                f"Deleted the topic {node.name} (it was on {clippings(result.value)}). "
                "Undo with Ctrl+Z."
            )

        self.window.runner.run(ops.delete_tag(tag_id), origin=self.window, on_done=done)

    def say(self, text: str) -> None:
        self.window.clipping_commands.say(text)
