"""Operations and their inverses: undo and redo put back exactly what changed."""

from __future__ import annotations

from clipper.core.archive import Archive
from clipper.core.views import OpChanges
from clipper.ui import operations as ops
from clipper.ui.operations import OperationRunner
from clipper.ui.tasks import ImmediateExecutor, TaskRunner


def runner_for(archive: Archive) -> tuple[OperationRunner, list[OpChanges]]:
    runner = OperationRunner(archive, TaskRunner(ImmediateExecutor()))
    announced: list[OpChanges] = []
    runner.operation_did_execute.connect(lambda changes, _origin: announced.append(changes))
    return runner, announced


def tag_names(archive: Archive, clipping_id: int) -> set[str]:
    return {t.name for t in archive.get(clipping_id).tags}


def test_tag_undo_redo_touches_only_what_changed(qapp, archive: Archive, stories) -> None:
    runner, announced = runner_for(archive)
    mali, eu = stories["mali"], stories["eu"]
    archive.add_tag(eu, "topic", "Sahel security")
    runner.run(ops.add_tag([mali, eu], "topic", "Sahel security"))
    assert announced[-1].clippings == {mali}
    assert runner.history.undo_label == "Tag with Sahel security"
    runner.undo()
    assert "Sahel security" not in tag_names(archive, mali)
    assert "Sahel security" in tag_names(archive, eu), "the tag it already had stays"
    runner.redo()
    assert "Sahel security" in tag_names(archive, mali)


def test_note_add_edit_delete_undo(qapp, archive: Archive, stories) -> None:
    runner, _ = runner_for(archive)
    mali = stories["mali"]
    results = []
    runner.run(ops.add_note(mali, "Check the flight route"), on_done=results.append)
    note_id = results[0].value
    runner.run(ops.edit_note(mali, note_id, "Check the Flightradar24 route"))
    assert archive.get(mali).notes[0].text == "Check the Flightradar24 route"
    runner.undo()
    assert archive.get(mali).notes[0].text == "Check the flight route"
    runner.run(ops.edit_note(mali, note_id, "  "))  # an emptied note is deleted
    assert archive.get(mali).notes == ()
    runner.undo()
    assert [n.text for n in archive.get(mali).notes] == ["Check the flight route"]


def test_link_and_relink_undo(qapp, archive: Archive, stories) -> None:
    runner, announced = runner_for(archive)
    mali, burkina = stories["mali"], stories["burkina"]
    runner.run(ops.link(mali, burkina, "Yevkurov tour", "same-event"))
    assert announced[-1].links
    runner.run(ops.link(mali, burkina, "Yevkurov tour: Bamako and Ouagadougou stops", "follow-up"))
    runner.undo()
    [link] = archive.get(burkina).links
    assert (link.note, link.kind) == ("Yevkurov tour", "same-event")
    runner.undo()
    assert archive.get(burkina).links == ()
    runner.run(ops.link(mali, burkina, "again", None))
    runner.run(ops.unlink(burkina, mali))
    runner.undo()
    assert archive.get(mali).links[0].note == "again"


def test_trash_restore_undo(qapp, archive: Archive, stories) -> None:
    runner, announced = runner_for(archive)
    ids = [stories["mali"], stories["eu"]]
    runner.run(ops.trash(ids))
    assert announced[-1].removed == set(ids)
    assert archive.count() == 1
    runner.undo()
    assert archive.count() == 3
    assert runner.history.redo_label == "Move 2 to trash"


def test_dossier_operations_undo(qapp, archive: Archive, stories) -> None:
    runner, _ = runner_for(archive)
    created = []
    runner.run(ops.create_dossier("Russia in the Sahel", "The tour"), on_done=created.append)
    dossier = created[0].value
    runner.run(ops.add_to_dossier(dossier.id, [stories["mali"], stories["burkina"]]))
    runner.run(ops.reorder_dossier(dossier.id, [stories["burkina"], stories["mali"]]))
    runner.undo()
    assert archive.dossier(dossier.id).clipping_ids == (stories["mali"], stories["burkina"])
    runner.run(ops.delete_dossier(dossier.id))
    runner.undo()
    restored = archive.dossier("Russia in the Sahel")
    assert restored.clipping_ids == (stories["mali"], stories["burkina"])
    assert restored.description == "The tour"


def test_failed_operation_is_reported_not_raised(qapp, archive: Archive, stories) -> None:
    runner, announced = runner_for(archive)
    failures: list[tuple[str, str]] = []
    runner.operation_failed.connect(lambda label, reason: failures.append((label, reason)))
    runner.run(ops.link(stories["mali"], stories["mali"], "self", None))
    assert failures and "cannot be linked to itself" in failures[0][1]
    assert announced == [] and runner.history.undo_label is None
