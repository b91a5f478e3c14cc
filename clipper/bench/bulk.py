"""Benchmark of bulk writes: clippings stored per second through the archive API, three ways
side by side in one run, each into a fresh archive:

- `one_by_one`: `Archive.add` for each article, one transaction each;
- `batch_500`: `Archive.add` inside `archive.batch()`, 500 articles a batch;
- `add_many_500`: `Archive.add_many` of 500 articles a call (what the JSON import does).

    .venv/bin/python -m clipper.bench.bulk --count 5000 --runs 3

The articles are the synthetic newsroom corpus (`NewsCorpus`, ~900-word articles with
sources and 2-7 tags), made before the clock starts; the archive is opened (and migrated)
before it starts too. The machine is shared: the load average is printed with the medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from clipper.bench.corpus import NewsCorpus, SyntheticArticle
from clipper.core.archive import Archive
from clipper.core.paths import ArchiveLocation, resolve_location
from clipper.core.store.clippings import NewClipping

CHUNK = 500
MODES = ("one_by_one", "batch_500", "add_many_500")


def _one_by_one(archive: Archive, articles: Sequence[SyntheticArticle]) -> None:
    for article in articles:
        archive.add(article.draft, article.tags)


def _batch(archive: Archive, articles: Sequence[SyntheticArticle]) -> None:
    for start in range(0, len(articles), CHUNK):
        with archive.batch():
            for article in articles[start : start + CHUNK]:
                archive.add(article.draft, article.tags)


def _add_many(archive: Archive, articles: Sequence[SyntheticArticle]) -> None:
    for start in range(0, len(articles), CHUNK):
        archive.add_many(NewClipping(a.draft, a.tags) for a in articles[start : start + CHUNK])


_WRITERS: dict[str, Callable[[Archive, Sequence[SyntheticArticle]], None]] = {
    "one_by_one": _one_by_one,
    "batch_500": _batch,
    "add_many_500": _add_many,
}


def measure_bulk_writes(
    location_factory: Callable[[], ArchiveLocation], corpus: NewsCorpus, count: int
) -> dict[str, float]:
    """Clippings stored per second by each way of writing (MODES), the first `count`
    articles of `corpus` into a fresh archive from `location_factory` each."""
    articles = list(corpus.articles(count))
    rates: dict[str, float] = {}
    for mode in MODES:
        with Archive(location_factory()) as archive:
            started = time.perf_counter()
            _WRITERS[mode](archive, articles)
            elapsed = time.perf_counter() - started
            stored = archive.count()
        if stored != count:
            raise RuntimeError(f"{mode}: {stored} clippings stored of {count}")
        rates[mode] = count / elapsed
    return rates


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clipper.bench.bulk", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--count", type=int, default=2000, help="articles stored per way")
    parser.add_argument("--runs", type=int, default=1, help="runs; the median is printed")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    corpus = NewsCorpus(args.seed)
    runs: dict[str, list[float]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="clipper-bulk-bench-") as tmp:
        made = 0

        def fresh() -> ArchiveLocation:
            nonlocal made
            made += 1
            return resolve_location(Path(tmp) / f"archive-{made}")

        for run in range(args.runs):
            rates = measure_bulk_writes(fresh, corpus, args.count)
            for mode, rate in rates.items():
                runs[mode].append(rate)
            shown = ", ".join(f"{mode} {rate:.0f}/s" for mode, rate in rates.items())
            print(f"run {run + 1}: {shown}")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{args.count} clippings per way, median of {args.runs} run(s), load average {load}:")
    for mode in MODES:
        print(f"  {mode:13s} {statistics.median(runs[mode]):7.0f} clippings/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
