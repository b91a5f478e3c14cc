"""How long the GUI thread is blocked while the window polls feeds: a 10 ms heartbeat timer
on the GUI thread, its gaps recorded during one poll of N entries (pages served from
127.0.0.1, each after 50 ms), side by side with the poll in a child process (the app's way),
on a worker thread of the app, and on the GUI thread itself.

Run from the checkout: `PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen .venv/bin/python
tools/measure_poll_gui.py [N]` (N defaults to 20).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.core.paths import resolve_location
from clipper.ui.app import application
from clipper.ui.main_window import MainWindow
from clipper.ui.tasks import ImmediateExecutor, serial_executor
from tests.helpers.feeds import Entry, article_page, rss, story
from tests.helpers.web import local_server

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def run(mode: str) -> tuple[float, float, float, int]:
    app = application()
    with tempfile.TemporaryDirectory() as tmp, local_server() as web:
        entries = []
        for n in range(N):
            path = f"/s/{n}"
            web(path, 200, "text/html", article_page(f"Story {n}", story(f"Event {n}")), 0.05)
            entries.append(Entry(f"Story {n}", path))
        feed = web("/feed.xml", 200, "application/rss+xml", rss("Wire", entries, web.base))
        archive = Archive(resolve_location(Path(tmp) / "a"))
        Monitor(archive).add_feed(feed)
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        executor = {"child": None, "thread": serial_executor("m"), "gui": ImmediateExecutor()}[mode]
        window = MainWindow(archive, settings, monitor=executor)
        window.show()
        for _ in range(50):
            app.processEvents()
            time.sleep(0.01)
        gaps: list[float] = []
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        timer = QTimer(interval=10)
        timer.timeout.connect(beat)
        timer.start()
        started = time.perf_counter()
        last[0] = started
        poller = window.monitor_desk.poller
        poller.poll_all()
        while poller.polling:
            app.processEvents()
            time.sleep(0.002)
        took = time.perf_counter() - started
        app.processEvents()
        timer.stop()
        arrived = sum(c.new for c in Monitor(archive).inbox_counts())
        window.close()
        archive.close()
        gaps = gaps or [took * 1000]
        p99 = statistics.quantiles(gaps, n=100)[98] if len(gaps) >= 2 else gaps[0]
        return took, max(gaps), p99, arrived


for mode in ("child", "thread", "gui"):
    took, worst, p99, arrived = run(mode)
    where = {"child": "child process", "thread": "worker thread", "gui": "GUI thread"}[mode]
    print(f"poll on the {where}: {arrived} items in {took:.2f} s; heartbeat gaps max "
          f"{worst:.0f} ms, p99 {p99:.0f} ms")
