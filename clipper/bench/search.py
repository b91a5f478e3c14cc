"""`clipper bench`: import, indexing and search measured on a synthetic newsroom corpus, with
SQLite FTS5 and plain Whoosh run on the same articles and queries in the same run.

The corpus (`clipper.bench.corpus.NewsCorpus`) is stored through `Archive.add_many` (500 a
call, as a JSON import stores) into the archive given with --archive, which must be new or
empty, or hold the corpus of an earlier run of the same size and seed: that one is reused as
it stands (`clipper.bench.stored`), its import rate quoted from its build. Steps:

1. import the first min(size, 20,000) articles, build the index (worker processes), then
   time "add one clipping until a search finds it" at that size (at the whole size on a
   reused corpus), small segments folded between two adds as the window folds them in idle
   time (timed apart); the clippings it adds are purged again;
2. import the rest and let the index catch up (worker processes again);
3. search latency p50/p95 per query kind, highlights of the first 20 hits included (and the
   total and facet counts, which the FTS5 side does not compute); more-like-this;
4. FTS5 (unicode61 remove_diacritics 2, bm25, snippet) indexes the same texts (once per
   stored corpus) and runs the same queries translated to its syntax; the ratio column is
   our speed relative to FTS5 (articles per second over articles per second, FTS5's p95 time
   over ours): above 1, we are faster;
5. plain single-writer Whoosh (stock analyzer, default writer) and this index's single
   process builder on the same sample of articles, for the indexing rate side by side, and
   the three ways of writing clippings (`clipper.bench.bulk`) on as many into scratch
   archives;
6. index open time, full rebuild time (the index build figure of a reused corpus; on a
   reused corpus whose index had to be built on opening, that build, not a second one), index
   and database sizes, peak memory; then startup to a usable window on the archive, in a
   process of its own (`clipper.bench.gui --startup-of`).

Timings are medians and 95th percentiles of wall time; the machine is shared, so the load
average is printed with them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from clipper.bench.corpus import REGIONS, SOURCES, NewsCorpus
from clipper.bench.stored import (
    FTS_NAME,
    StoredCorpus,
    folder_bytes,
    new_mark,
    read_mark,
    sqlite_bytes,
    why_not_reusable,
    write_mark,
)
from clipper.core.paths import ArchiveLocation, resolve_location
from clipper.core.search.analysis import WORDS
from clipper.core.views import IndexDocument

if TYPE_CHECKING:
    from clipper.core.archive import Archive
    from clipper.core.search.index import SearchIndex

log = logging.getLogger(__name__)

ONE_ADD_SIZE = 20_000
ONE_ADD_TRIALS = 20
SAMPLE_SIZE = 2_000
BULK_CHUNK = 500
PAGE = 20
KINDS = ("term", "AND", "phrase", "field filter", "date range", "prefix", "fuzzy")


@dataclass
class Timings:
    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    clipper: str
    fts: str | None  # None: FTS5 has no equivalent
    date_range: tuple[str, str] | None = None


class Report:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def row(self, label: str, clipper: str, fts: str = "", ratio: str = "") -> None:
        self.line(f"{label:<54} {clipper:>20} {fts:>16} {ratio:>9}")


def run_bench(
    location: ArchiveLocation,
    size: int,
    seed: int = 7,
    queries: int = 200,
    stream: TextIO | None = None,
    startup_runs: int = 3,
) -> int:
    """Run the benchmark (see the module notes); returns the command's exit code."""
    from clipper.core.archive import Archive

    report = Report(stream or sys.stdout)
    if size < 10:
        report.line("clipper bench: --size must be at least 10")
        return 2
    archive = Archive(location)
    try:
        stored: StoredCorpus | None = None
        if archive.count(None) or archive.last_seq():
            stored = read_mark(location.home)
            why = why_not_reusable(stored, size, seed, archive.count(None))
            if why is not None:
                report.line(
                    f"clipper bench: the archive at {location.home} is not this bench's corpus "
                    f"({why}); give --archive a new folder, or the folder of an earlier "
                    f"`clipper bench --size {size} --seed {seed}` to reuse its articles"
                )
                return 2
        _run(archive, size, seed, queries, report, stored)
    finally:
        archive.close()
    if startup_runs:
        _report_startup(location, startup_runs, report)
    report.line(f"load average at the end: {_load()}")
    return 0


