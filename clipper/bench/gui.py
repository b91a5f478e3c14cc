"""How responsive the window is, measured: `python -m clipper.bench.gui`.

1. A heartbeat timer ticks every 10 ms on the GUI thread while 500 files are dropped and
   imported; the gaps between ticks say how long the GUI thread was ever blocked (max, p99).
2. Startup to a usable window (archive opened, window shown, sidebar counts and the first
   rows of the list on screen) on a 20,000-clipping archive, next to the same on an empty
   archive, as medians of several runs in one process.

Everything runs in temporary folders (settings included) except the 20k archive, which is
kept in --work (default out/gui-bench) so later runs reuse it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import PROJECT_ROOT, resolve_location
from clipper.ui.app import application, settle_heap
from clipper.ui.clipping_model import Column
from clipper.ui.main_window import MainWindow

HEARTBEAT_MS = 10
SAMPLES_DIR = PROJECT_ROOT / "resources" / "samples"


def vocabulary() -> list[str]:
    """Words of the sample clippings: synthetic articles read like the real ones, and are
    varied enough that the import's near-duplicate check does not flag them."""
    words: set[str] = set()
    for path in SAMPLES_DIR.glob("*.txt"):
        words.update(re.findall(r"[a-zà-ÿ]{3,}", path.read_text(encoding="utf-8").lower()))
    return sorted(words)


REGIONS = ["Niger", "Mali", "Burkina Faso", "Chad", "Senegal", "Nigeria", "France", "Russia"]
TOPICS = ["Security", "Diplomacy", "Economy", "Migration", "Russia in Africa", "Elections"]


def article(
    rng: random.Random, number: int, words: int = 350, vocab: list[str] | None = None
) -> tuple[str, str]:
    vocab = vocab or vocabulary()
    title = " ".join(rng.choice(vocab) for _ in range(7)).capitalize() + f" ({number})"
    paragraphs = []
    for _ in range(words // 70):
        sentence_words = [rng.choice(vocab) for _ in range(70)]
        paragraphs.append(" ".join(sentence_words).capitalize() + ".")
    return title, "\n\n".join(paragraphs)


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        wait(5)
    return True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_import(files: int, work: Path) -> dict[str, float]:
    """Drop `files` text files on a window and record the heartbeat until all are listed."""
    rng = random.Random(7)
    folder = work / "drop"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    vocab = vocabulary()
    for number in range(files):
        title, body = article(rng, number, vocab=vocab)
        (folder / f"{number:04}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    home = work / "import-archive"
    shutil.rmtree(home, ignore_errors=True)
    archive = Archive(resolve_location(home))
    window = MainWindow(archive, QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    settle_heap()  # as run_app does
    wait(300)
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    wait(200)
    started = time.perf_counter()
    batch = window.import_items([str(folder)])
    drop_returned = time.perf_counter() - started
    done = wait_until(
        lambda: batch.finished and window.results.model.rowCount() == files, timeout_s=600
    )
    elapsed = time.perf_counter() - started
    wait(200)
    heartbeat.stop()
    window.close()
    archive.close()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(ticks)]
    return {
        "files": files,
        "finished": float(done),
        "stored": batch.count("stored"),
        "seconds": elapsed,
        "drop_returned_ms": drop_returned * 1000,
        "gap_max_ms": max(gaps),
        "gap_p99_ms": percentile(gaps, 0.99),
        "gap_median_ms": statistics.median(gaps),
        "ticks": len(ticks),
    }


def build_archive(home: Path, size: int) -> None:
    """A `size`-clipping archive (kept between runs: building it takes a while)."""
    archive = Archive(resolve_location(home))
    try:
        have = archive.count()
        if have >= size:
            return
        rng = random.Random(11)
        start = dt.date(2020, 1, 1)
        vocab = vocabulary()
        for number in range(have, size):
            title, body = article(rng, number, words=210, vocab=vocab)
            draft = ClippingDraft(
                title=title,
                body=body,
                source=rng.choice(["Le Monde", "RFI", "Reuters", "AFP", "Jeune Afrique"]),
                published=start + dt.timedelta(days=rng.randrange(1500)),
                language="en",
            )
            tags = [("region", rng.choice(REGIONS)), ("topic", rng.choice(TOPICS))]
            archive.add(draft, tags=tags)
            if number % 2000 == 0:
                print(f"  building the {size:,}-clipping archive: {number:,}", file=sys.stderr)
    finally:
        archive.close()


def time_startup(home: Path, settings_path: Path) -> float:
    """Seconds from opening the archive to a window showing counts and its first rows."""
    started = time.perf_counter()
    archive = Archive(resolve_location(home))
    window = MainWindow(archive, QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.show()
    refreshed: list[bool] = []
    window.sidebar_refreshed.connect(lambda: refreshed.append(True))
    expected = archive.count()

    def usable() -> bool:
        model = window.results.model
        if not refreshed or model.rowCount() != expected:
            return False
        if expected:
            model.data(model.index(0, Column.TITLE))
        return True

    wait_until(usable, timeout_s=120)
    elapsed = time.perf_counter() - started
    window.close()
    archive.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clipper.bench.gui", description=__doc__)
    parser.add_argument("--files", type=int, default=500, help="files dropped at once")
    parser.add_argument("--size", type=int, default=20_000, help="clippings in the big archive")
    parser.add_argument("--runs", type=int, default=5, help="startups timed per archive")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "out" / "gui-bench")
    parser.add_argument(
        "--startup-of",
        type=Path,
        metavar="ARCHIVE",
        help="only time startup to a usable window on this archive (what `clipper bench` asks)",
    )
    args = parser.parse_args(argv)
    application()
    if args.startup_of is not None:
        return _startup_only(args.startup_of, args.runs)
    args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        result = bench_import(args.files, tmp)
        print(
            f"import {result['files']} files: {result['stored']:.0f} stored in "
            f"{result['seconds']:.1f} s (drop returned in {result['drop_returned_ms']:.1f} ms); "
            f"GUI heartbeat every {HEARTBEAT_MS} ms: max gap {result['gap_max_ms']:.0f} ms, "
            f"p99 {result['gap_p99_ms']:.0f} ms, median {result['gap_median_ms']:.1f} ms"
        )
        big = args.work / f"archive-{args.size}"
        build_archive(big, args.size)
        empty = tmp / "empty-archive"
        Archive(resolve_location(empty)).close()
        times: dict[str, list[float]] = {"empty": [], "big": []}
        for _ in range(args.runs):
            times["empty"].append(time_startup(empty, tmp / "s1.ini"))
            times["big"].append(time_startup(big, tmp / "s2.ini"))
        empty_median = statistics.median(times["empty"])
        big_median = statistics.median(times["big"])
        print(
            f"startup to a usable window (median of {args.runs}): empty archive "
            f"{empty_median * 1000:.0f} ms, {args.size:,} clippings {big_median * 1000:.0f} ms "
            f"(x{big_median / empty_median:.2f})"
        )
    QApplication.processEvents()
    return 0


def _startup_only(home: Path, runs: int) -> int:
    """Print one line: the median startup in ms over `runs`, and this process's peak memory."""
    with tempfile.TemporaryDirectory() as scratch:
        times = [time_startup(home, Path(scratch) / "settings.ini") for _ in range(runs)]
    peak = 0.0
    with contextlib.suppress(ImportError):  # no resource module on Windows
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{statistics.median(times) * 1000:,.0f} ({peak:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
