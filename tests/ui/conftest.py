"""Fixtures for the window tests: isolated settings, synchronous workers, windows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from clipper.core.archive import Archive
from clipper.ui.app import apply_style
from clipper.ui.main_window import MainWindow
from tests.ui.helpers import sync_executors


@pytest.fixture(autouse=True)
def _isolated_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may read or write the real user's settings, whatever code path it takes."""
    folder = tmp_path_factory.mktemp("qsettings")
    QStandardPaths.setTestModeEnabled(True)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, archive: Archive, settings: QSettings, qapp):  # type: ignore[no-untyped-def]
    """Build windows on the test archive; every worker runs synchronously."""
    apply_style(qapp)
    made: list[MainWindow] = []

    def make(**overrides: object) -> MainWindow:
        executors: dict[str, object] = dict(sync_executors())
        executors.update(overrides)
        window = MainWindow(archive, settings, **executors)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


@pytest.fixture
def window(make_window) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window()