def _run(
    archive: Archive,
    size: int,
    seed: int,
    queries: int,
    report: Report,
    stored: StoredCorpus | None,
) -> None:
    corpus = NewsCorpus(seed)
    home = archive.location.home
    report.line(
        f"clipper bench: {size} synthetic articles (seed {seed}), {queries} queries per kind, "
        f"{os.cpu_count()} cores, load {_load()}"
    )
    if stored is not None:
        report.line(
            f"reusing the corpus built in {home} on {stored.built_at} (import figures from then)"
        )
    report.line()

    # 1-2. The archive and its index: built (the first part, its index, one clipping at a
    # time at that size, then the rest caught up as a batch), or reused as they are.
    index_rate: float | None = None
    built_on_open: float | None = None
    if stored is None:
        first_part = min(size, ONE_ADD_SIZE)
        import_time = _import(archive, corpus, 0, first_part)
        started = time.perf_counter()
        index = archive.open_index()
        build_time = time.perf_counter() - started
        one_add_at = first_part
        one_add = _one_add(archive, index, corpus, size)
        if size > first_part:
            import_time += _import(archive, corpus, first_part, size - first_part)
        # Marked as soon as the articles are in: a run stopped later leaves them reusable.
        stored = new_mark(size, seed, size / import_time)
        write_mark(home, stored)
        started = time.perf_counter()
        index.catch_up()
        index_rate = size / (build_time + time.perf_counter() - started)
    else:
        # A reused corpus whose index is missing (or outdated) is built by this opening: the
        # same full build, beside the folder then swapped in, as a rebuild; timed as one.
        must_build = archive.pending_index_work().rebuild
        started = time.perf_counter()
        index = archive.open_index()
        if must_build:
            built_on_open = time.perf_counter() - started
        one_add_at = size
        one_add = _one_add(archive, index, corpus, size)

    # 3. Searches.
    query_mix = make_queries(corpus, archive, queries, seed)
    for query in query_mix[:: max(1, len(query_mix) // 20)]:
        index.search(query.clipper, page_size=PAGE)  # warm the per-segment caches
    clipper_times = {kind: Timings() for kind in KINDS}
    for query in query_mix:
        started = time.perf_counter()
        index.search(query.clipper, page_size=PAGE)
        clipper_times[query.kind].add(time.perf_counter() - started)
    more_like = Timings()
    rng = random.Random(seed + 3)
    live = archive.live_ids()
    for _ in range(min(queries, 100)):
        cid = rng.choice(live)
        started = time.perf_counter()
        index.more_like(cid)
        more_like.add(time.perf_counter() - started)

    # 4. FTS5 on the same texts and queries, its database kept beside the archive.
    fts_path = home / FTS_NAME
    if stored.fts_rate is None or not fts_path.is_file():
        fts_path.unlink(missing_ok=True)
        stored = stored.with_fts_rate(size / _fts5_build(archive, fts_path))
        write_mark(home, stored)
    fts_rate = stored.fts_rate or float("nan")
    fts_times = _fts5_search(fts_path, query_mix)

    # 5. Indexing rates on one sample: plain Whoosh, this index in one process.
    sample = _sample_documents(archive, min(SAMPLE_SIZE, size))
    plain_rate = len(sample) / _plain_whoosh(sample)
    builder_rate = len(sample) / _single_process_builder(sample)

    # 6. Open, rebuild, sizes, memory.
    index.close()
    opens = Timings()
    for _ in range(5):
        started = time.perf_counter()
        reopened = archive.open_index()
        reopened.search("security", page_size=PAGE)
        opens.add(time.perf_counter() - started)
        reopened.close()
    reopened = archive.open_index()
    if built_on_open is None:
        started = time.perf_counter()
        reopened.rebuild()
        rebuild_time = time.perf_counter() - started
        rebuilt_when = "full rebuild, s"
    else:
        rebuild_time = built_on_open
        rebuilt_when = "full rebuild (built on opening this run), s"
    segments = reopened.segment_count()
    reopened.close()
    if index_rate is None:
        index_rate = size / rebuild_time  # a reused index: the rebuild is the same build

    bulk = _bulk_rates(len(sample))

    report.row("", "clipper (Whoosh)", "SQLite FTS5", "ours/FTS5")
    report.row("archive import (add_many, 500 a call), articles/s", f"{stored.import_rate:,.0f}")
    report.row(
        f"writes of {len(sample)}: add; add in batches; add_many, /s",
        "; ".join(f"{bulk[mode]:,.0f}" for mode in ("one_by_one", "batch_500", "add_many_500")),
    )
    report.row(
        "index build (workers for big batches), articles/s",
        f"{index_rate:,.0f}",
        f"{fts_rate:,.0f}",
        f"{index_rate / fts_rate:.2f}x",
    )
    report.row(
        "import + index, articles/s",
        f"{1 / (1 / stored.import_rate + 1 / index_rate):,.0f}",
    )
    report.row(
        f"indexing, one process, {len(sample)} articles, articles/s",
        f"{builder_rate:,.0f}",
    )
    report.row(
        f"plain single-writer Whoosh, same {len(sample)}, articles/s",
        f"{plain_rate:,.0f}",
    )
    report.row(
        "  ours vs plain Whoosh (build; one process)",
        f"{index_rate / plain_rate:.1f}x; {builder_rate / plain_rate:.1f}x",
    )
    report.row(f"add one clipping until found, at {one_add_at:,}, p50/p95", _ms(one_add[0]))
    report.row("  the folds in idle time between two adds, p50/p95", _ms(one_add[1]))
    report.line()
    report.row("search, first page of 20 with highlights", "p50 / p95 ms", "p50 / p95 ms", "p95")
    for kind in KINDS:
        ours = clipper_times[kind]
        theirs = fts_times.get(kind)
        if theirs is None or not theirs.samples:
            report.row(f"  {kind}", _ms(ours), "n/a")
            continue
        report.row(f"  {kind}", _ms(ours), _ms(theirs), f"{theirs.p95 / ours.p95:.2f}x")
    every_ours = Timings([s for t in clipper_times.values() for s in t.samples])
    every_theirs = Timings([s for t in fts_times.values() for s in t.samples])
    report.row(
        "  all kinds",
        _ms(every_ours),
        _ms(every_theirs),
        f"{every_theirs.p95 / every_ours.p95:.2f}x",
    )
    report.row("more like this (10)", _ms(more_like), "n/a")
    report.line()
    report.row("index open (and first search), p50/p95", _ms(opens))
    report.row(f"{rebuilt_when} ({segments} segments after)", f"{rebuild_time:,.1f}")
    database = sqlite_bytes(archive.location.database_url)
    report.row(
        "index size; database size, MB",
        f"{folder_bytes(archive.location.index_dir) / 2**20:,.0f}; "
        + (f"{database / 2**20:,.0f}" if database is not None else "n/a (server)"),
        f"{fts_path.stat().st_size / 2**20:,.0f}",
    )
    own, children = peak_memory_mb()
    report.row("peak memory, MB (this process; a worker)", f"{own:,.0f}; {children:,.0f}")


def _report_startup(location: ArchiveLocation, runs: int, report: Report) -> None:
    """Startup to a usable window on the bench's archive, in a process of its own (Qt stays
    out of this one; the window needs the archive this process has closed)."""
    command = [
        sys.executable,
        "-m",
        "clipper.bench.gui",
        "--startup-of",
        str(location.home),
        "--runs",
        str(runs),
    ]
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=600, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        report.row("startup to a usable window, ms (peak MB)", f"n/a ({exc})")
        return
    figures = done.stdout.strip().splitlines()[-1:] if done.returncode == 0 else []
    if not figures:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        report.row("startup to a usable window, ms (peak MB)", f"n/a ({reason[:60]})")
        return
    report.row(f"startup to a usable window, median of {runs}, ms (peak MB)", figures[0])


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0, 0.0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _ms(timings: Timings) -> str:
    return f"{timings.p50 * 1000:,.1f} / {timings.p95 * 1000:,.1f}"


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _import(archive: Archive, corpus: NewsCorpus, first: int, count: int) -> float:
    """Store `count` articles from number `first` on as a JSON import stores its clippings
    (`Archive.add_many`, BULK_CHUNK a call); the seconds it took, making them included."""
    from clipper.core.store.clippings import NewClipping

    started = time.perf_counter()
    articles = corpus.articles(count, first=first)
    done = 0
    while done < count:
        chunk = [NewClipping(a.draft, a.tags) for a in itertools.islice(articles, BULK_CHUNK)]
        archive.add_many(chunk)
        done += len(chunk)
        if done % 20_000 < BULK_CHUNK:
            log.info("imported %d articles", first + done)
    return time.perf_counter() - started


def _bulk_rates(count: int) -> dict[str, float]:
    """clipper.bench.bulk's three ways of writing, side by side, each into a scratch archive."""
    from clipper.bench.bulk import measure_bulk_writes

    with tempfile.TemporaryDirectory(prefix="clipper-bulk-") as scratch:
        homes = iter(range(10))

        def location() -> ArchiveLocation:
            # Never the environment's database: these are scratch SQLite archives.
            return resolve_location(Path(scratch) / f"archive-{next(homes)}", environ={})

        return measure_bulk_writes(location, NewsCorpus(11), count)


def _one_add(
    archive: Archive, index: SearchIndex, corpus: NewsCorpus, size: int
) -> tuple[Timings, Timings]:
    """Add a clipping with a word nobody else uses, catch up, search until it is found; the
    clippings added go again at the end (trashed and purged), so the corpus stays as built.
    As in the window, small segments are folded in the idle time between two adds (timed on
    their own, the second figure), not by the catch-up."""
    timings, folds = Timings(), Timings()
    added: list[int] = []
    index.folds_when_idle = True
    try:
        for trial in range(ONE_ADD_TRIALS):
            article = corpus.article(size + 10_000 + trial)
            marker = f"zqmarker{trial}x"
            draft = article.draft
            draft.body = f"{draft.body}\n\n{marker}"
            started = time.perf_counter()
            added.append(archive.add(draft, article.tags).id)
            index.catch_up()
            results = index.search(marker)
            timings.add(time.perf_counter() - started)
            if results.total != 1:
                raise RuntimeError(f"the clipping just added was not found ({marker})")
            started = time.perf_counter()
            index.fold_small_segments()
            folds.add(time.perf_counter() - started)
    finally:
        index.folds_when_idle = False
    archive.trash(added)
    archive.purge(added)
    index.catch_up()
    return timings, folds


def make_queries(corpus: NewsCorpus, archive: Archive, count: int, seed: int) -> list[BenchQuery]:
    """`count` queries of each kind, with their FTS5 translations. Words are drawn uniformly
    from ranks 10-5,000 of the vocabulary: names, places and news words an editor types,
    from very common to rare."""
    rng = random.Random(seed + 1)
    pools = {lang: words[10:5000] for lang, (words, _weights) in corpus.vocabulary.items()}

    def word(min_length: int = 3) -> str:
        while True:
            found = rng.choice(pools[rng.choice(("fr", "en"))])
            if len(found) >= min_length and "'" not in found:
                return found

    live = archive.live_ids()
    made: list[BenchQuery] = []
    for _ in range(count):
        a, b = word(), word()
        made.append(BenchQuery("term", a, _fts_word(a)))
        made.append(BenchQuery("AND", f"{a} {b}", f"{_fts_word(a)} {_fts_word(b)}"))
        first, second = _adjacent_words(archive, rng.choice(live), rng)
        made.append(BenchQuery("phrase", f'"{first} {second}"', f'"{first} {second}"'))
        if rng.random() < 0.5:
            region = rng.choice(REGIONS)
            made.append(
                BenchQuery(
                    "field filter",
                    f'{a} region:"{region}"',
                    f'{_fts_word(a)} AND regions : "{_fts_text(region)}"',
                )
            )
        else:
            source = rng.choice(SOURCES)
            made.append(
                BenchQuery(
                    "field filter",
                    f'{a} source:"{source}"',
                    f'{_fts_word(a)} AND source : "{_fts_text(source)}"',
                )
            )
        start = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365 - 92))
        end = start + dt.timedelta(days=91)
        made.append(
            BenchQuery(
                "date range",
                f"{a} date:[{start.isoformat()} to {end.isoformat()}]",
                _fts_word(a),
                (start.isoformat(), end.isoformat()),
            )
        )
        stem = word(5)[:4]
        made.append(BenchQuery("prefix", f"{stem}*", f"{_fts_text(stem)}*"))
        typo = _typo(word(6), rng)
        made.append(BenchQuery("fuzzy", f"{typo}~", None))
    return made


