"""The window's actions and menus as tables: each action's text, shortcut, icon and the
window method it triggers; which menu shows which action; the clipping table's context
menu; when each action is enabled; and the list of shortcuts that Help shows.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from clipper.core.operations import UndoHistory
from clipper.ui.icons import icon
from clipper.ui.text import menu_text

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One action of the window, made into `window.<attribute>`.

    `slot` is what it triggers, as a path from the window ("runner.undo"). An action with a
    `dock` instead is that dock widget's own show/hide toggle, which follows the dock when
    the editor closes it with its title bar button.
    """

    attribute: str
    text: str
    shortcut: QKeySequence.StandardKey | str | None = None
    slot: str = ""
    icon: str = ""
    dock: str = ""


# In this order on the window, which is also the order of the Help list of shortcuts.
ACTIONS = (
    ActionSpec("import_files_action", "&Import files…", Key.Open, "import_files", "import"),
    ActionSpec("import_folder_action", "Import &folder…", "Ctrl+Shift+O", "import_folder"),
    ActionSpec("import_scan_action", "Import a &scan…", None, "import_scan"),
    ActionSpec("paste_action", "&Paste to import", Key.Paste, "paste"),
    ActionSpec("export_action", "&Export…", "Ctrl+E", "clipping_commands.export", "export"),
    ActionSpec("samples_action", "Load &sample clippings", None, "load_samples", "samples"),
    ActionSpec("quit_action", "&Quit", Key.Quit, "close"),
    ActionSpec("undo_action", "&Undo", Key.Undo, "runner.undo", "undo"),
    ActionSpec("redo_action", "&Redo", "Ctrl+Shift+Z", "runner.redo"),
    ActionSpec("find_action", "&Find", Key.Find, "focus_search", "search"),
    ActionSpec("edit_title_action", "Edit &title", "F2", "clipping_commands.edit_title"),
    ActionSpec("note_action", "New &note", "Ctrl+N", "new_note", "note"),
    ActionSpec("tag_action", "Add ta&g", "Ctrl+T", "focus_tag_field", "topic"),
    ActionSpec(
        "link_action", "&Link clippings…", "Ctrl+L", "clipping_commands.link_selected", "link"
    ),
    ActionSpec(
        "trash_action", "Move to &trash", Key.Delete, "clipping_commands.trash_selected", "trash"
    ),
    ActionSpec(
        "restore_action",
        "&Restore from trash",
        "Ctrl+R",
        "clipping_commands.restore_selected",
        "restore",
    ),
    ActionSpec(
        "purge_action", "&Delete for good…", "Shift+Del", "clipping_commands.purge_selected"
    ),
    ActionSpec("empty_trash_action", "&Empty trash…", None, "clipping_commands.empty_trash"),
    ActionSpec(
        "new_dossier_action", "&New dossier…", "Ctrl+Shift+N", "dossier_commands.new", "dossier"
    ),
    ActionSpec(
        "remove_from_dossier_action",
        "&Remove from this dossier",
        None,
        "dossier_commands.remove_selection",
    ),
    ActionSpec("move_up_action", "Move &up", "Alt+Up", "dossier_commands.move_up"),
    ActionSpec("move_down_action", "Move &down", "Alt+Down", "dossier_commands.move_down"),
    ActionSpec("describe_dossier_action", "&Describe dossier…", None, "dossier_commands.describe"),
    ActionSpec("delete_dossier_action", "De&lete dossier", None, "dossier_commands.delete"),
    ActionSpec("follow_feed_action", "&Follow a feed…", "Ctrl+Shift+F", "monitor_desk.new_feed"),
    ActionSpec("poll_feeds_action", "&Poll feeds now", "F5", "monitor_desk.poll_now"),
    ActionSpec(
        "save_search_action", "&Save this search…", "Ctrl+Shift+S", "monitor_desk.save_search"
    ),
    ActionSpec("digest_action", "&Digest of a saved search…", None, "monitor_desk.write_digest"),
    ActionSpec("preferences_action", "Pre&ferences…", "Ctrl+,", "show_preferences"),
    ActionSpec("review_action", "Import &review panel", "Ctrl+Shift+R", dock="review_dock"),
    ActionSpec("shortcuts_action", "&Keyboard shortcuts", Key.HelpContents, "show_shortcuts"),
    ActionSpec("about_action", "&About Clipper", None, "show_about"),
)

# The menu bar: each menu's title and entries (an action, the "Add to dossier" submenu, or
# None for a separator).
ADD_TO_DOSSIER_MENU = "add_to_dossier_menu"
MENUS: tuple[tuple[str, tuple[str | None, ...]], ...] = (
    (
        "&File",
        (
            "import_files_action",
            "import_folder_action",
            "import_scan_action",
            "paste_action",
            None,
            "export_action",
            "samples_action",
            None,
            "quit_action",
        ),
    ),
    (
        "&Edit",
        (
            "undo_action",
            "redo_action",
            None,
            "find_action",
            "edit_title_action",
            "note_action",
            "tag_action",
            "link_action",
            None,
            "trash_action",
            "restore_action",
            "purge_action",
            "empty_trash_action",
            None,
            "preferences_action",
        ),
    ),
    (
        "&Dossier",
        (
            "new_dossier_action",
            ADD_TO_DOSSIER_MENU,
            "remove_from_dossier_action",
            None,
            "move_up_action",
            "move_down_action",
            None,
            "describe_dossier_action",
            "delete_dossier_action",
        ),
    ),
    (
        "Fee&ds",
        ("follow_feed_action", "poll_feeds_action", None, "save_search_action", "digest_action"),
    ),
    ("&View", ("review_action",)),
    ("&Help", ("shortcuts_action", "about_action")),
)


