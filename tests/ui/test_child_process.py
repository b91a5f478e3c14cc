"""Work in a child process (`clipper.ui.child_process`): the messages come back in order, a
child that dies says so, and a child that does not stop when cancelled is ended."""

from __future__ import annotations

import threading
import time

import pytest

from clipper.ui import child_process
from clipper.ui.child_process import ChildEnded, messages_from_child


def test_a_child_that_dies_before_its_answer_says_so() -> None:
    with pytest.raises(ChildEnded, match=r"the test process ended unexpectedly \(exit code 1\)"):
        list(messages_from_child("clipper.no_such_module", None, threading.Event(), "test"))


def test_a_child_that_ignores_a_cancel_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(child_process, "STOP_SECONDS", 0.5)
    cancelled = threading.Event()
    messages = messages_from_child("tests.helpers.stuck_child", {"job": 1}, cancelled, "test")
    assert next(messages) == ("started", {"job": 1})
    started = time.monotonic()
    cancelled.set()
    with pytest.raises(ChildEnded, match="exit code -9"):
        next(messages)
    assert time.monotonic() - started < 30, "the read waited for the child's own end"
