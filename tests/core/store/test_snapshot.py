"""`Archive.snapshot()`: reads inside it see one moment of the archive while another desk
writes (what a backup of a shared archive is read in)."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive
from tests.helpers.archives import add, reopen

pytestmark = pytest.mark.backends


def test_reads_in_a_snapshot_do_not_see_what_another_desk_commits_meanwhile(
    archive: Archive,
) -> None:
    add(archive, "Before", "Stored before the snapshot.")
    with reopen(archive) as other_desk:
        with archive.snapshot():
            assert archive.count() == 1
            add(other_desk, "During", "Stored by another desk during the snapshot.")
            assert other_desk.count() == 2
            assert archive.count() == 1
            assert [s.title for s in archive.list_summaries()] == ["Before"]
        assert archive.count() == 2
