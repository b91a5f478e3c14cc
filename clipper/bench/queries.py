"""`python -m clipper.bench.queries ARCHIVE`: the bench's search mix alone (`make_queries`:
each query kind, then more like this), on an archive that holds a corpus, for comparing two
versions of the search code side by side: run it from each checkout in turn, A B A B.

It times process time, not wall time: on a shared machine another tenant's work lands in the
wall time of whichever run it overlaps, while the CPU a search spends is its own (a search
waits on no disk once the index's files are in the page cache, which the warm-up sees to).
It builds nothing: an archive whose index is missing or stale catches up first, untimed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from clipper.bench.corpus import NewsCorpus
from clipper.bench.search import KINDS, PAGE, Timings, make_queries, peak_memory_mb
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location


def measure_queries(
    archive: Archive, corpus: NewsCorpus, count: int, similar: int, seed: int
) -> dict[str, Timings]:
    """Process seconds of each search of `count` queries a kind (`KINDS`, highlights of the
    first page included), of all of them ("all"), and of `similar` more-like-this lookups
    ("more like this")."""
    index = archive.index
    mix = make_queries(corpus, archive, count, seed)
    for query in mix[:: max(1, len(mix) // 20)]:
        index.search(query.clipper, page_size=PAGE)  # the per-segment caches, as in the bench
    times = {kind: Timings() for kind in (*KINDS, "all", "more like this")}
    for query in mix:
        started = time.process_time()
        index.search(query.clipper, page_size=PAGE)
        spent = time.process_time() - started
        times[query.kind].add(spent)
        times["all"].add(spent)
    rng = random.Random(seed + 3)
    live = archive.live_ids()
    for _ in range(similar if live else 0):
        cid = rng.choice(live)
        started = time.process_time()
        index.more_like(cid)
        times["more like this"].add(time.process_time() - started)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clipper.bench.queries", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("archive", type=Path, help="an archive folder holding a corpus")
    parser.add_argument("--queries", type=int, default=40, help="queries of each kind")
    parser.add_argument("--similar", type=int, default=100, help="more-like-this lookups")
    parser.add_argument("--seed", type=int, default=7, help="the corpus's seed")
    args = parser.parse_args(argv)
    if not args.archive.is_dir():  # opening it would make a new, empty archive there
        print(f"{args.archive}: no such archive folder", file=sys.stderr)
        return 1
    with Archive(resolve_location(args.archive, environ={})) as archive:
        if archive.count() == 0:
            print(f"{args.archive}: no clippings to search", file=sys.stderr)
            return 1
        times = measure_queries(
            archive, NewsCorpus(args.seed), args.queries, args.similar, args.seed
        )
        count = archive.count()
    print(f"{count:,} clippings, {args.queries} queries a kind, process time p50 / p95 ms:")
    for kind, timings in times.items():
        print(f"  {kind:16s} {timings.p50 * 1000:8.1f} {timings.p95 * 1000:8.1f}")
    print(f"  peak memory {peak_memory_mb()[0]:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
