"""Operations and their inverses: undo and redo put back exactly what changed."""

from __future__ import annotations

import pytest

from clipper.core import operations as ops
from clipper.core.archive import Archive, NotFound
from clipper.core.operations import UndoHistory


def tag_names(archive: Archive, clipping_id: int) -> set[str]:
    return {t.name for t in archive.get(clipping_id).tags}


def test_tag_undo_redo_touches_only_what_changed(archive: Archive, stories) -> None:
    history = UndoHistory()
    mali, eu = stories["mali"], stories["eu"]
    archive.add_tag(eu, "topic", "Sahel security")
    result = history.execute(archive, ops.add_tag([mali, eu], "topic", "Sahel security"))
    assert result.changes.clippings == {mali}
    assert history.undo_label == "Tag with Sahel security"
    history.undo(archive)
    assert "Sahel security" not in tag_names(archive, mali)
    assert "Sahel security" in tag_names(archive, eu), "the tag it already had stays"
    history.redo(archive)
    assert "Sahel security" in tag_names(archive, mali)


def test_note_add_edit_delete_undo(archive: Archive, stories) -> None:
    history = UndoHistory()
    mali = stories["mali"]
    note_id = history.execute(archive, ops.add_note(mali, "Check the flight route")).value
    history.execute(archive, ops.edit_note(mali, note_id, "Check the Flightradar24 route"))
    assert archive.get(mali).notes[0].text == "Check the Flightradar24 route"
    history.undo(archive)
    assert archive.get(mali).notes[0].text == "Check the flight route"
    history.execute(archive, ops.edit_note(mali, note_id, "  "))  # an emptied note is deleted
    assert archive.get(mali).notes == ()
    history.undo(archive)
    assert [n.text for n in archive.get(mali).notes] == ["Check the flight route"]


def test_link_and_relink_undo(archive: Archive, stories) -> None:
    history = UndoHistory()
    mali, burkina = stories["mali"], stories["burkina"]
    result = history.execute(archive, ops.link(mali, burkina, "Yevkurov tour", "same-event"))
    assert result.changes.links
    history.execute(
        archive,
        ops.link(mali, burkina, "Yevkurov tour: Bamako and Ouagadougou stops", "follow-up"),
    )
    history.undo(archive)
    [link] = archive.get(burkina).links
    assert (link.note, link.kind) == ("Yevkurov tour", "same-event")
    history.undo(archive)
    assert archive.get(burkina).links == ()
    history.execute(archive, ops.link(mali, burkina, "again", None))
    history.execute(archive, ops.unlink(burkina, mali))
    history.undo(archive)
    assert archive.get(mali).links[0].note == "again"


def test_trash_restore_undo(archive: Archive, stories) -> None:
    history = UndoHistory()
    ids = [stories["mali"], stories["eu"]]
    result = history.execute(archive, ops.trash(ids))
    assert result.changes.removed == set(ids)
    assert archive.count() == 1
    history.undo(archive)
    assert archive.count() == 3
    assert history.redo_label == "Move 2 to trash"


def test_dossier_operations_undo(archive: Archive, stories) -> None:
    history = UndoHistory()
    dossier = history.execute(archive, ops.create_dossier("Russia in the Sahel", "The tour")).value
    history.execute(archive, ops.add_to_dossier(dossier.id, [stories["mali"], stories["burkina"]]))
    history.execute(archive, ops.reorder_dossier(dossier.id, [stories["burkina"], stories["mali"]]))
    history.undo(archive)
    assert archive.dossier(dossier.id).clipping_ids == (stories["mali"], stories["burkina"])
    history.execute(archive, ops.delete_dossier(dossier.id))
    history.undo(archive)
    restored = archive.dossier("Russia in the Sahel")
    assert restored.clipping_ids == (stories["mali"], stories["burkina"])
    assert restored.description == "The tour"


def test_an_operation_that_fails_halfway_leaves_nothing_behind(archive: Archive, stories) -> None:
    """Undoing a dossier's deletion recreates it and then refills it, in one transaction:
    when a clipping it held is gone for good, there is no half-restored dossier either."""
    history = UndoHistory()
    dossier = history.execute(archive, ops.create_dossier("Russia in the Sahel")).value
    history.execute(archive, ops.add_to_dossier(dossier.id, [stories["mali"], stories["eu"]]))
    history.execute(archive, ops.delete_dossier(dossier.id))
    archive.trash([stories["eu"]])
    archive.purge([stories["eu"]])
    with pytest.raises(NotFound):
        history.undo(archive)
    assert archive.dossiers() == []


def test_a_bare_tag_name_is_a_region_when_the_archive_knows_one(archive: Archive, stories) -> None:
    mali = stories["mali"]
    for typed in ("Chad", "Wagner", "topic:Niger", "region: Sahel"):
        ops.add_tag_as_typed([mali], typed).apply(archive)
    kinds = {t.name: t.kind for t in archive.get(mali).tags}
    assert kinds["Chad"] == "region", "the gazetteer knows Chad"
    assert kinds["Wagner"] == "topic"
    assert kinds["Niger"] == "topic", "the kind typed wins"
    assert kinds["Sahel"] == "region"


def test_nothing_to_undo_or_redo(archive: Archive) -> None:
    history = UndoHistory()
    assert history.undo(archive) is None and history.redo(archive) is None
    assert (history.undo_label, history.redo_label) == (None, None)
