"""The operation runner: operations run on the writer, their changes are announced, the undo
history is kept, and a failure is reported, not raised. (The operations themselves and their
undo round-trips are tested in tests/core/test_operations.py.)"""

from __future__ import annotations

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.views import OpChanges
from clipper.ui.operations import OperationRunner
from clipper.ui.tasks import ImmediateExecutor, TaskRunner


def runner_for(archive: Archive) -> tuple[OperationRunner, list[OpChanges]]:
    runner = OperationRunner(archive, TaskRunner(ImmediateExecutor()))
    announced: list[OpChanges] = []
    runner.operation_did_execute.connect(lambda changes, _origin: announced.append(changes))
    return runner, announced


def test_undo_and_redo_run_on_the_writer_and_announce_what_changed(
    qapp, archive: Archive, stories
) -> None:
    runner, announced = runner_for(archive)
    labels: list[tuple[str | None, str | None]] = []
    runner.history_changed.connect(
        lambda: labels.append((runner.history.undo_label, runner.history.redo_label))
    )
    mali = stories["mali"]
    runner.run(ops.add_tag([mali], "topic", "Sahel security"))
    assert announced[-1].clippings == {mali}
    runner.undo()
    assert announced[-1].clippings == {mali}
    assert "Sahel security" not in {t.name for t in archive.get(mali).tags}
    runner.redo()
    assert "Sahel security" in {t.name for t in archive.get(mali).tags}
    tagged = "Tag with Sahel security"
    # The entry leaves its stack as the replay starts, and its inverse lands on the other
    # one when the writer is done.
    assert labels == [(tagged, None), (None, None), (None, tagged), (None, None), (tagged, None)]


def test_failed_operation_is_reported_not_raised(qapp, archive: Archive, stories) -> None:
    runner, announced = runner_for(archive)
    failures: list[tuple[str, str]] = []
    runner.operation_failed.connect(lambda label, reason: failures.append((label, reason)))
    runner.run(ops.link(stories["mali"], stories["mali"], "self", None))
    assert failures and "cannot be linked to itself" in failures[0][1]
    assert announced == [] and runner.history.undo_label is None
