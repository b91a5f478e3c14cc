"""Fixtures for the export tests: the sample archive (see tests/helpers/samples.py)."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive
from tests.helpers.samples import Sample, load_sample


@pytest.fixture
def sample(archive: Archive) -> Sample:
    return load_sample(archive)
