"""Dossiers: ordered collections of clippings."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive, InvalidInput
from clipper.core.views import ClippingFilter
from tests.helpers.archives import draft

pytestmark = pytest.mark.backends


def test_dossiers_keep_their_order(archive: Archive) -> None:
    a, b, c = (archive.add(draft(t)).id for t in "abc")
    dossier, created = archive.create_dossier(
        "Russia in the Sahel", "Yevkurov's tour, December 2023"
    )
    assert created.dossiers
    archive.add_to_dossier(dossier.id, [c, a])
    archive.add_to_dossier("Russia in the Sahel", [b], position=1)
    assert archive.dossier(dossier.id).clipping_ids == (c, b, a)
    assert archive.list_ids(ClippingFilter(dossier_id=dossier.id)) == [c, b, a]
    archive.reorder_dossier(dossier.id, [a, b, c])
    assert archive.dossier(dossier.id).clipping_ids == (a, b, c)
    with pytest.raises(InvalidInput, match="exactly"):
        archive.reorder_dossier(dossier.id, [a, b])
    archive.remove_from_dossier(dossier.id, [b])
    assert archive.dossier(dossier.id).clipping_ids == (a, c)
    assert archive.get(a).dossiers == ("Russia in the Sahel",)
    archive.update_dossier(dossier.id, name="Russia and the AES", description="")
    assert [d.name for d in archive.dossiers()] == ["Russia and the AES"]
    with pytest.raises(InvalidInput, match="already exists"):
        archive.create_dossier("Russia and the AES")
    archive.delete_dossier(dossier.id)
    assert archive.dossiers() == [] and archive.count() == 3
