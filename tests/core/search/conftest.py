"""Fixtures for the search tests: the NEWSROOM archive, per test or shared by a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.helpers.archives import fill_newsroom


@pytest.fixture
def newsroom(archive: Archive) -> dict[int, int]:
    """The NEWSROOM clippings in the test's own archive (for tests that change it)."""
    return fill_newsroom(archive)


@pytest.fixture(scope="module")
def newsroom_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One NEWSROOM archive shared by a module's read-only tests."""
    with Archive(resolve_location(tmp_path_factory.mktemp("newsroom") / "archive")) as opened:
        fill_newsroom(opened)
        yield opened
