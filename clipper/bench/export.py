"""Benchmark of clipping books: time to write books of 100 and 500 real clippings, and how long
the GUI thread's event loop stalls while a book is written on a worker thread.

    .venv/bin/python -m clipper.bench.export --sizes 100 500 --runs 3

The clippings are the 181 real articles of the shared extraction corpus (ground truth bodies),
cycled to reach the size asked, with regions, topics, notes and links like a real dossier.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import PROJECT_ROOT, resolve_location

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "article-extraction-benchmark"
REGIONS = ("Niger", "Mali", "Burkina Faso", "Nigeria", "Senegal", "France", "Russia")
TOPICS = ("Security", "Economy", "Diplomacy", "Energy", "Elections", "Technology")


def corpus_articles() -> list[tuple[str, str]]:
    """(url, body) of the corpus's real articles; the first line of each body is its title."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    articles = []
    for key in sorted(truth):
        body = truth[key]["articleBody"].strip()
        if len(body) > 200 and (CORPUS / "html" / f"{key}.html.gz").exists():
            articles.append((truth[key]["url"], body))
    return articles


def _title(body: str, fallback: str) -> str:
    first = body.split("\n", 1)[0].split(". ")[0].strip()
    return (first[:90].rsplit(" ", 1)[0] + "…") if len(first) > 90 else (first or fallback)


def fill_archive(archive: Archive, size: int, seed: int = 7) -> list[int]:
    """`size` clippings from the corpus (repeats get a marker so they are not duplicates)."""
    articles = corpus_articles()
    rng = random.Random(seed)
    ids: list[int] = []
    for n in range(size):
        url, body = articles[n % len(articles)]
        round_ = n // len(articles)
        if round_:
            body = f"{body}\n\n(Reprint {round_}.)"
        tags = [("region", rng.choice(REGIONS)), ("topic", rng.choice(TOPICS))]
        draft = ClippingDraft(
            title=_title(body, f"Article {n + 1}"),
            body=body,
            source=url.split("/")[2].removeprefix("www."),
            author=rng.choice([None, "Staff", "A. Correspondent"]),
            url=url,
            published=dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(365)),
            language="en",
        )
        result = archive.add(draft, tags=tags)
        ids.append(result.id)
        if n % 5 == 0:
            archive.add_note(result.id, "Check the figures against the agency wire before use.")
        if n % 7 == 0 and len(ids) > 1:
            archive.link(result.id, rng.choice(ids[:-1]), "Same story, earlier angle", "follow-up")
    return ids


def time_books(archive: Archive, ids: Sequence[int], folder: Path, runs: int) -> dict[str, object]:
    from clipper.export.book import BookOptions
    from clipper.export.pdf import write_pdf_book

    seconds, pages, stages = [], 0, []
    for run in range(runs):
        result = write_pdf_book(
            archive,
            ids,
            folder / f"book-{len(ids)}-{run}.pdf",
            BookOptions(title=f"Benchmark book of {len(ids)}", group_by="region"),
        )
        seconds.append(result.seconds)
        pages = result.page_count
        stages.append(result.timings)
    median_stages = {name: statistics.median(s[name] for s in stages) for name in stages[0]}
    return {
        "median_s": statistics.median(seconds),
        "all_s": seconds,
        "pages": pages,
        "stages_s": median_stages,
    }


def gui_stalls(archive: Archive, ids: Sequence[int], folder: Path) -> dict[str, float]:
    """Write a book on a worker thread while the GUI thread's event loop ticks every 10 ms;
    the longest gap between ticks is how long a window would have frozen."""
    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer

    from clipper.export.book import BookOptions
    from clipper.export.pdf import write_pdf_book

    gaps: list[float] = []
    last = [time.perf_counter()]
    loop = QEventLoop()

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    done = threading.Event()

    def work() -> None:
        try:
            write_pdf_book(archive, ids, folder / "threaded.pdf", BookOptions(title="Threaded"))
        finally:
            done.set()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if done.is_set() else None)
    # A pool thread, as the window uses: a QThread has the event dispatcher that Qt's text
    # layout expects (a bare Python thread makes Qt warn on every document).
    pool = QThreadPool()
    started = time.perf_counter()
    timer.start()
    poll.start()
    pool.start(work)
    loop.exec()
    pool.waitForDone()
    timer.stop()
    poll.stop()
    gaps.sort()
    return {
        "export_s": time.perf_counter() - started,
        "ticks": len(gaps),
        "median_gap_ms": 1000 * statistics.median(gaps),
        "p99_gap_ms": 1000 * gaps[int(0.99 * (len(gaps) - 1))],
        "max_gap_ms": 1000 * gaps[-1],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"the corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from clipper.export.pdf import ensure_gui_application

    ensure_gui_application()
    with tempfile.TemporaryDirectory(prefix="clipper-book-bench-") as tmp:
        folder = Path(tmp)
        with Archive(resolve_location(folder / "archive")) as archive:
            started = time.perf_counter()
            ids = fill_archive(archive, max(args.sizes), args.seed)
            print(f"archive of {len(ids)} clippings built in {time.perf_counter() - started:.1f}s")
            for size in args.sizes:
                timing = time_books(archive, ids[:size], folder, args.runs)
                print(f"book of {size}: {json.dumps(timing, default=lambda v: round(v, 3))}")
            stalls = gui_stalls(archive, ids[: max(args.sizes)], folder)
            print(
                f"GUI thread during a {max(args.sizes)}-clipping book on a worker: "
                f"{json.dumps({k: round(v, 1) for k, v in stalls.items()})}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
