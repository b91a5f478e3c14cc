"""Polling from the window: the timer asks for a poll of what is due, one poll at a time, on
a worker of its own (the window does not wait for a slow feed), and a failing feed shows its
one-line reason in the sidebar and the inbox, never in a dialog."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.ui.main_window import MainWindow
from clipper.ui.monitor_tasks import POLL_TICK_MS
from clipper.ui.sidebar import COUNT_ROLE, INBOX, NodeKey
from clipper.ui.tasks import serial_executor
from tests.helpers.feeds import Entry, article_page, rss, story
from tests.helpers.web import local_server
from tests.ui.helpers import click_node, shows_text


@pytest.fixture
def web() -> Iterator[Any]:
    with local_server() as route:
        yield route


class HeldExecutor:
    """Keeps each job until the test lets it run: a poll that is still under way."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def submit(self, fn: Callable[[], None]) -> None:
        self.jobs.append(fn)

    def run_all(self) -> None:
        while self.jobs:
            self.jobs.pop(0)()

    def shutdown(self, wait: bool = True) -> None:
        self.run_all()


def one_story_feed(web: Any, path: str, title: str, delay: float = 0.0) -> str:
    web(f"{path}/1", 200, "text/html", article_page(title, story(title)))
    body = rss(title, [Entry(title, f"{path}/1")], web.base)
    return web(path, 200, "application/rss+xml", body, delay)  # type: ignore[no-any-return]


def inbox_count(window: MainWindow) -> int:
    return window.sidebar.sidebar_model.index_of(INBOX).data(COUNT_ROLE)  # type: ignore[no-any-return]


def test_the_timer_polls_what_is_due_one_poll_at_a_time(
    make_window: Any, archive: Archive, web: Any
) -> None:
    Monitor(archive).add_feed(one_story_feed(web, "/wire", "Wagner arrives in Niamey"))
    held = HeldExecutor()
    window = make_window(monitor=held)
    poller = window.monitor_desk.poller
    assert poller.timer.isActive() and poller.timer.interval() == POLL_TICK_MS
    poller.timer.timeout.emit()
    assert poller.polling and len(held.jobs) == 1
    # A second tick while the first poll runs starts nothing.
    poller.timer.timeout.emit()
    assert not poller.poll_due() and len(held.jobs) == 1
    assert inbox_count(window) == 0
    held.run_all()
    assert not poller.polling
    assert inbox_count(window) == 1
    # Nothing is due again before the feed's interval: a tick polls, and brings nothing.
    poller.timer.timeout.emit()
    held.run_all()
    assert inbox_count(window) == 1
    # Once when it was followed (to check it is a feed), once by the poll.
    assert [p for p, _h in web.requests].count("/wire") == 2


def test_a_slow_feed_is_polled_off_the_gui_thread(
    qtbot: Any, make_window: Any, archive: Archive, web: Any
) -> None:
    Monitor(archive).add_feed(one_story_feed(web, "/slow", "Uranium exports halted", delay=1.0))
    window = make_window(monitor=serial_executor("test-monitor"))
    polled_on: list[str] = []
    poller = window.monitor_desk.poller
    poller.polled.connect(lambda _outcomes: polled_on.append(threading.current_thread().name))
    assert poller.poll_due()
    # The call came back before the feed answered: the window went on.
    assert poller.polling and inbox_count(window) == 0
    qtbot.waitUntil(lambda: not poller.polling, timeout=20000)
    assert polled_on == [threading.main_thread().name]
    qtbot.waitUntil(lambda: inbox_count(window) == 1, timeout=5000)


def test_the_app_polls_in_a_child_process(
    qtbot: Any, make_window: Any, archive: Archive, web: Any
) -> None:
    """The app's own poller (no executor given) reads the feed in a child process, which
    stores what arrives; the window shows it when the answer comes."""
    Monitor(archive).add_feed(one_story_feed(web, "/wire", "Wagner arrives in Niamey"))
    window = make_window(monitor=None)
    poller = window.monitor_desk.poller
    assert poller.in_process
    assert poller.poll_due()
    qtbot.waitUntil(lambda: not poller.polling, timeout=60000)
    qtbot.waitUntil(lambda: inbox_count(window) == 1, timeout=5000)
    assert [i.title for i in Monitor(archive).inbox()] == ["Wagner arrives in Niamey"]
    assert "/wire/1" in [p for p, _h in web.requests]


def test_a_failing_feed_says_why_where_the_editor_looks(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    monitor = Monitor(archive)
    good = monitor.add_feed(one_story_feed(web, "/good", "Africa Corps lands in Bamako"))
    broken = monitor.add_feed(web.base + "/gone.xml", name="Gone Wire", check=False)
    assert window.monitor_desk.poller.poll_due()
    # The other feed still polled.
    assert inbox_count(window) == 1
    message = window.statusBar().currentMessage()
    assert "Gone Wire" in message and "404" in message
    key = NodeKey("feed", broken.id)
    index = window.sidebar.sidebar_model.index_of(key)
    assert "Last poll failed" in index.data(0x03) and "404" in index.data(0x03)  # ToolTipRole
    assert window.sidebar.sidebar_model.index_of(NodeKey("feed", good.id)).isValid()

    click_node(qtbot, window, key)
    problems = window.monitor_desk.inbox.problems
    qtbot.waitUntil(lambda: shows_text(problems), timeout=3000)
    assert problems.text().startswith("Gone Wire: the last poll failed (")
    assert "404" in problems.text()
    # In the whole inbox too; never in a dialog.
    click_node(qtbot, window, INBOX)
    qtbot.waitUntil(lambda: shows_text(problems), timeout=3000)
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