def _fts_word(word: str) -> str:
    return f'"{_fts_text(word)}"'


def _fts_text(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourstln") + word[i + 1 :]


def _adjacent_words(archive: Archive, cid: int, rng: random.Random) -> tuple[str, str]:
    body = archive.index_documents([cid])[cid].body
    tokens = re.findall(r"\w+", body)
    i = rng.randrange(len(tokens) - 1)
    return tokens[i], tokens[i + 1]


def _documents(archive: Archive, ids: Sequence[int]) -> Iterator[IndexDocument]:
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found = archive.index_documents(chunk)
        for cid in chunk:
            if cid in found:
                yield found[cid]


def _fts5_build(archive: Archive, path: Path) -> float:
    """Index the archive's live clippings in a new FTS5 database; the seconds it took."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, standfirst, body, notes, tags, author, "
        "source, regions, tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, published TEXT)")
    ids = archive.live_ids()
    region_names: dict[int, str] = {}
    started = time.perf_counter()
    with connection:
        for doc in _documents(archive, ids):
            missing = [r for r in doc.region_ids if r not in region_names]
            if missing:
                region_names.update({t.id: t.name for t in archive.tag_names(missing).values()})
            connection.execute(
                "INSERT INTO fts (rowid, title, standfirst, body, notes, tags, author, source, "
                "regions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.id,
                    doc.title,
                    doc.standfirst,
                    doc.body,
                    "\n".join(doc.notes),
                    " ".join(doc.tag_names),
                    doc.author or "",
                    doc.source or "",
                    " | ".join(region_names[r] for r in doc.region_ids),
                ),
            )
            connection.execute(
                "INSERT INTO docs (id, published) VALUES (?, ?)",
                (doc.id, doc.published.isoformat() if doc.published else None),
            )
    index_time = time.perf_counter() - started
    connection.close()
    return index_time


def _fts5_search(path: Path, query_mix: list[BenchQuery]) -> dict[str, Timings]:
    """The query mix on an FTS5 database `_fts5_build` made, timed per kind."""
    connection = sqlite3.connect(path)
    timings = {kind: Timings() for kind in KINDS}
    search = (
        "SELECT fts.rowid, snippet(fts, 2, '«', '»', '…', 12), bm25(fts) FROM fts "
        "WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?"
    )
    count = "SELECT count(*) FROM fts WHERE fts MATCH ?"
    dated = (
        "SELECT fts.rowid, snippet(fts, 2, '«', '»', '…', 12), bm25(fts) FROM fts "
        "JOIN docs ON docs.id = fts.rowid WHERE fts MATCH ? AND docs.published BETWEEN ? AND ? "
        "ORDER BY bm25(fts) LIMIT ?"
    )
    dated_count = (
        "SELECT count(*) FROM fts JOIN docs ON docs.id = fts.rowid "
        "WHERE fts MATCH ? AND docs.published BETWEEN ? AND ?"
    )
    for query in query_mix[:: max(1, len(query_mix) // 20)]:
        if query.fts is not None and query.date_range is None:
            connection.execute(search, (query.fts, PAGE)).fetchall()
    for query in query_mix:
        if query.fts is None:
            continue
        started = time.perf_counter()
        if query.date_range is None:
            connection.execute(search, (query.fts, PAGE)).fetchall()
            connection.execute(count, (query.fts,)).fetchone()
        else:
            first, last = query.date_range
            connection.execute(dated, (query.fts, first, last, PAGE)).fetchall()
            connection.execute(dated_count, (query.fts, first, last)).fetchone()
        timings[query.kind].add(time.perf_counter() - started)
    connection.close()
    return {kind: t for kind, t in timings.items() if t.samples}


def _sample_documents(archive: Archive, count: int) -> list[IndexDocument]:
    return list(_documents(archive, archive.live_ids()[:count]))


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _plain_whoosh(documents: list[IndexDocument]) -> float:
    """Seconds for stock Whoosh to index the documents: StemmingAnalyzer text fields, a
    default (compound, single-process) writer, one commit: what a first version would do."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer()),
        content=fields.TEXT(analyzer=StemmingAnalyzer()),
        author=fields.TEXT(),
        source=fields.ID(),
        date=fields.DATETIME(),
        topic=fields.KEYWORD(commas=True),
        region=fields.KEYWORD(commas=True),
        lang=fields.ID(),
    )
    folder = tempfile.mkdtemp(prefix="clipper-plain-whoosh-")
    try:
        ix = index.create_in(folder, schema)

        def build() -> None:
            writer = ix.writer()
            for doc in documents:
                writer.add_document(
                    id=str(doc.id),
                    title=doc.title,
                    content="\n".join([doc.title, doc.standfirst, doc.body, *doc.notes]),
                    author=doc.author or "",
                    source=doc.source or "",
                    date=dt.datetime.combine(doc.published or dt.date(2000, 1, 1), dt.time()),
                    topic=",".join(str(t) for t in doc.topic_ids),
                    region=",".join(str(r) for r in doc.region_ids),
                    lang=doc.language or "",
                )
            writer.commit()

        return _timed(build)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _single_process_builder(documents: list[IndexDocument]) -> float:
    """Seconds for this index's own builder to index the documents in this process."""
    from whoosh import index

    from clipper.core.search.codec import ClipperCodec
    from clipper.core.search.schema import build_schema
    from clipper.core.search.segments import SegmentBuilder

    folder = tempfile.mkdtemp(prefix="clipper-builder-")
    try:
        ix = index.create_in(folder, build_schema())
        WORDS.clear()  # start cold, as a new process does

        def build() -> None:
            builder = SegmentBuilder(ix.storage, ix.indexname, ix.schema, ClipperCodec())
            for doc in documents:
                builder.add_document(doc)
            builder.finish()

        return _timed(build)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
