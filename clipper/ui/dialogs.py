"""Small dialogs: linking two clippings (note and kind), naming or describing a dossier, and
the Help menu's boxes (keyboard shortcuts, about).

They are opened with `open()` (window-modal, not a nested event loop) and report through
`accepted`; the window turns what they hold into an operation.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clipper import __version__
from clipper.core.vocabulary import LINK_KINDS
from clipper.ui.icons import icon
from clipper.ui.reader import LINK_KIND_LABELS
from clipper.ui.widgets import plain_label


class LinkDialog(QDialog):
    """Link two clippings: why they belong together, and optionally how."""

    def __init__(
        self, a: tuple[int, str], b: tuple[int, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("linkDialog")
        self.setWindowTitle("Link clippings")
        self.a_id, self.b_id = a[0], b[0]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(plain_label("Link"))
        for title in (a[1], b[1]):
            # The titles are archive text: plain labels, bold by the style sheet.
            shown = plain_label(f"•  {title}", "linkDialogTitle", wrap=True)
            shown.setMaximumWidth(520)
            layout.addWidget(shown)
        layout.addWidget(plain_label("The link shows on both clippings, with its note.", wrap=True))
        form = QFormLayout()
        self.note = QLineEdit()
        self.note.setObjectName("linkNote")
        self.note.setPlaceholderText("Why they belong together, e.g. same delegation, two stops")
        self.note.setMinimumWidth(380)
        form.addRow("Note", self.note)
        self.kind = QComboBox()
        self.kind.setObjectName("linkKind")
        self.kind.addItem("(no kind)", None)
        for kind in LINK_KINDS:
            self.kind.addItem(LINK_KIND_LABELS[kind], kind)
        form.addRow("Kind", self.kind)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fix_size_before_showing(self, layout)

    def chosen_kind(self) -> str | None:
        return self.kind.currentData()

    def set_kind(self, kind: str | None) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))


class DossierDialog(QDialog):
    """Name and describe a dossier (new, or an existing one)."""

    def __init__(
        self, name: str = "", description: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dossierDialog")
        self.setWindowTitle("Dossier" if name else "New dossier")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("dossierName")
        self.name.setPlaceholderText("e.g. Russia in the Sahel")
        self.name.setMinimumWidth(360)
        form.addRow("Name", self.name)
        self.description = QPlainTextEdit(description)
        self.description.setObjectName("dossierDescription")
        self.description.setPlaceholderText(
            "What this dossier is for (shown on the clipping book's cover)"
        )
        self.description.setFixedHeight(90)
        form.addRow("Description", self.description)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fix_size_before_showing(self, layout)

    def _on_ok(self) -> None:
        if self.name.text().strip():
            self.accept()
        else:
            self.name.setFocus()
            self.name.setPlaceholderText("A dossier needs a name")


def shortcuts_box(lines: Sequence[tuple[str, str]], parent: QWidget | None = None) -> QMessageBox:
    """Every shortcut, as (what it does, its keys) lines."""
    rows = "".join(f"<tr><td>{name}</td><td><b>{keys}</b></td></tr>" for name, keys in lines)
    return QMessageBox(
        QMessageBox.Icon.NoIcon,
        "Keyboard shortcuts",
        f"<table cellspacing=6>{rows}</table>",
        parent=parent,
    )


def about_box(archive_home: Path, parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(
        QMessageBox.Icon.NoIcon,
        "About Clipper",
        f"<b>Clipper {__version__}</b><br>A clipping manager for newsrooms.<br><br>"
        f"Archive: {html.escape(str(archive_home))}",
        parent=parent,
    )
    box.setIconPixmap(icon("clipper").pixmap(48, 48))
    return box


def fix_size_before_showing(dialog: QDialog, layout: QLayout) -> None:
    """Size the dialog from its layout once, before it has a window; the layout then leaves
    the window's minimum alone (platforms without size hints warn on every change)."""
    dialog.setMinimumSize(layout.sizeHint())
    dialog.resize(layout.sizeHint())
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
