"""Saved searches from the window: the small dialog that names the current search (its query
and its facets) and keeps it, and the button in the search field that opens it. The sidebar
shows each saved search with how many clippings are new in it since the editor last opened
it; opening one runs it and marks it opened (`MonitorDesk`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from clipper.ui.dialogs import fix_size_before_showing
from clipper.ui.widgets import plain_label


class SaveSearchDialog(QDialog):
    """Name the current search to keep it in the sidebar.

    Signals:
        submitted(str): the name typed; the desk answers with `show_error` or closes it.
    """

    submitted = Signal(str)

    def __init__(self, query: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveSearchDialog")
        self.setWindowTitle("Save this search")
        layout = QFormLayout(self)
        self.summary = plain_label(f"{query or '(no words)'} — in {what}", "savedSummary", True)
        self.name_field = QLineEdit(query[:60])
        self.name_field.setObjectName("savedName")
        self.name_field.selectAll()
        self.name_field.setMinimumWidth(320)
        # Sized for two lines before the dialog is shown (see feeds._error_label).
        self.error = plain_label("\n", "savedError", wrap=True)
        self.error.setProperty("role", "error")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout.addRow("Search", self.summary)
        layout.addRow("&Name", self.name_field)
        layout.addRow("", self.error)
        layout.addRow(buttons)
        fix_size_before_showing(self, layout)
        self.error.clear()

    def _on_save(self) -> None:
        name = self.name_field.text().strip()
        if not name:
            self.error.setText("Give the search a name.")
            return
        self.save_button.setEnabled(False)
        self.submitted.emit(name)

    def show_error(self, message: str) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(message)
