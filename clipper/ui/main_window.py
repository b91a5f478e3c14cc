"""The main window: sidebar | results | reader, drops and pastes, and layout that persists.
It wires the panes together; it does not do their work. Its actions and menus are tables in
`actions`; the Dossier menu's commands and drops on the sidebar are in `dossier_commands`.

Six workers, each one thread: the writer (every archive change, in order: SQLite has one
writer), the reader (listings, searches, sidebar counts, similar clippings), the importer
(reading and cleaning inputs), the indexer (opening the search index, which may mean
rebuilding it: minutes for a big archive, during which listings and reading go on and
searches wait) and the watcher (a look at the change log every two seconds, for what
other desks change: `live_refresh`) and the monitor (polling feeds, on a timer:
`monitor_desk`, which also owns the Inbox pane and saved searches). Tests pass
`ImmediateExecutor`s so every flow is synchronous.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from PySide6.QtCore import QMimeData, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QLayout,
    QMainWindow,
    QSplitter,
    QWidget,
)

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.ingest import InputItem
from clipper.core.operations import OpResult
from clipper.core.search import IndexBuildCancelled
from clipper.core.views import OpChanges
from clipper.ui.actions import (
    WindowActions,
    build_actions,
    build_menus,
    enable_for_list,
    enable_for_selection,
    name_undo_redo,
    shortcut_lines,
)
from clipper.ui.clipping_commands import ClippingCommands
from clipper.ui.connector import Connector
from clipper.ui.crop_dialog import SCAN_FILTER, crop_for_import
from clipper.ui.dialogs import about_box, shortcuts_box
from clipper.ui.dossier_commands import DossierCommands
from clipper.ui.drop_overlay import DropOverlay, DropWatcher
from clipper.ui.dropdata import decode_mime_data, describe_inputs
from clipper.ui.icons import icon
from clipper.ui.idle_folds import IdleFolds
from clipper.ui.import_view import ProgressLine
from clipper.ui.importer import ImportBatch, ImportController, ImportEntry
from clipper.ui.live_refresh import ChangeWatcher
from clipper.ui.monitor_desk import MonitorDesk
from clipper.ui.operations import OperationRunner
from clipper.ui.preferences import PreferencesDialog, ocr_mode
from clipper.ui.reader import ReaderPane
from clipper.ui.results import ResultsPane
from clipper.ui.review_desk import ReviewDesk
from clipper.ui.review_panel import ReviewPanel
from clipper.ui.samples import load_samples_operation
from clipper.ui.sidebar import (
    DESCRIPTION_ROLE,
    NodeKey,
    SidebarData,
    SidebarView,
    read_sidebar,
)
from clipper.ui.sidebar_commands import SidebarCommands
from clipper.ui.tasks import Executor, TaskRunner, serial_executor
from clipper.ui.widgets import plain_label, set_dialog_buttons
from clipper.ui.window_layout import (
    ReviewHeightKeeper,
    restore_layout,
    review_height,
    save_layout,
    window_minimum,
)

log = logging.getLogger(__name__)

SIDEBAR_REFRESH_MS = 300
RESULTS_MIN_WIDTH = 460
# From this much work on (clippings to index, or changes to apply), the status bar says
# that the search index is being prepared, since searches wait for it (about 1 s of work).
INDEX_NOTICE_MIN = 500
# The index opens after the window's first reads, or after this long at most (ms).
INDEX_OPEN_WAIT_MS = 3000


class MainWindow(QMainWindow, WindowActions):
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
        watcher: Executor | None = None,
        monitor: Executor | None = None,
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
        # The sidebar's counts read on a thread of their own: at 200,000 clippings they take
        # a second or two, and the list (on `reads`) is not to wait behind them at startup.
        self.sidebar_reads = TaskRunner(reader or serial_executor("clipper-sidebar"), self)
        self.import_tasks = TaskRunner(importer or serial_executor("clipper-import"), self)
        self.index_tasks = TaskRunner(indexer or serial_executor("clipper-indexer"), self)
        self.watch_tasks = TaskRunner(watcher or serial_executor("clipper-watch"), self)
        self.runner = OperationRunner(archive, self.writes, self)
        # Before anything is read: what others write from now on is shown (live refresh).
        self.watcher = ChangeWatcher(archive, self.watch_tasks, self.runner.own_writes, self)
        self.idle_folds = IdleFolds(archive, self.index_tasks, self)
        # With the app's own workers, batches are read in a child process (import_worker).
        self.importer = ImportController(
            archive, self.runner, self.import_tasks, self, read_in_process=importer is None
        )
        self.importer.ocr = ocr_mode(settings)
        # "Send to Clipper" from the browser, while this window is open (see connector).
        self.connector = Connector(self.importer, settings, self)
        if self.connector.enabled:
            self.connector.start()

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
        # The list keeps room for its title column and two others, however the window is
        # resized: the reader and the sidebar give way first.
        self.results.setMinimumWidth(RESULTS_MIN_WIDTH)
        self.setCentralWidget(self.splitter)
        # The minimum is fixed once, before the window exists; letting the layout move it
        # later makes platforms without size hints (offscreen, some Wayland) warn each time.
        self.setMinimumSize(window_minimum())
        # A QMainWindow always has its own layout (the stubs allow for a widget without one).
        cast(QLayout, self.layout()).setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

        self.review_desk = ReviewDesk(archive, self.importer, self.runner, self.reads, self)
        self.review_panel = ReviewPanel(self.review_desk)
        self.review_dock = QDockWidget("Import review", self)
        self.review_dock.setObjectName("reviewDock")
        self.review_dock.setWidget(self.review_panel)
        self.review_dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.review_dock)
        self.review_dock.hide()
        self.review_height_keeper = ReviewHeightKeeper(self)
        self.drop_overlay = DropOverlay(self)
        self.drop_watcher = DropWatcher(
            self, self.drop_overlay, [self.sidebar.viewport(), self.results.table.viewport()]
        )

        self.progress_line = ProgressLine(self.importer)
        self.progress_line.review_requested.connect(self.show_review)
        self.statusBar().addPermanentWidget(self.progress_line)
        self.archive_label = plain_label(name="archiveLabel")
        self.statusBar().addPermanentWidget(self.archive_label)
        # Permanent, so a passing status message does not cover it while searches wait.
        self.index_label = plain_label(name="indexLabel")
        self.statusBar().addPermanentWidget(self.index_label)
        self.index_label.hide()

        self.dialog: QWidget | None = None
        self._sidebar_timer = QTimer(self, singleShot=True, interval=SIDEBAR_REFRESH_MS)
        self._sidebar_timer.timeout.connect(self.refresh_sidebar)
        self.dossier_commands = DossierCommands(self)
        self.clipping_commands = ClippingCommands(self)
        self.sidebar_commands = SidebarCommands(self)
        self.monitor_desk = MonitorDesk(self, monitor)
        build_actions(self)
        self._update_history_actions()
        build_menus(self)
        self._connect()
        restore_layout(self)
        self._open_index_after_first_reads()
        self.refresh_sidebar()
        self.results.refresh()
        self.review_desk.restore()
        self.watcher.changed.connect(self._on_changed_elsewhere)
        self.watcher.start()
        self.monitor_desk.start()

    def _connect(self) -> None:
        self.runner.operation_did_execute.connect(self._on_operation)
        self.runner.operation_failed.connect(
            lambda label, reason: self.statusBar().showMessage(f"{label}: {reason}", 8000)
        )
        self.runner.history_changed.connect(self._update_history_actions)
        self.sidebar.node_selected.connect(self._on_node_selected)
        self.sidebar.clippings_dropped.connect(self.dossier_commands.dropped_on_node)
        self.sidebar.import_dropped.connect(self.import_mime)
        self.results.selection_changed.connect(self._on_selection_changed)
        self.results.load_samples_requested.connect(self.load_samples)
        self.results.status.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.results.table.import_dropped.connect(self.import_mime)
        self.results.table.link_dropped.connect(self.clipping_commands.open_link_dialog)
        self.results.table.reorder_dropped.connect(self.dossier_commands.reorder_dropped)
        self.results.table.open_requested.connect(self.reader.article.setFocus)
        self.results.model.title_edited.connect(
            lambda cid, title: self.runner.run(
                ops.update_fields(cid, title=title), origin=self.results
            )
        )
        self.reader.open_requested.connect(self.clipping_commands.open_clipping)
        self.results.shown.connect(self.reader.set_query)
        self.reader.edit_title_requested.connect(self.clipping_commands.edit_title_of)
        self.importer.batch_started.connect(lambda _batch: self._on_import_activity())
        self.importer.batch_finished.connect(lambda _batch: self._on_import_activity())
        self.importer.batch_finished.connect(self._on_batch_finished)
        self.importer.entry_changed.connect(self._on_import_entry)
        self.review_desk.said.connect(self.clipping_commands.say)
        self.review_desk.open_requested.connect(self.clipping_commands.open_clipping)
        self._on_selection_changed([])

    # -- refreshing --------------------------------------------------------------------------

    def _on_operation(self, changes: OpChanges, origin: QObject | None) -> None:
        self.results.on_operation(changes, origin)
        self.idle_folds.changed()
        structural = changes.added or changes.removed or changes.tags or changes.dossiers
        if (
            structural or changes.trash or changes.clippings
        ) and not self._sidebar_timer.isActive():
            self._sidebar_timer.start()

    def _on_changed_elsewhere(self, changes: OpChanges) -> None:
        """Another desk or a `clipper` command changed the archive: every view refreshes as
        after an operation of this window; imports may have left cards to review."""
        self.runner.announce(changes, origin=self.watcher)
        if changes.added or changes.removed:
            self.review_desk.refresh()

    def refresh_sidebar(self) -> None:
        self._sidebar_timer.stop()
        archive = self.archive
        self.sidebar_reads.run(
            lambda: read_sidebar(archive),
            self._on_sidebar_read,
            lambda exc: log.error("sidebar read failed", exc_info=exc),
        )

    def _on_sidebar_read(self, data: SidebarData) -> None:
        self.sidebar.populate(data)
        self.dossier_commands.rebuild_add_menu([(d.id, d.name) for d in data.dossiers])
        names = [n.name for n in data.topics] + [n.name for n in data.regions]
        self.reader.set_tag_completions(names)
        self.archive_label.setText(f"{data.library:,} clippings")
        self._update_node_actions()
        self.sidebar_refreshed.emit()

    def _open_index_after_first_reads(self) -> None:
        """Open the index once the first list and the sidebar's counts are read (or after
        INDEX_OPEN_WAIT_MS, if one of them fails): opened beside them, it took a core and
        the interpreter from them, and at 200,000 clippings the window showed its rows and
        counts after 1.5 s instead of 0.9. A search typed meanwhile waits for the index
        as it always may (see `_catch_up_index`)."""
        self._set_index_ready(False)
        # The first reads still awaited; None once the index is opening (or the window closed).
        self._index_awaits: set[str] | None = {"list", "sidebar"}
        self._index_wait = QTimer(self, singleShot=True, interval=INDEX_OPEN_WAIT_MS)
        self._index_wait.timeout.connect(self._open_index_now)
        self.results.shown.connect(lambda _query: self._first_read_done("list"))
        self.sidebar_refreshed.connect(lambda: self._first_read_done("sidebar"))
        self._index_wait.start()

    def _first_read_done(self, what: str) -> None:
        if self._index_awaits is not None:
            self._index_awaits.discard(what)
            if not self._index_awaits:
                self._open_index_now()

    def _open_index_now(self) -> None:
        if self._index_awaits is not None:
            self._index_awaits = None
            self._index_wait.stop()
            self._catch_up_index()

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
        self.idle_folds.start()
        self.monitor_desk.refresh_saved()  # their counts are searches
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
        if self.monitor_desk.select(key):
            return  # the Inbox or a feed: the monitor desk shows it
        index = self.sidebar.sidebar_model.index_of(key)
        title = index.data() if index.isValid() else "Library"
        description = index.data(DESCRIPTION_ROLE) if key.kind == "dossier" else ""
        self.results.show_node(key, title, description or "")
        self._update_node_actions()

    def _update_node_actions(self) -> None:
        enable_for_list(self, self.results.node.kind)
        self._on_selection_changed(self.results.selected_ids())

    def _on_selection_changed(self, ids: list[int]) -> None:
        self.reader.show_clippings(ids)
        enable_for_selection(self, ids, self.results.node.kind)

    def _update_history_actions(self) -> None:
        name_undo_redo(self, self.runner.history)

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
        if self.monitor_desk.offer_feed(items):
            return None  # a web address: a feed is offered for following, a page imported
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

    def import_scan(self) -> None:
        """Choose a scan, crop the article out of it, import that region (see crop_dialog)."""
        path, _ = QFileDialog.getOpenFileName(self, "Import a scan", str(Path.home()), SCAN_FILTER)
        dialog = (
            crop_for_import(path, self, lambda item: self.import_items([item])) if path else None
        )
        if dialog is not None:
            self.open_dialog(dialog)
        elif path:
            self.statusBar().showMessage(f"{path}: not an image Clipper can show", 8000)

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder", str(Path.home()))
        if folder:
            self.import_items([folder])

    def _on_batch_finished(self, batch: ImportBatch) -> None:
        if any(e.shows_card for e in batch.entries):
            self.show_review()

    def _on_import_activity(self) -> None:
        self.results.importing = self.importer.active is not None

    def _on_import_entry(self, _batch: ImportBatch, entry: ImportEntry) -> None:
        if entry.status == "held":
            self.show_review()  # a possible duplicate waits for a decision: say so now

    def show_review(self) -> None:
        if not self.review_dock.isVisible():
            self.review_dock.show()
            self.resizeDocks([self.review_dock], [review_height(self)], Qt.Orientation.Vertical)
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

    # -- help --------------------------------------------------------------------------------

    def shortcut_lines(self) -> list[tuple[str, str]]:
        """Every action with a shortcut, as the menus show it."""
        return shortcut_lines(self.actions())

    def show_shortcuts(self) -> None:
        self.open_dialog(shortcuts_box(self.shortcut_lines(), self))

    def show_preferences(self) -> None:
        prefs = PreferencesDialog(self.connector, self.importer, self.settings, self.reads, self)
        self.open_dialog(prefs)

    def show_about(self) -> None:
        self.open_dialog(about_box(self.archive.location.home, self))

    def open_dialog(self, dialog: QDialog) -> None:
        """Open a dialog window-modal (no nested event loop); it is deleted once closed.
        `dialog` keeps it for the tests and the screenshots."""
        set_dialog_buttons(dialog)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    # -- layout that persists ----------------------------------------------------------------

    def save_layout(self) -> None:
        save_layout(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.reader.flush_notes()
        self.save_layout()
        self.importer.cancel()
        self.connector.stop()
        # A rebuild of a big index takes minutes: closing does not wait for it.
        self.archive.cancel_index_build()
        self.idle_folds.stop()
        self.watcher.stop()
        # Nothing is started on the stopped workers: the index no longer waits to open.
        self._index_wait.stop()
        self._index_awaits = None
        self.monitor_desk.shutdown()
        for tasks in (
            self.import_tasks,
            self.writes,
            self.reads,
            self.sidebar_reads,
            self.index_tasks,
            self.watch_tasks,
        ):
            tasks.shutdown()
        super().closeEvent(event)
