"""The trash: trashing, restoring, deleting for good."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive, InvalidInput, NotFound
from clipper.core.views import ClippingFilter
from tests.helpers.archives import draft

pytestmark = pytest.mark.backends


def test_trash_restore_and_purge(archive: Archive) -> None:
    keep = archive.add(draft("keep")).id
    gone = archive.add(draft("gone")).id
    archive.add_note(gone, "a note")
    archive.link(keep, gone, "related")
    changes = archive.trash([gone])
    assert changes.removed == {gone}
    assert archive.list_ids() == [keep]
    assert archive.list_ids(ClippingFilter(in_trash=True)) == [gone]
    archive.restore([gone])
    assert set(archive.list_ids()) == {keep, gone}
    with pytest.raises(InvalidInput, match="not in the trash"):
        archive.purge([gone])
    archive.trash([gone])
    archive.empty_trash()
    with pytest.raises(NotFound):
        archive.get(gone)
    assert archive.get(keep).links == ()
    assert archive.integrity_problems() == []
    assert [c.op for c in archive.changes_since(0)][-1] == "purge"
