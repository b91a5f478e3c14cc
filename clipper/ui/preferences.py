"""Preferences: the browser connector (where it listens, the pairing code, paired browsers)
and scans (whether Tesseract is there, force OCR). Settings live in the window's QSettings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clipper.ui.connector import DEFAULT_PORT, PORT_RANGE, Connector
from clipper.ui.importer import ImportController
from clipper.ui.tasks import TaskRunner

OCR_SETTING = "import/ocr"


def ocr_mode(settings: QSettings) -> str:
    return "force" if settings.value(OCR_SETTING, "auto") == "force" else "auto"


def tesseract_status() -> str:
    """One line on whether scans can be read here (runs the tesseract program: off the GUI
    thread)."""
    from clipper.core.ingest.ocr import INSTALL_HINT, installed_languages, tesseract_version

    version = tesseract_version()
    if version is None:
        return INSTALL_HINT + "."
    languages = ", ".join(installed_languages()) or "no language data"
    return f"Tesseract {version} reads scans ({languages})."


class PreferencesDialog(QDialog):
    """The Preferences window."""

    def __init__(
        self,
        connector: Connector,
        importer: ImportController,
        settings: QSettings,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferences")
        self.setWindowTitle("Preferences")
        self.connector = connector
        self.importer = importer
        self.settings = settings
        layout = QVBoxLayout(self)

        browser = QGroupBox("Browser connector")
        box = QVBoxLayout(browser)
        intro = QLabel(
            "“Send to Clipper” in the browser (the extension or the bookmarklet) reaches this "
            "window on your computer only, while it is open."
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        self.listen_box = QCheckBox("Listen for the browser while the window is open")
        self.listen_box.setChecked(connector.enabled)
        self.listen_box.toggled.connect(connector.set_enabled)
        box.addWidget(self.listen_box)
        self.address_label = QLabel()
        self.address_label.setObjectName("connectorAddress")
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.address_label)
        code_row = QHBoxLayout()
        code_row.addWidget(QLabel("Pairing code:"))
        self.code_label = QLabel()
        self.code_label.setObjectName("pairingCode")
        font = QFont(self.code_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        self.code_label.setFont(font)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        code_row.addWidget(self.code_label)
        code_row.addStretch(1)
        self.new_code_button = QPushButton("New code")
        self.new_code_button.clicked.connect(connector.new_code)
        code_row.addWidget(self.new_code_button)
        box.addLayout(code_row)
        hint = QLabel(
            "Type this code into the extension's pairing box (or the bookmarklet's window) "
            "once; the code then changes."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        box.addWidget(hint)
        paired_row = QHBoxLayout()
        self.paired_label = QLabel()
        self.paired_label.setObjectName("pairedBrowsers")
        paired_row.addWidget(self.paired_label, 1)
        self.forget_button = QPushButton("Forget paired browsers")
        self.forget_button.clicked.connect(connector.forget_browsers)
        paired_row.addWidget(self.forget_button)
        box.addLayout(paired_row)
        layout.addWidget(browser)

        scans = QGroupBox("Scans")
        scan_box = QVBoxLayout(scans)
        self.force_ocr_box = QCheckBox(
            "Read every PDF page by OCR, even pages that already have text (force OCR)"
        )
        self.force_ocr_box.setChecked(ocr_mode(settings) == "force")
        self.force_ocr_box.toggled.connect(self._on_force_ocr)
        scan_box.addWidget(self.force_ocr_box)
        self.tesseract_label = QLabel("Looking for Tesseract…")
        self.tesseract_label.setObjectName("tesseractStatus")
        self.tesseract_label.setWordWrap(True)
        scan_box.addWidget(self.tesseract_label)
        layout.addWidget(scans)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

        connector.listening_changed.connect(self._show_connector)
        connector.code_changed.connect(lambda _code: self._show_connector())
        connector.paired.connect(lambda _origin: self._show_connector())
        self._show_connector()
        tasks.run(tesseract_status, self.tesseract_label.setText)

    def _show_connector(self) -> None:
        connector = self.connector
        if connector.port is not None:
            self.address_label.setText(f"Listening on http://127.0.0.1:{connector.port}")
        elif connector.enabled:
            last = DEFAULT_PORT + PORT_RANGE - 1
            self.address_label.setText(
                f"Not listening: ports {DEFAULT_PORT}–{last} are all taken by other programs."
            )
        else:
            self.address_label.setText("Not listening.")
        code = connector.pairing_code
        self.code_label.setText(f"{code[:3]} {code[3:]}")
        self.code_label.setEnabled(connector.port is not None)
        count = connector.paired_count
        self.paired_label.setText(
            f"{count} browser{'s' if count != 1 else ''} paired." if count else "No browser paired."
        )
        self.forget_button.setEnabled(count > 0)

    def _on_force_ocr(self, force: bool) -> None:
        mode = "force" if force else "auto"
        self.settings.setValue(OCR_SETTING, mode)
        self.importer.ocr = mode
