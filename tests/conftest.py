"""Shared test set-up: headless Qt, archives in temporary folders, `gui` auto-marking."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything can import Qt: tests never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("CLIPPER_HOME", None)
os.environ.pop("CLIPPER_DATABASE_URL", None)

from clipper.core.archive import Archive
from clipper.core.paths import resolve_location


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def archive(archive_dir: Path) -> Iterator[Archive]:
    with Archive(resolve_location(archive_dir)) as opened:
        yield opened
