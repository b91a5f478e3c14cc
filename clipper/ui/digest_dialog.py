"""A digest from the window: pick a saved search, a period and PDF or HTML; the digest (the
search's new clippings in that period, grouped by region or topic) is written in the
background with the export's progress window and final message (`export_dialog.ExportJob`),
by the same writers the command line's `clipper digest` uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.core.monitor import SavedSearchView
from clipper.export.jobs import DigestRequest
from clipper.ui.export_dialog import ExportJob, default_path
from clipper.ui.tasks import Executor
from clipper.ui.widgets import plain_label, set_dialog_buttons

# The periods offered: "" is since the editor last opened the search.
PERIODS = {
    "": "New since I last opened it",
    "1d": "The last 24 hours",
    "7d": "The last 7 days",
    "30d": "The last 30 days",
}
KINDS = {"pdf": "PDF clipping book", "html": "One HTML page"}
EXTENSIONS = {"pdf": ".pdf", "html": ".html"}
GROUPS = {"region": "By region", "topic": "By topic"}


class DigestJob(ExportJob):
    """A digest written in the background, with the export's progress window and message."""

    def __init__(
        self,
        archive: Archive,
        request: DigestRequest,
        executor: Executor | None,
        parent: QWidget,
    ) -> None:
        super().__init__(archive, request, executor, parent)
        self.progress.setWindowTitle("Digest")


class DigestDialog(QDialog):
    """Asks which saved search, which period, which format and where; `request()` answers."""

    def __init__(
        self,
        searches: Sequence[SavedSearchView],
        chosen: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("digestDialog")
        self.setWindowTitle("Digest")
        set_dialog_buttons(self)
        self.setMinimumWidth(520)
        self.search = QComboBox()
        self.search.setObjectName("digestSearch")
        for saved in searches:
            self.search.addItem(saved.name, saved.name)
        if chosen is not None and self.search.findData(chosen) >= 0:
            self.search.setCurrentIndex(self.search.findData(chosen))
        self.period = QComboBox()
        self.period.setObjectName("digestPeriod")
        for key, label in PERIODS.items():
            self.period.addItem(label, key)
        self.kind = QComboBox()
        self.kind.setObjectName("digestKind")
        for key, label in KINDS.items():
            self.kind.addItem(label, key)
        self.group_by = QComboBox()
        for key, label in GROUPS.items():
            self.group_by.addItem(label, key)
        self.path = QLineEdit()
        self.path.setObjectName("digestPath")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._on_browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Saved search", self.search)
        form.addRow("Period", self.period)
        form.addRow("Format", self.kind)
        form.addRow("Contents", self.group_by)
        form.addRow("Save to", path_row)
        self.empty = plain_label(
            "No saved search yet: save a search first (Feeds > Save this search).",
            "digestEmpty",
            wrap=True,
        )
        self.empty.setVisible(not searches)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok
        )
        self.write_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.write_button.setText("Write digest")
        self.write_button.setEnabled(bool(searches))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._suggested = ""
        self.search.currentIndexChanged.connect(self._suggest_path)
        self.kind.currentIndexChanged.connect(self._suggest_path)
        self._suggest_path()

    def _suggest_path(self) -> None:
        """A path from the search's name and the format, until the editor types another."""
        if self.path.text() not in ("", self._suggested):
            return
        name = str(self.search.currentData() or "digest")
        kind = str(self.kind.currentData())
        self._suggested = str(default_path(f"{name} digest", "pdf").with_suffix(EXTENSIONS[kind]))
        self.path.setText(self._suggested)

    def _on_browse(self) -> None:
        kind = str(self.kind.currentData())
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the digest", self.path.text(), f"{KINDS[kind]} (*{EXTENSIONS[kind]})"
        )
        if chosen:
            self.path.setText(chosen)

    def request(self) -> DigestRequest:
        return DigestRequest(
            name=str(self.search.currentData()),
            period=str(self.period.currentData()),
            kind=str(self.kind.currentData()),
            path=Path(self.path.text().strip()).expanduser(),
            group_by=str(self.group_by.currentData()),
        )


def start_digest(
    parent: QWidget,
    archive: Archive,
    searches: Sequence[SavedSearchView],
    chosen: str | None = None,
    executor: Executor | None = None,
) -> DigestDialog:
    """Open the digest dialog; on Write, the digest is written in the background."""
    dialog = DigestDialog(searches, chosen, parent)

    def on_accepted() -> None:
        DigestJob(archive, dialog.request(), executor, parent).start()

    dialog.accepted.connect(on_accepted)
    return dialog
