"""Shared test set-up: headless Qt, archives in temporary folders (on SQLite, and also on
PostgreSQL for tests marked `backends`), three tagged stories in one, `gui` auto-marking."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything can import Qt: tests never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("CLIPPER_HOME", None)
os.environ.pop("CLIPPER_DATABASE_URL", None)

from clipper.core.archive import Archive
from clipper.core.paths import ArchiveLocation, resolve_location
from tests.helpers.archives import (
    BACKENDS,
    POSTGRES_URL_ENV,
    add_story,
    fresh_postgres_database,
    postgres_server_url,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A test marked `backends` that uses an archive runs once per backend; others on SQLite.
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def database_url(backend: str) -> Iterator[str | None]:
    """None on SQLite (the archive folder's own file); a fresh PostgreSQL database, dropped
    after the test, on PostgreSQL."""
    if backend == "sqlite":
        yield None
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"PostgreSQL half: set {POSTGRES_URL_ENV} to a server (.ci/run starts one)")
    with fresh_postgres_database(server) as url:
        yield url


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def archive_location(archive_dir: Path, database_url: str | None) -> ArchiveLocation:
    return resolve_location(archive_dir, database_url)


@pytest.fixture
def archive(archive_location: ArchiveLocation) -> Iterator[Archive]:
    with Archive(archive_location) as opened:
        yield opened


@pytest.fixture
def stories(archive: Archive) -> dict[str, int]:
    """Three clippings about the Yevkurov tour, tagged, no links yet."""
    return {
        "mali": add_story(
            archive,
            "Russian delegation received in Bamako",
            "Colonel General Yunus-bek Yevkurov met Mali's president in Bamako.",
            published=dt.date(2023, 12, 2),
            tags=(("region", "Mali"), ("topic", "Russia in Africa")),
        ),
        "burkina": add_story(
            archive,
            "Burkina Faso strengthens its alliance with Russia",
            "Yevkurov stopped in Ouagadougou on the way to Niamey.",
            published=dt.date(2023, 12, 5),
            tags=(("region", "Burkina Faso"),),
        ),
        "eu": add_story(
            archive,
            "Niger ends European security missions",
            "Eucap Sahel Niger and EUMPM were asked to leave.",
            published=dt.date(2023, 12, 4),
            tags=(("region", "Niger"), ("topic", "Security")),
        ),
    }
