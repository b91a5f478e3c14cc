"""Small dialogs: linking two clippings (note and kind), naming or describing a dossier,
renaming and merging a topic and editing its match rule, and the Help menu's boxes
(keyboard shortcuts, about).

They are opened with `open()` (window-modal, not a nested event loop) and report through
`accepted`; the window turns what they hold into an operation.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
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


class TagNameDialog(QDialog):
    """Rename a topic (or region): its new name."""

    def __init__(self, kind: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagNameDialog")
        self.setWindowTitle(f"Rename {kind}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(name)
        self.name.setObjectName("tagName")
        self.name.setMinimumWidth(320)
        self.name.selectAll()
        form.addRow("Name", self.name)
        layout.addLayout(form)
        self.buttons = _ok_cancel(self, "Rename", self._on_ok)
        layout.addWidget(self.buttons)
        fix_size_before_showing(self, layout)

    def _on_ok(self) -> None:
        if self.name.text().strip():
            self.accept()


class MergeDialog(QDialog):
    """Merge a topic into another one: which."""

    def __init__(
        self, name: str, others: Sequence[tuple[int, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge")
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"Every clipping tagged {name} is tagged with the one you choose, "
                f"and {name} is deleted.",
                wrap=True,
            )
        )
        self.target = QComboBox()
        self.target.setObjectName("mergeTarget")
        for tag_id, other in sorted(others, key=lambda pair: pair[1].casefold()):
            self.target.addItem(other, tag_id)
        form = QFormLayout()
        form.addRow("Merge into", self.target)
        layout.addLayout(form)
        self.buttons = _ok_cancel(self, "Merge", self._on_ok)
        layout.addWidget(self.buttons)
        fix_size_before_showing(self, layout)

    def chosen(self) -> int | None:
        data = self.target.currentData()
        return data if isinstance(data, int) else None

    def _on_ok(self) -> None:
        if self.chosen() is not None:
            self.accept()


RULE_MODES = {
    "": "No rule: suggest this topic only from the archive's own tagging",
    "any": "Any of these words",
    "all": "All of these words",
    "phrase": "This exact phrase",
    "regex": "This regular expression",
}


class RuleDialog(QDialog):
    """A topic's match rule: how an imported clipping's text suggests it, and whether the
    rule is on (a rule that came in with a colleague's export stays off until turned on)."""

    def __init__(
        self,
        name: str,
        mode: str | None,
        pattern: str | None,
        enabled: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ruleDialog")
        self.setWindowTitle(f"Match rule of {name}")
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"On import, a clipping whose text matches this rule is offered the topic "
                f"{name} (never tagged without you).",
                wrap=True,
            )
        )
        form = QFormLayout()
        self.mode = QComboBox()
        self.mode.setObjectName("ruleMode")
        for key, label in RULE_MODES.items():
            self.mode.addItem(label, key)
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode or "")))
        form.addRow("Match", self.mode)
        self.pattern = QLineEdit(pattern or "")
        self.pattern.setObjectName("rulePattern")
        self.pattern.setMinimumWidth(360)
        self.pattern.setPlaceholderText("e.g. gold uranium lithium")
        form.addRow("Words", self.pattern)
        self.enabled = QCheckBox("The rule is on")
        self.enabled.setObjectName("ruleEnabled")
        self.enabled.setChecked(enabled)
        form.addRow("", self.enabled)
        layout.addLayout(form)
        self.error = plain_label("", "formError", wrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = _ok_cancel(self, "Save", self._on_ok)
        layout.addWidget(self.buttons)
        self.mode.currentIndexChanged.connect(self._on_mode)
        self._on_mode()
        fix_size_before_showing(self, layout)

    def chosen_mode(self) -> str | None:
        return str(self.mode.currentData()) or None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _on_mode(self) -> None:
        self.pattern.setEnabled(self.chosen_mode() is not None)
        self.enabled.setEnabled(self.chosen_mode() is not None)

    def _on_ok(self) -> None:
        mode = self.chosen_mode()
        if mode is not None and not self.pattern.text().strip():
            self.show_error("Say which words the rule looks for, or choose “No rule”.")
            return
        if mode == "regex":
            try:
                re.compile(self.pattern.text())
            except re.error as exc:
                self.show_error(f"This regular expression cannot be read: {exc}")
                return
        self.accept()


def _ok_cancel(dialog: QDialog, ok_text: str, on_ok: Callable[[], None]) -> QDialogButtonBox:
    """OK (named `ok_text`) and Cancel; OK goes through the dialog's own check, `on_ok`."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


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
