"""The main window: sidebar | results | reader, the menus, drops and pastes, and layout that
persists. It wires the panes together; it does not do their work.

Four workers, each one thread: the writer (every archive change, in order: SQLite has one
writer), the reader (listings, searches, sidebar counts, similar clippings), the importer
(reading and cleaning inputs) and the indexer (opening the search index, which may mean
rebuilding it: minutes for a big archive, during which listings and reading go on and
searches wait). Tests pass `ImmediateExecutor`s so every flow is synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QWidget,
)

from clipper import __version__
from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.ingest import InputItem
from clipper.core.operations import OpResult
from clipper.core.search.parallel import IndexBuildCancelled
from clipper.core.views import OpChanges
from clipper.ui.clipping_model import Column
from clipper.ui.dialogs import DossierDialog, LinkDialog
from clipper.ui.dropdata import decode_mime_data, describe_inputs
from clipper.ui.icons import icon
from clipper.ui.import_view import ProgressLine, ReviewPanel
from clipper.ui.importer import ImportBatch, ImportController, ImportEntry
from clipper.ui.operations import OperationRunner
from clipper.ui.reader import ReaderPane
from clipper.ui.results import ResultsPane
from clipper.ui.samples import load_samples_operation
from clipper.ui.sidebar import NodeKey, SidebarData, SidebarView, read_sidebar
from clipper.ui.tasks import Executor, TaskRunner, serial_executor

log = logging.getLogger(__name__)

SIDEBAR_REFRESH_MS = 300
# From this much work on (clippings to index, or changes to apply), the status bar says
# that the search index is being prepared, since searches wait for it (about 1 s of work).
INDEX_NOTICE_MIN = 500
SETTINGS_VERSION = 1
REVIEW_HEIGHT = 280


class MainWindow(QMainWindow):
    """Clipper's window over one open archive.

    Signals:
        sidebar_refreshed(): the sidebar shows fresh counts (tests wait on it).
    """

    sidebar_refreshed = Signal()

    def __init__(
        self,
        archive: Archive,
        settings: QSettings,
        writer: Executor | None = None,
        reader: Executor | None = None,
        importer: Executor | None = None,
        indexer: Executor | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.archive = archive
        self.settings = settings
        self.setWindowTitle(f"Clipper — {archive.location.home}")
        self.setWindowIcon(icon("clipper"))
        self.setAcceptDrops(True)

        self.writes = TaskRunner(writer or serial_executor("clipper-writer"), self)
        self.reads = TaskRunner(reader or serial_executor("clipper-reader"), self)
        self.import_tasks = TaskRunner(importer or serial_executor("clipper-import"), self)
        self.index_tasks = TaskRunner(indexer or serial_executor("clipper-indexer"), self)
        self.runner = OperationRunner(archive, self.writes, self)
        # With the app's own workers, batches are read in a child process (import_worker).
        self.importer = ImportController(
            archive, self.runner, self.import_tasks, self, read_in_process=importer is None
        )

        self.sidebar = SidebarView()
        self.results = ResultsPane(archive, self.reads)
        self.reader = ReaderPane(archive, self.runner, self.reads)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for pane in (self.sidebar, self.results, self.reader):
            self.splitter.addWidget(pane)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([220, 720, 520])
        self.setCentralWidget(self.splitter)
        # The minimum is fixed once, before the window exists; letting the layout move it
        # later makes platforms without size hints (offscreen, some Wayland) warn each time.
        self.setMinimumSize(900, 560)
        self.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.review_panel = ReviewPanel(self.importer)
        self.review_dock = QDockWidget("Import review", self)
        self.review_dock.setObjectName("reviewDock")
        self.review_dock.setWidget(self.review_panel)
        self.review_dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.review_dock)
        self.review_dock.hide()

        self.progress_line = ProgressLine(self.importer)
        self.progress_line.review_requested.connect(self.show_review)
        self.statusBar().addPermanentWidget(self.progress_line)
        self.archive_label = QLabel()
        self.archive_label.setObjectName("archiveLabel")
        self.statusBar().addPermanentWidget(self.archive_label)
        # Permanent, so a passing status message does not cover it while searches wait.
        self.index_label = QLabel()
        self.index_label.setObjectName("indexLabel")
        self.statusBar().addPermanentWidget(self.index_label)
        self.index_label.hide()

        self.dialog: QWidget | None = None
        self._sidebar_timer = QTimer(self, singleShot=True, interval=SIDEBAR_REFRESH_MS)
        self._sidebar_timer.timeout.connect(self.refresh_sidebar)
        self._build_actions()
        self._build_menus()
        self._connect()
        self._restore_layout()
        self.refresh_sidebar()
        self.results.refresh()
        self._catch_up_index()

    # -- actions and menus -------------------------------------------------------------------

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | str | None = None,
        slot: object = None,
        icon_name: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.import_files_action = self._action(
            "&Import files…", key.Open, self.import_files, "import"
        )
        self.import_folder_action = self._action(
            "Import &folder…", "Ctrl+Shift+O", self.import_folder
        )
        self.paste_action = self._action("&Paste to import", key.Paste, self.paste)
        self.export_action = self._action("&Export…", "Ctrl+E", self.export, "export")
        self.samples_action = self._action(
            "Load &sample clippings", None, self.load_samples, "samples"
        )
        self.quit_action = self._action("&Quit", key.Quit, self.close)
        self.undo_action = self._action("&Undo", key.Undo, self.runner.undo, "undo")
        self.redo_action = self._action("&Redo", "Ctrl+Shift+Z", self.runner.redo)
        self.find_action = self._action("&Find", key.Find, self.focus_search, "search")
        self.edit_title_action = self._action("Edit &title", "F2", self.edit_title)
        self.note_action = self._action("New &note", "Ctrl+N", self.new_note, "note")
        self.tag_action = self._action("Add ta&g", "Ctrl+T", self.focus_tag_field, "topic")
        self.link_action = self._action("&Link clippings…", "Ctrl+L", self.link_selected, "link")
        self.trash_action = self._action("Move to &trash", key.Delete, self.trash_selected, "trash")
        self.restore_action = self._action(
            "&Restore from trash", "Ctrl+R", self.restore_selected, "restore"
        )
        self.purge_action = self._action("&Delete for good…", "Shift+Del", self.purge_selected)
        self.empty_trash_action = self._action("&Empty trash…", None, self.empty_trash)
        self.new_dossier_action = self._action(
            "&New dossier…", "Ctrl+Shift+N", self.new_dossier, "dossier"
        )
        self.remove_from_dossier_action = self._action(
            "&Remove from this dossier", None, self.remove_from_dossier
        )
        self.move_up_action = self._action("Move &up", "Alt+Up", lambda: self.move_in_dossier(-1))
        self.move_down_action = self._action(
            "Move &down", "Alt+Down", lambda: self.move_in_dossier(+1)
        )
        self.describe_dossier_action = self._action(
            "&Describe dossier…", None, self.describe_dossier
        )
        self.delete_dossier_action = self._action("De&lete dossier", None, self.delete_dossier)
        self.review_action = self.review_dock.toggleViewAction()
        self.review_action.setText("Import &review panel")
        self.review_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.addAction(self.review_action)
        self.shortcuts_action = self._action(
            "&Keyboard shortcuts", key.HelpContents, self.show_shortcuts
        )
        self.about_action = self._action("&About Clipper", None, self.show_about)
        self._update_history_actions()

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for action in (self.import_files_action, self.import_folder_action, self.paste_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addAction(self.samples_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menus.addMenu("&Edit")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        for action in (
            self.find_action,
            self.edit_title_action,
            self.note_action,
            self.tag_action,
            self.link_action,
        ):
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.trash_action)
        edit_menu.addAction(self.restore_action)
        edit_menu.addAction(self.purge_action)
        edit_menu.addAction(self.empty_trash_action)

        self.dossier_menu = menus.addMenu("&Dossier")
        self.dossier_menu.addAction(self.new_dossier_action)
        self.add_to_dossier_menu = QMenu("&Add to dossier", self)
        self.add_to_dossier_menu.setIcon(icon("dossier"))
        self.dossier_menu.addMenu(self.add_to_dossier_menu)
        self.dossier_menu.addAction(self.remove_from_dossier_action)
        self.dossier_menu.addSeparator()
        self.dossier_menu.addAction(self.move_up_action)
        self.dossier_menu.addAction(self.move_down_action)
        self.dossier_menu.addSeparator()
        self.dossier_menu.addAction(self.describe_dossier_action)
        self.dossier_menu.addAction(self.delete_dossier_action)
        self._rebuild_dossier_menu([])

        view_menu = menus.addMenu("&View")
        view_menu.addAction(self.review_action)

        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.about_action)

        self.results.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.table.customContextMenuRequested.connect(self._table_menu)

    def _table_menu(self, position: object) -> None:
        menu = QMenu(self)
        for action in (
            self.link_action,
            self.note_action,
            self.edit_title_action,
            self.export_action,
        ):
            menu.addAction(action)
        menu.addMenu(self.add_to_dossier_menu)
        if self.results.node.kind == "dossier":
            menu.addAction(self.remove_from_dossier_action)
        if self.results.node.kind == "trash":
            menu.addAction(self.restore_action)
            menu.addAction(self.purge_action)
        else:
            menu.addAction(self.trash_action)
        menu.popup(self.results.table.viewport().mapToGlobal(position))

    def _rebuild_dossier_menu(self, dossiers: Sequence[tuple[int, str]]) -> None:
        self.add_to_dossier_menu.clear()
        for dossier_id, name in dossiers:
            action = self.add_to_dossier_menu.addAction(icon("dossier"), name)
            action.triggered.connect(lambda _=False, d=dossier_id: self.add_selected_to_dossier(d))
        if dossiers:
            self.add_to_dossier_menu.addSeparator()
        new = self.add_to_dossier_menu.addAction("New dossier with the selection…")
        new.triggered.connect(lambda: self.new_dossier(with_selection=True))

    def _connect(self) -> None:
        self.runner.operation_did_execute.connect(self._on_operation)
        self.runner.operation_failed.connect(
            lambda label, reason: self.statusBar().showMessage(f"{label}: {reason}", 8000)
        )
        self.runner.history_changed.connect(self._update_history_actions)
        self.sidebar.node_selected.connect(self._on_node_selected)
        self.sidebar.clippings_dropped.connect(self._on_clippings_dropped_on_node)
        self.sidebar.import_dropped.connect(self.import_mime)
        self.results.selection_changed.connect(self._on_selection_changed)
        self.results.load_samples_requested.connect(self.load_samples)
        self.results.status.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.results.table.import_dropped.connect(self.import_mime)
        self.results.table.link_dropped.connect(self.open_link_dialog)
        self.results.table.reorder_dropped.connect(self._on_reorder_dropped)
        self.results.table.open_requested.connect(self.reader.article.setFocus)
        self.results.model.title_edited.connect(
            lambda cid, title: self.runner.run(
                ops.update_fields(cid, title=title), origin=self.results
            )
        )
        self.reader.open_requested.connect(self.open_clipping)
        self.reader.edit_title_requested.connect(self._edit_title_of)
        self.importer.batch_started.connect(lambda _batch: self._on_import_activity())
        self.importer.batch_finished.connect(lambda _batch: self._on_import_activity())
        self.importer.batch_finished.connect(self._on_batch_finished)
        self.importer.entry_changed.connect(self._on_import_entry)
        self._on_selection_changed([])

    # -- refreshing --------------------------------------------------------------------------

    def _on_operation(self, changes: OpChanges, origin: object) -> None:
        self.results.on_operation(changes, origin)
        structural = changes.added or changes.removed or changes.tags or changes.dossiers
        if (
            structural or changes.trash or changes.clippings
        ) and not self._sidebar_timer.isActive():
            self._sidebar_timer.start()

    def refresh_sidebar(self) -> None:
        self._sidebar_timer.stop()
        archive = self.archive
        self.reads.run(
            lambda: read_sidebar(archive),
            self._on_sidebar_read,
            lambda exc: log.error("sidebar read failed", exc_info=exc),
        )

    def _on_sidebar_read(self, data: SidebarData) -> None:
        self.sidebar.populate(data)
        self._rebuild_dossier_menu([(d.id, d.name) for d in data.dossiers])
        names = [n.name for n in data.topics] + [n.name for n in data.regions]
        self.reader.set_tag_completions(names)
        self.archive_label.setText(f"{data.library:,} clippings")
        self._update_node_actions()
        self.sidebar_refreshed.emit()

    def _catch_up_index(self) -> None:
        """Open the index on the indexer thread (rebuilding or catching it up as needed),
        saying so in the status bar when that takes long enough for a search to wait.
        Until it is open, searches and similar stories wait for it, not the reader thread."""
        archive, tasks = self.archive, self.index_tasks
        self._set_index_ready(False)

        def catch_up() -> None:
            work = archive.pending_index_work()
            if work.items >= INDEX_NOTICE_MIN:
                tasks.post(lambda: self._show_index_work(work.rebuild, work.items))
            archive.index.catch_up()

        tasks.run(catch_up, lambda _none: self._index_ready(), self._index_failed)

    def _set_index_ready(self, ready: bool) -> None:
        self.results.set_index_ready(ready)
        self.reader.set_index_ready(ready)

    def _show_index_work(self, rebuild: bool, items: int) -> None:
        if rebuild:
            text = f"Building the search index for {items:,} clippings…"
        else:
            text = f"Bringing the search index up to date ({items:,} changes)…"
        self.index_label.setText(text)
        self.index_label.setToolTip("Searches answer as soon as this is done.")
        self.index_label.show()

    def _index_ready(self) -> None:
        self._set_index_ready(True)
        if not self.index_label.isHidden():
            self.index_label.hide()
            self.statusBar().showMessage("The search index is ready.", 5000)

    def _index_failed(self, exc: BaseException) -> None:
        if isinstance(exc, IndexBuildCancelled):
            return  # the window is closing
        log.warning("the search index could not be prepared: %s", exc)
        # Searches may try again (and say why they fail), rather than wait for nothing.
        self._set_index_ready(True)
        self.index_label.setText(f"The search index could not be prepared: {exc}")
        self.index_label.setToolTip("Run “clipper reindex” on this archive, then reopen it.")
        self.index_label.show()

    def _on_node_selected(self, key: NodeKey) -> None:
        index = self.sidebar.sidebar_model.index_of(key)
        title = index.data() if index.isValid() else "Library"
        description = index.data(Qt.ItemDataRole.ToolTipRole) if key.kind == "dossier" else ""
        self.results.show_node(key, title, description or "")
        self._update_node_actions()

    def _update_node_actions(self) -> None:
        kind = self.results.node.kind
        in_dossier = kind == "dossier"
        for action in (
            self.remove_from_dossier_action,
            self.move_up_action,
            self.move_down_action,
            self.describe_dossier_action,
            self.delete_dossier_action,
        ):
            action.setEnabled(in_dossier)
        self._on_selection_changed(self.results.selected_ids())

    def _on_selection_changed(self, ids: list[int]) -> None:
        self.reader.show_clippings(ids)
        has = bool(ids)
        in_trash = self.results.node.kind == "trash"
        self.link_action.setEnabled(len(ids) == 2)
        self.trash_action.setEnabled(has and not in_trash)
        self.restore_action.setEnabled(has and in_trash)
        self.purge_action.setEnabled(has and in_trash)
        self.note_action.setEnabled(len(ids) == 1)
        self.edit_title_action.setEnabled(len(ids) == 1)
        self.tag_action.setEnabled(has)
        self.add_to_dossier_menu.setEnabled(has)

    def _update_history_actions(self) -> None:
        undo, redo = self.runner.history.undo_label, self.runner.history.redo_label
        self.undo_action.setText(f"&Undo {undo}" if undo else "&Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"&Redo {redo}" if redo else "&Redo")
        self.redo_action.setEnabled(redo is not None)

    # -- importing ---------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasHtml() or mime.hasText():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_mime(event.mimeData())

    def import_mime(self, mime: QMimeData) -> ImportBatch | None:
        """Import what a drop or paste brought (decoded now: the data dies with the event)."""
        items = decode_mime_data(mime)
        if not items:
            self.statusBar().showMessage("Nothing to import in what was dropped.", 5000)
            return None
        return self.import_items(items)

    def import_items(self, items: Sequence[InputItem | str]) -> ImportBatch:
        inputs = [
            i if isinstance(i, InputItem) else InputItem(label=str(i), path=Path(i)) for i in items
        ]
        self.statusBar().showMessage(f"Importing {describe_inputs(inputs)}…", 3000)
        return self.importer.start(items)

    def paste(self) -> None:
        self.import_mime(QApplication.clipboard().mimeData())

    def import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import files", str(Path.home()))
        if paths:
            self.import_items([InputItem(label=p, path=Path(p)) for p in paths])

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder", str(Path.home()))
        if folder:
            self.import_items([folder])

    def _on_batch_finished(self, batch: ImportBatch) -> None:
        if any(e.needs_review for e in batch.entries) or batch.count("failed"):
            self.show_review()

    def _on_import_activity(self) -> None:
        self.results.importing = self.importer.active is not None

    def _on_import_entry(self, _batch: ImportBatch, entry: ImportEntry) -> None:
        if entry.status == "held":
            self.show_review()  # a possible duplicate waits for a decision: say so now

    def show_review(self) -> None:
        if not self.review_dock.isVisible():
            self.review_dock.show()
            self.resizeDocks([self.review_dock], [REVIEW_HEIGHT], Qt.Orientation.Vertical)
        self.review_dock.raise_()

    def load_samples(self) -> None:
        def done(result: OpResult) -> None:
            count = len(result.value or {})
            self.statusBar().showMessage(
                f"Loaded {count} sample clippings. Try searching for Yevkurov.", 8000
            )

        self.runner.run(load_samples_operation(), origin=self, on_done=done)

    # -- editing -----------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.results.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.results.search_field.selectAll()

    def new_note(self) -> None:
        self.reader.start_note()

    def focus_tag_field(self) -> None:
        if self.reader.selected_ids and self.reader.stack.currentWidget() is self.reader.page:
            self.reader.tags.field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def edit_title(self) -> None:
        index = self.results.table.currentIndex()
        if index.isValid():
            self.results.table.setFocus()
            self.results.table.edit(index.siblingAtColumn(Column.TITLE))

    def _edit_title_of(self, clipping_id: int) -> None:
        row = self.results.model.row_of(clipping_id)
        if row is not None:
            self.results.select_ids([clipping_id])
            self.edit_title()

    def open_clipping(self, clipping_id: int) -> None:
        if self.results.model.row_of(clipping_id) is not None:
            self.results.select_ids([clipping_id])
            self.results.selection_changed.emit(self.results.selected_ids())
        else:
            self.reader.show_clippings([clipping_id])

    def link_selected(self) -> None:
        ids = self.results.selected_ids()
        if len(ids) != 2:
            self.statusBar().showMessage("Select exactly two clippings to link them.", 5000)
            return
        self.open_link_dialog(ids[0], ids[1])

    def open_link_dialog(self, a: int, b: int) -> None:
        titles = {s.id: s.title for s in self.archive.summaries([a, b])}
        if a not in titles or b not in titles:
            return
        dialog = LinkDialog((a, titles[a]), (b, titles[b]), self)
        existing = next((v for v in self.archive.get(a).links if v.other_id == b), None)
        if existing is not None:
            dialog.note.setText(existing.note)
            dialog.set_kind(existing.kind)
        dialog.accepted.connect(
            lambda: self.runner.run(
                ops.link(a, b, dialog.note.text(), dialog.chosen_kind()), origin=self
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def trash_selected(self) -> None:
        ids = self.results.selected_ids()
        if ids and self.results.node.kind != "trash":
            self.runner.run(ops.trash(ids), origin=self)

    def restore_selected(self) -> None:
        ids = self.results.selected_ids()
        if ids and self.results.node.kind == "trash":
            self.runner.run(ops.restore(ids), origin=self)

    def purge_selected(self) -> None:
        ids = self.results.selected_ids()
        if not ids or self.results.node.kind != "trash":
            return
        answer = QMessageBox.question(
            self,
            "Delete for good",
            f"Delete {len(ids)} clipping{'s' if len(ids) != 1 else ''} for good, with notes, "
            "links and the original files? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.run(ops.purge(ids), origin=self)

    def empty_trash(self) -> None:
        answer = QMessageBox.question(
            self,
            "Empty trash",
            "Delete every clipping in the trash for good, with its notes and links? "
            "This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.run(ops.empty_trash(), origin=self)

    def export(self) -> None:
        from clipper.ui.export_dialog import start_export  # the export stack loads on demand

        title = (
            self.results.node_title if not self.results.query else f"Search: {self.results.query}"
        )

        def export_ids(ids: list[int]) -> None:
            if not ids:
                self.statusBar().showMessage("Nothing to export: the list is empty.", 5000)
                return
            start_export(self, self.archive, ids, title)

        selected = self.results.selected_ids()
        if selected:
            export_ids(selected)
        else:
            self.results.listed_ids(export_ids)

    # -- dossiers ----------------------------------------------------------------------------

    def _current_dossier(self) -> int | None:
        node = self.results.node
        return node.value if node.kind == "dossier" and isinstance(node.value, int) else None

    def new_dossier(self, with_selection: bool = False) -> None:
        ids = self.results.selected_ids() if with_selection else []
        dialog = DossierDialog(parent=self)

        def create() -> None:
            operation = ops.create_dossier(dialog.name.text(), dialog.description.toPlainText())

            def created(result: OpResult) -> None:
                if ids:
                    self.runner.run(ops.add_to_dossier(result.value.id, ids), origin=self)

            self.runner.run(operation, origin=self, on_done=created)

        dialog.accepted.connect(create)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def describe_dossier(self) -> None:
        dossier_id = self._current_dossier()
        if dossier_id is None:
            return
        view = self.archive.dossier(dossier_id)
        dialog = DossierDialog(view.name, view.description, self)
        dialog.accepted.connect(
            lambda: self.runner.run(
                ops.update_dossier(
                    dossier_id,
                    name=dialog.name.text(),
                    description=dialog.description.toPlainText(),
                ),
                origin=self,
            )
        )
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def delete_dossier(self) -> None:
        dossier_id = self._current_dossier()
        if dossier_id is not None:
            self.runner.run(ops.delete_dossier(dossier_id), origin=self)

    def add_selected_to_dossier(self, dossier_id: int) -> None:
        ids = self.results.selected_ids()
        if ids:
            self.runner.run(ops.add_to_dossier(dossier_id, ids), origin=self)

    def remove_from_dossier(self) -> None:
        dossier_id = self._current_dossier()
        ids = self.results.selected_ids()
        if dossier_id is not None and ids:
            self.runner.run(ops.remove_from_dossier(dossier_id, ids), origin=self)

    def move_in_dossier(self, step: int) -> None:
        dossier_id = self._current_dossier()
        ids = self.results.selected_ids()
        if dossier_id is None or len(ids) != 1:
            return
        order = self.results.model.known_ids()
        row = order.index(ids[0])
        target = row + step
        if not 0 <= target < len(order):
            return
        order[row], order[target] = order[target], order[row]
        self.runner.run(ops.reorder_dossier(dossier_id, order), origin=self)

    def _on_reorder_dropped(self, ids: list[int], row: int) -> None:
        dossier_id = self._current_dossier()
        if dossier_id is None:
            return
        order = self.results.model.known_ids()
        before = [cid for cid in order[:row] if cid not in ids]
        after = [cid for cid in order[row:] if cid not in ids]
        moved = [cid for cid in ids if cid in order]
        outside = [cid for cid in ids if cid not in order]
        if outside:
            self.runner.run(
                ops.add_to_dossier(dossier_id, outside, position=len(before)), origin=self
            )
            return
        self.runner.run(ops.reorder_dossier(dossier_id, before + moved + after), origin=self)

    def _on_clippings_dropped_on_node(self, key: NodeKey, ids: list[int]) -> None:
        if key.kind == "dossier" and isinstance(key.value, int):
            self.runner.run(ops.add_to_dossier(key.value, ids), origin=self)
        elif key.kind in ("topic", "region"):
            index = self.sidebar.sidebar_model.index_of(key)
            if index.isValid():
                self.runner.run(ops.add_tag(ids, key.kind, index.data()), origin=self)
        elif key.kind == "trash":
            self.runner.run(ops.trash(ids), origin=self)

    # -- help --------------------------------------------------------------------------------

    def shortcut_lines(self) -> list[tuple[str, str]]:
        """Every action with a shortcut, as the menus show it."""
        lines = []
        for action in self.actions():
            if not action.shortcut().isEmpty():
                text = action.text().replace("&", "").replace("…", "")
                lines.append(
                    (text, action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                )
        lines.append(("Move through the list", "Up / Down"))
        lines.append(("Read the selected clipping", "Enter"))
        return lines

    def show_shortcuts(self) -> None:
        rows = "".join(
            f"<tr><td>{name}</td><td><b>{keys}</b></td></tr>"
            for name, keys in self.shortcut_lines()
        )
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "Keyboard shortcuts",
            f"<table cellspacing=6>{rows}</table>",
            parent=self,
        )
        box.finished.connect(box.deleteLater)
        self.dialog = box
        box.open()

    def show_about(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            "About Clipper",
            f"<b>Clipper {__version__}</b><br>A clipping manager for newsrooms.<br><br>"
            f"Archive: {self.archive.location.home}",
            parent=self,
        )
        box.setIconPixmap(icon("clipper").pixmap(48, 48))
        box.finished.connect(box.deleteLater)
        self.dialog = box
        box.open()

    # -- layout that persists ----------------------------------------------------------------

    def _restore_layout(self) -> None:
        s = self.settings
        if s.value("layout/version", 0, int) != SETTINGS_VERSION:
            self.resize(1360, 820)
            return
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not self.restoreGeometry(geometry):
            self.resize(1360, 820)
        for key, target in (
            ("window/state", self.restoreState),
            ("splitter/main", self.splitter.restoreState),
            ("splitter/reader", self.reader.splitter.restoreState),
            ("table/header", self.results.table.horizontalHeader().restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                target(value)
        self.results.table.setColumnHidden(Column.SNIPPET, True)
        self.results.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("layout/version", SETTINGS_VERSION)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("splitter/main", self.splitter.saveState())
        s.setValue("splitter/reader", self.reader.splitter.saveState())
        s.setValue("table/header", self.results.table.horizontalHeader().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reader.flush_notes()
        self.save_layout()
        self.importer.cancel()
        # A rebuild of a big index takes minutes: closing does not wait for it.
        self.archive.cancel_index_build()
        for tasks in (self.import_tasks, self.writes, self.reads, self.index_tasks):
            tasks.shutdown()
        super().closeEvent(event)
