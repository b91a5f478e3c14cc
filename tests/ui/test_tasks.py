"""The one helper for background work: synchronous in tests, a real thread in the app."""

from __future__ import annotations

import threading

import pytest

from clipper.ui.tasks import ImmediateExecutor, TaskRunner, serial_executor


def test_immediate_executor_delivers_results_synchronously(qapp) -> None:
    runner = TaskRunner(ImmediateExecutor())
    results: list[object] = []
    runner.run(lambda: 6 * 7, results.append)
    runner.run(lambda: 1 / 0, None, results.append)
    assert results[0] == 42
    assert isinstance(results[1], ZeroDivisionError)
    assert not runner.busy


def test_serial_executor_runs_off_the_gui_thread_in_order(qtbot) -> None:
    runner = TaskRunner(serial_executor("test-worker"))
    gui_thread = threading.get_ident()
    seen: list[tuple[int, int, int]] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    for number in range(5):
        runner.run(
            lambda number=number: (number, threading.get_ident()),
            lambda result: seen.append((*result, threading.get_ident())),
        )
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=5000)
    assert [s[0] for s in seen] == [0, 1, 2, 3, 4]
    assert all(worker != gui_thread and callback == gui_thread for _, worker, callback in seen)
    assert busy == [True, False]
    runner.shutdown()


@pytest.mark.filterwarnings("error")
def test_post_runs_callbacks_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner(serial_executor("test-worker"))
    called: list[int] = []
    runner.run(lambda: runner.post(lambda: called.append(threading.get_ident())))
    qtbot.waitUntil(lambda: bool(called), timeout=5000)
    assert called == [threading.get_ident()]
    runner.shutdown()