class WindowActions:
    """The window's actions and its "Add to dossier" submenu, as typed attributes for the
    code and the tests (`window.undo_action`); `build_actions` sets one for each of
    `ACTIONS`, `build_menus` the submenu."""

    import_files_action: QAction
    import_folder_action: QAction
    paste_action: QAction
    export_action: QAction
    samples_action: QAction
    quit_action: QAction
    undo_action: QAction
    redo_action: QAction
    find_action: QAction
    edit_title_action: QAction
    note_action: QAction
    tag_action: QAction
    link_action: QAction
    trash_action: QAction
    restore_action: QAction
    purge_action: QAction
    empty_trash_action: QAction
    new_dossier_action: QAction
    remove_from_dossier_action: QAction
    move_up_action: QAction
    move_down_action: QAction
    describe_dossier_action: QAction
    delete_dossier_action: QAction
    follow_feed_action: QAction
    poll_feeds_action: QAction
    save_search_action: QAction
    digest_action: QAction
    preferences_action: QAction
    import_scan_action: QAction
    review_action: QAction
    shortcuts_action: QAction
    about_action: QAction
    add_to_dossier_menu: QMenu


def build_actions(window: MainWindow) -> None:
    """Make every action of `ACTIONS` on the window, where its shortcut works everywhere."""
    for spec in ACTIONS:
        if spec.attribute not in WindowActions.__annotations__:
            raise AttributeError(f"WindowActions does not declare {spec.attribute}")
        if spec.dock:
            dock = getattr(window, spec.dock)
            assert isinstance(dock, QDockWidget)
            action = dock.toggleViewAction()
            action.setText(spec.text)
        else:
            action = QAction(spec.text, window)
            if spec.icon:
                action.setIcon(icon(spec.icon))
            action.triggered.connect(operator.attrgetter(spec.slot)(window))
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        window.addAction(action)
        setattr(window, spec.attribute, action)


def build_menus(window: MainWindow) -> None:
    """The menu bar of `MENUS`, and the clipping table's context menu."""
    window.add_to_dossier_menu = QMenu("&Add to dossier", window)
    window.add_to_dossier_menu.setIcon(icon("dossier"))
    for title, entries in MENUS:
        menu = window.menuBar().addMenu(title)
        for name in entries:
            if name is None:
                menu.addSeparator()
            elif name == ADD_TO_DOSSIER_MENU:
                menu.addMenu(window.add_to_dossier_menu)
            else:
                menu.addAction(getattr(window, name))
    window.dossier_commands.rebuild_add_menu([])
    table = window.results.table
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.customContextMenuRequested.connect(lambda position: show_table_menu(window, position))


def show_table_menu(window: MainWindow, position: QPoint) -> None:
    """The right-click menu of the clipping table; what it offers depends on the list."""
    menu = QMenu(window)
    for action in (
        window.link_action,
        window.note_action,
        window.edit_title_action,
        window.export_action,
    ):
        menu.addAction(action)
    menu.addMenu(window.add_to_dossier_menu)
    node = window.results.node
    if node.kind == "dossier":
        menu.addAction(window.remove_from_dossier_action)
    if node.kind == "trash":
        menu.addAction(window.restore_action)
        menu.addAction(window.purge_action)
    else:
        menu.addAction(window.trash_action)
    menu.popup(window.results.table.viewport().mapToGlobal(position))


def enable_for_list(window: MainWindow, kind: str) -> None:
    """The Dossier menu's commands work on the dossier shown, if the list (of the sidebar
    node of this `kind`) is one."""
    for action in (
        window.remove_from_dossier_action,
        window.move_up_action,
        window.move_down_action,
        window.describe_dossier_action,
        window.delete_dossier_action,
    ):
        action.setEnabled(kind == "dossier")


def enable_for_selection(window: MainWindow, ids: Sequence[int], kind: str) -> None:
    """Enable what applies to the selected clippings `ids`, in a list of node `kind`."""
    has = bool(ids)
    in_trash = kind == "trash"
    window.link_action.setEnabled(len(ids) == 2)
    window.trash_action.setEnabled(has and not in_trash)
    window.restore_action.setEnabled(has and in_trash)
    window.purge_action.setEnabled(has and in_trash)
    window.note_action.setEnabled(len(ids) == 1)
    window.edit_title_action.setEnabled(len(ids) == 1)
    window.tag_action.setEnabled(has)
    window.add_to_dossier_menu.setEnabled(has)


def name_undo_redo(window: MainWindow, history: UndoHistory) -> None:
    """Undo and Redo say what they would undo or redo ("Undo Tag with Niger")."""
    undo, redo = history.undo_label, history.redo_label
    # The labels name archive things ("Tag with R&D"): an ampersand there is shown as is.
    window.undo_action.setText(f"&Undo {menu_text(undo)}" if undo else "&Undo")
    window.undo_action.setEnabled(undo is not None)
    window.redo_action.setText(f"&Redo {menu_text(redo)}" if redo else "&Redo")
    window.redo_action.setEnabled(redo is not None)


def shortcut_lines(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """Every action with a shortcut, as the menus show it, and the table's own keys."""
    lines = []
    for action in actions:
        if not action.shortcut().isEmpty():
            text = action.text().replace("&", "").replace("…", "")
            lines.append((text, action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
    lines.append(("Move through the list", "Up / Down"))
    lines.append(("Read the selected clipping", "Enter"))
    return lines
