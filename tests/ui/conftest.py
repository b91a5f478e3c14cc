"""Fixtures for the window tests: isolated settings, synchronous workers, sample archives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.ui.app import apply_style
from clipper.ui.main_window import MainWindow
from clipper.ui.tasks import ImmediateExecutor


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


def sync_executors() -> dict[str, ImmediateExecutor]:
    return {
        "writer": ImmediateExecutor(),
        "reader": ImmediateExecutor(),
        "importer": ImmediateExecutor(),
        "indexer": ImmediateExecutor(),
    }


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


def add(
    archive: Archive,
    title: str,
    body: str | None = None,
    source: str = "Test Desk",
    published: dt.date | None = dt.date(2023, 12, 1),
    tags: tuple[tuple[str, str], ...] = (),
) -> int:
    draft = ClippingDraft(
        title=title,
        body=body or f"{title}. A body long enough to be a clipping about {title.lower()}.",
        source=source,
        published=published,
    )
    return archive.add(draft, tags=tags).id


@pytest.fixture
def stories(archive: Archive) -> dict[str, int]:
    """Three clippings about the Yevkurov tour, tagged, no links yet."""
    return {
        "mali": add(
            archive,
            "Russian delegation received in Bamako",
            "Colonel General Yunus-bek Yevkurov met Mali's president in Bamako.",
            published=dt.date(2023, 12, 2),
            tags=(("region", "Mali"), ("topic", "Russia in Africa")),
        ),
        "burkina": add(
            archive,
            "Burkina Faso strengthens its alliance with Russia",
            "Yevkurov stopped in Ouagadougou on the way to Niamey.",
            published=dt.date(2023, 12, 5),
            tags=(("region", "Burkina Faso"),),
        ),
        "eu": add(
            archive,
            "Niger ends European security missions",
            "Eucap Sahel Niger and EUMPM were asked to leave.",
            published=dt.date(2023, 12, 4),
            tags=(("region", "Niger"), ("topic", "Security")),
        ),
    }
