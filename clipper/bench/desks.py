"""A shared archive under load: desk processes importing and desk processes searching one
database server at once, each desk with its own archive folder and search index, as a
newsroom's desks would run.

    python -m clipper.bench.desks --server postgresql://USER@HOST:PORT/postgres \
        --seconds 180 --importers 4 --searchers 4

The bench creates a fresh database on the server (`--server` names any database there that
the user may connect to, and needs CREATEDB), runs the desks for `--seconds`, and drops the
database (`--keep` keeps it). Every importing desk stores synthetic articles
(`clipper.bench.corpus`); one article in four is the same wire story at every desk, so desks
race to store the same text all the time. Every searching desk searches the archive as it
grows (each search first catches its index up with what the other desks stored). At the end
every desk runs `check` (archive integrity and its index against the archive).

It prints import throughput, search latency (p50, p95), errors (there should be none), that
the archive holds exactly one clipping per story, and each desk's check.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clipper.bench.corpus import REGIONS, TOPICS, NewsCorpus
from clipper.core.archive import Archive
from clipper.core.paths import ArchiveLocation

# One story in SHARED_EVERY is the same at every desk: the race for its text is the point.
SHARED_EVERY = 4
# An importing desk lets its own index catch up this often, as `clipper import` does.
INDEX_EVERY = 50
SEED = 11


@dataclass
class DeskReport:
    desk: str
    role: str
    stored: int = 0
    duplicates: int = 0
    stories: list[int] = field(default_factory=list)
    searches: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _story_numbers(desk: int) -> Iterator[int]:
    """The stories a desk imports, in order: every SHARED_EVERY-th is shared by all desks."""
    k = 0
    while True:
        yield k if k % SHARED_EVERY == 0 else (desk + 1) * 10_000_000 + k
        k += 1


def _check(archive: Archive) -> list[str]:
    problems = archive.integrity_problems()
    archive.index.catch_up()
    return problems + archive.index.parity_problems()


def import_desk(number: int, home: str, url: str, seconds: float, start: Any, results: Any) -> None:
    report = DeskReport(f"import-{number}", "import")
    corpus = NewsCorpus(SEED)
    try:
        with Archive(ArchiveLocation(Path(home), url)) as archive:
            archive.index.catch_up()
            start.wait()  # every desk is open: the clock starts for all at once
            started = time.monotonic()
            deadline = time.time() + seconds
            for story in _story_numbers(number):
                if time.time() >= deadline:
                    break
                article = corpus.article(story)
                try:
                    result = archive.add(article.draft, article.tags)
                except Exception as exc:  # counted and shown: the bench wants none
                    report.errors.append(f"story {story}: {type(exc).__name__}: {exc}")
                    continue
                report.stories.append(story)
                if result.created:
                    report.stored += 1
                    if report.stored % INDEX_EVERY == 0:
                        archive.index.catch_up()
                else:
                    report.duplicates += 1
            report.seconds = time.monotonic() - started
            report.check = _check(archive)
    except Exception:
        report.errors.append(traceback.format_exc(limit=3))
    results.put(report)


def _queries(corpus: NewsCorpus, rng: random.Random) -> Iterator[str]:
    while True:
        kind = rng.random()
        language = rng.choice(("fr", "en"))
        if kind < 0.4:
            yield " ".join(rng.choice(corpus.tail[:3000]) for _ in range(rng.randint(1, 2)))
        elif kind < 0.6:
            yield f'region:"{rng.choice(REGIONS)}" {corpus.words(language, 1, rng)[0]}'
        elif kind < 0.8:
            yield f'topic:"{rng.choice(TOPICS)}"'
        else:
            yield '"' + " ".join(corpus.words(language, 2, rng)) + '"'


def search_desk(number: int, home: str, url: str, seconds: float, start: Any, results: Any) -> None:
    report = DeskReport(f"search-{number}", "search")
    corpus = NewsCorpus(SEED)
    rng = random.Random(SEED + number)
    try:
        with Archive(ArchiveLocation(Path(home), url)) as archive:
            archive.index.catch_up()
            start.wait()
            started = time.monotonic()
            deadline = time.time() + seconds
            for query in _queries(corpus, rng):
                if time.time() >= deadline:
                    break
                begun = time.perf_counter()
                try:
                    archive.search(query, page_size=20)
                except Exception as exc:
                    report.errors.append(f"{query!r}: {type(exc).__name__}: {exc}")
                    continue
                report.searches.append(time.perf_counter() - begun)
            report.seconds = time.monotonic() - started
            report.check = _check(archive)
    except Exception:
        report.errors.append(traceback.format_exc(limit=3))
    results.put(report)


@contextmanager
def fresh_database(server: str, keep: bool) -> Iterator[str]:
    url = make_url(server)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"clipper_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept the database {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(server: str, seconds: float, importers: int, searchers: int, keep: bool = False) -> int:
    """Run the desks; returns 0 when there was no error, every check passed and every story
    is stored exactly once, else 1."""
    context = multiprocessing.get_context("spawn")
    with (
        fresh_database(server, keep) as url,
        tempfile.TemporaryDirectory(prefix="clipper-desks-") as folder,
    ):
        # The schema and the region tree are made once before the clock starts.
        with Archive(ArchiveLocation(Path(folder) / "setup", url)):
            pass
        results = context.Queue()
        start = context.Barrier(importers + searchers)
        processes = [
            context.Process(
                target=import_desk,
                args=(i, f"{folder}/import-{i}", url, seconds, start, results),
            )
            for i in range(importers)
        ] + [
            context.Process(
                target=search_desk,
                args=(i, f"{folder}/search-{i}", url, seconds, start, results),
            )
            for i in range(searchers)
        ]
        for process in processes:
            process.start()
        reports: list[DeskReport] = [results.get() for _ in processes]
        for process in processes:
            process.join()
        with Archive(ArchiveLocation(Path(folder) / "setup", url)) as archive:
            stored = archive.count()
            problems = archive.integrity_problems()
    return _print(reports, stored, problems, seconds)


def _print(reports: list[DeskReport], stored: int, problems: list[str], seconds: float) -> int:
    importing = [r for r in reports if r.role == "import"]
    searching = [r for r in reports if r.role == "search"]
    stories = set().union(*(r.stories for r in importing)) if importing else set()
    created = sum(r.stored for r in importing)
    errors = [e for r in reports for e in r.errors]
    latencies = [s for r in searching for s in r.searches]
    print(f"{len(importing)} importing and {len(searching)} searching desks for {seconds:.0f} s")
    print(
        f"import: {created} clippings stored ({created / seconds:.1f}/s), "
        f"{sum(r.duplicates for r in importing)} duplicates returned as the existing clipping"
    )
    for r in importing:
        print(f"  {r.desk}: {r.stored} stored, {r.duplicates} duplicates")
    if latencies:
        print(
            f"search: {len(latencies)} searches ({len(latencies) / seconds:.1f}/s), "
            f"p50 {1000 * statistics.median(latencies):.1f} ms, "
            f"p95 {1000 * _percentile(latencies, 0.95):.1f} ms, "
            f"max {1000 * max(latencies):.1f} ms"
        )
    once = stored == len(stories) == created
    print(
        f"archive: {stored} clippings for {len(stories)} distinct stories: "
        + ("exactly one each" if once else "MISMATCH")
    )
    print(f"errors: {len(errors)}")
    for error in errors[:10]:
        print(f"  {error}")
    checks_ok = not problems
    for r in reports:
        print(f"check {r.desk}: " + ("ok" if not r.check else "; ".join(r.check[:3])))
        checks_ok = checks_ok and not r.check
    for problem in problems:
        print(f"archive problem: {problem}")
    return 0 if once and not errors and checks_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clipper.bench.desks", description=__doc__)
    parser.add_argument("--server", required=True, help="a PostgreSQL URL on the server")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--importers", type=int, default=4)
    parser.add_argument("--searchers", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    return run(args.server, args.seconds, args.importers, args.searchers, args.keep)


if __name__ == "__main__":
    sys.exit(main())
