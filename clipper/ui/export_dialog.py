"""The window's Export action: a small dialog (file, format, grouping, paper, title), then the
export in the background with a progress window that can cancel, and a message at the end.

`start_export(parent, archive, clipping_ids, suggested_title)` opens the dialog and returns at
once; nothing here blocks the window. The work is `clipper.export.jobs.run_export`, the same
code the command line runs, in a child process (`export_worker`) watched from a worker thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.export.common import ExportCancelled
from clipper.export.jobs import EXTENSIONS, FORMATS, DigestRequest, ExportOutcome, ExportRequest
from clipper.export.markdown_export import slugify
from clipper.ui.export_worker import export_in_child
from clipper.ui.tasks import Executor, TaskRunner, serial_executor
from clipper.ui.text import clippings
from clipper.ui.widgets import plain_label, set_dialog_buttons

log = logging.getLogger(__name__)

GROUPINGS = {
    "none": "Keep the order of the list",
    "region": "By region",
    "topic": "By topic",
    "date": "By month",
}
PAPERS = {"a4": "A4", "letter": "US Letter"}
# Progress reaches the GUI thread at most this often; a 500-clipping book reports 1,500 steps.
PROGRESS_INTERVAL_S = 0.05


def export_executor() -> Executor:
    """The thread an export is watched from (its own: a long book never holds up the archive's
    writer or reader threads)."""
    return serial_executor("clipper-export")


def default_path(title: str, kind: str) -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder or Path.home()) / (slugify(title, "clippings") + EXTENSIONS[kind])


class ExportDialog(QDialog):
    """Asks where and how to export; `request()` is the answer as plain data."""

    def __init__(
        self,
        clipping_ids: Sequence[int],
        suggested_title: str,
        parent: QWidget | None = None,
        scope: str = "selected",
        description: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        set_dialog_buttons(self)
        # Wide enough to show a real path, not just its last folder.
        self.setMinimumWidth(560)
        self.clipping_ids = tuple(clipping_ids)
        # What the export covers, as the editor chose it: "selected", "in the list"...
        self.summary = plain_label(f"{clippings(len(self.clipping_ids))} {scope}", "exportSummary")
        self.description = QPlainTextEdit(description)
        self.description.setObjectName("exportDescription")
        self.description.setPlaceholderText("A line for the cover (optional)")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(64)
        self.format = QComboBox()
        for key, label in FORMATS.items():
            self.format.addItem(label, key)
        self.path = QLineEdit(str(default_path(suggested_title, "pdf")))
        self.browse = QPushButton("Browse…")
        self.title = QLineEdit(suggested_title)
        self.group_by = QComboBox()
        for key, label in GROUPINGS.items():
            self.group_by.addItem(label, key)
        self.paper = QComboBox()
        for key, label in PAPERS.items():
            self.paper.addItem(label, key)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Save to", path_row)
        form.addRow("Title", self.title)
        form.addRow("On the cover", self.description)
        form.addRow("Contents", self.group_by)
        form.addRow("Paper", self.paper)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok
        )
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.browse.clicked.connect(self._on_browse)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.path.textChanged.connect(self._on_path_changed)
        self._on_format_changed()

    @property
    def kind(self) -> str:
        return str(self.format.currentData())

    def set_kind(self, kind: str) -> None:
        self.format.setCurrentIndex(self.format.findData(kind))

    def request(self) -> ExportRequest:
        return ExportRequest(
            kind=self.kind,
            path=Path(self.path.text().strip()).expanduser(),
            clipping_ids=self.clipping_ids,
            title=self.title.text().strip() or "Clippings",
            group_by=str(self.group_by.currentData()),
            paper=str(self.paper.currentData()),
            description=self.description.toPlainText().strip() if self.kind == "pdf" else "",
        )

    def _on_format_changed(self) -> None:
        is_pdf = self.kind == "pdf"
        self.group_by.setEnabled(is_pdf)
        self.paper.setEnabled(is_pdf)
        self.description.setEnabled(is_pdf)
        self.title.setEnabled(self.kind not in ("json", "csv"))
        text = self.path.text().strip()
        if text:
            current = Path(text)
            stem = current.with_suffix("") if current.suffix in EXTENSIONS.values() else current
            self.path.setText(str(stem) + EXTENSIONS[self.kind])

    def _on_path_changed(self) -> None:
        self.export_button.setEnabled(bool(self.path.text().strip()))

    def _on_browse(self) -> None:
        if self.kind == "markdown-folder":
            chosen = QFileDialog.getExistingDirectory(self, "Export to folder", self.path.text())
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Export to",
                self.path.text(),
                f"{FORMATS[self.kind]} (*{EXTENSIONS[self.kind]})",
            )
        if chosen:
            self.path.setText(chosen)


class ExportJob(QObject):
    """One export (or digest) running in the background, with its progress window and final
    message. The export is written by a child process: QTextDocument on a thread of the app
    deadlocked with the GUI thread (see `export_worker`).

    Signals:
        finished(object): the ExportOutcome when the export was written.
        failed(str): why it was not (the user saw the same words).
        cancelled(): the user stopped it; nothing was written.
    """

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        archive: Archive,
        request: ExportRequest | DigestRequest,
        executor: Executor | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.request = request
        self.window = parent
        # Its own thread unless one is given (tests give one); its own ends with the job.
        self._own_executor: Executor | None = None
        if executor is None:
            executor = self._own_executor = export_executor()
        self.runner = TaskRunner(executor, self)
        self._cancel = threading.Event()
        self._last_post = 0.0
        self.progress = QProgressDialog("", "Cancel", 0, 0, parent)
        # A file name is the editor's text: its label shows it as it is.
        self.progress.setLabel(plain_label(f"Exporting to {request.path.name}…"))
        self.progress.setWindowTitle("Export")
        set_dialog_buttons(self.progress)
        # Not modal: the editor keeps working in the window while a long book is written.
        self.progress.setWindowModality(Qt.WindowModality.NonModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self._on_cancel)
        self.message: QMessageBox | None = None

    def start(self) -> None:
        self.progress.show()
        request, location = self.request, self.archive.location
        self.runner.run(
            lambda: export_in_child(location, request, self._report, self._cancel),
            self._on_done,
            self._on_error,
        )

    def _report(self, done: int, total: int, what: str) -> None:
        """Called on the worker: pass progress to the GUI thread, but not a thousand times."""
        now = time.monotonic()
        if done != total and now - self._last_post < PROGRESS_INTERVAL_S:
            return
        self._last_post = now
        self.runner.post(lambda: self._show_progress(done, total, what))

    def _show_progress(self, done: int, total: int, what: str) -> None:
        if self._cancel.is_set() or not self.progress.isVisible():
            return
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        # `done` and `total` count clippings, whatever the step is called ("laying out pages").
        self.progress.setLabelText(f"{what.capitalize()}: clipping {done:,} of {total:,}")

    def _on_cancel(self) -> None:
        self._cancel.set()
        self.progress.setLabelText("Cancelling…")

    def _close_progress(self) -> None:
        if self._own_executor is not None:
            self._own_executor.shutdown(wait=False)  # its one job is over: the thread ends
        self.progress.canceled.disconnect(self._on_cancel)
        self.progress.hide()
        self.progress.deleteLater()

    def _on_done(self, outcome: ExportOutcome) -> None:
        self._close_progress()
        self.message = QMessageBox(
            QMessageBox.Icon.Information,
            "Export finished",
            f"Exported {outcome.summary} to {outcome.path}.",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        open_button = self.message.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        open_button.clicked.connect(lambda: self.open_exported(outcome.path))
        self._show_message()
        log.info("exported %s in %.1fs", outcome.path, outcome.seconds)
        self.finished.emit(outcome)

    def open_exported(self, path: Path) -> None:
        """Open what was written with the system's viewer; say so when there is none."""
        if open_url(QUrl.fromLocalFile(str(path))):
            return
        log.info("no application opened %s", path)
        kind = "folders" if path.is_dir() else f"{path.suffix.lstrip('.').upper() or 'these'} files"
        self.message = QMessageBox(
            QMessageBox.Icon.Information,
            "Nothing opened the export",
            f"No application is set to open {kind} on this computer. The export is at {path}",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder = self.message.addButton("Show the folder", QMessageBox.ButtonRole.ActionRole)
        folder.clicked.connect(lambda: open_url(QUrl.fromLocalFile(str(path.parent))))
        self._show_message()

    def _on_error(self, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, ExportCancelled):
            if isinstance(self.window, QMainWindow):
                self.window.statusBar().showMessage("Export cancelled; nothing was written.", 6000)
            self.cancelled.emit()
            self.deleteLater()
            return
        text = (
            str(error) if not isinstance(error, OSError) else f"{error.strerror}: {error.filename}"
        )
        self.message = QMessageBox(
            QMessageBox.Icon.Warning,
            "Export failed",
            f"The export could not be written: {text}",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        self._show_message()
        self.failed.emit(text)

    def _show_message(self) -> None:
        assert self.message is not None
        set_dialog_buttons(self.message)
        # Paths and reasons are the editor's and the archive's text, shown as they are.
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        # show(), not exec(): the window stays usable while the message waits to be read.
        self.message.setWindowModality(Qt.WindowModality.NonModal)
        self.message.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message.finished.connect(self.deleteLater)
        self.message.show()


def open_url(url: QUrl) -> bool:
    """Hand a file or folder to the system's viewer; False when none took it."""
    return QDesktopServices.openUrl(url)


def start_export(
    parent: QWidget,
    archive: Archive,
    clipping_ids: Sequence[int],
    suggested_title: str,
    *,
    executor: Executor | None = None,
    scope: str = "selected",
    description: str = "",
) -> None:
    """Open the export dialog for these clippings; on Export, run it in the background.

    Returns at once. `executor` is where the work runs (tests pass one that holds the job);
    `scope` says which clippings these are ("selected", "in the list"), `description` is
    offered for the book's cover (a dossier's).
    """
    dialog = ExportDialog(clipping_ids, suggested_title, parent, scope, description)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def on_accepted() -> None:
        job = ExportJob(archive, dialog.request(), executor, parent)
        job.start()

    dialog.accepted.connect(on_accepted)
    dialog.open()
