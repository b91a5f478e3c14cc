"""Start the desktop app on an archive: the QApplication, the archive, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.core.paths import ArchiveLocation


class MainWindow(QMainWindow):
    """A search field over the list of clippings in the archive."""

    def __init__(self, archive: Archive) -> None:
        super().__init__()
        self.archive = archive
        self.setWindowTitle("Clipper")
        self.search_field = QLineEdit(placeholderText="Search clippings")
        self.results = QListWidget()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.search_field)
        layout.addWidget(self.results)
        self.setCentralWidget(central)
        self.search_field.returnPressed.connect(self._on_search)
        self.resize(900, 600)
        self._show(archive.list_summaries(limit=500))

    def _show(self, rows: list) -> None:
        self.results.clear()
        for row in rows:
            self.results.addItem(f"{row.title}  —  {row.source or ''}")

    def _on_search(self) -> None:
        query = self.search_field.text().strip()
        if not query:
            self._show(self.archive.list_summaries(limit=500))
            return
        results = self.archive.search(query, page_size=100)
        self._show(results.hits)


def run_app(location: ArchiveLocation) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    with Archive(location) as archive:
        window = MainWindow(archive)
        window.show()
        return app.exec()
