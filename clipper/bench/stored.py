"""An archive holding the bench corpus, kept between `clipper bench` runs, and what it weighs.

Building the corpus through `Archive.add` takes minutes at 20,000 articles and well over an
hour at 200,000, while what a run is for (searches, the index, its rebuild, startup) needs the
articles, not their import again. The first run into an empty folder imports them and then
writes `bench-corpus.json` there: size, seed, the corpus generator's version and the import
rate it measured. A later run given the same folder, size and seed finds the mark, checks it
against the archive, and reuses the articles, quoting the import rate of the build. SQLite
FTS5's side is kept beside it the same way (`bench-fts5.sqlite3`, its build rate in the mark).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

MARK_NAME = "bench-corpus.json"
FTS_NAME = "bench-fts5.sqlite3"
# The output of clipper.bench.corpus.NewsCorpus. Bump it when the generator or its word lists
# change, so that an archive of the old corpus is never measured as the new one.
CORPUS_VERSION = 1


@dataclass(frozen=True)
class StoredCorpus:
    """What `bench-corpus.json` says of the archive beside it."""

    size: int
    seed: int
    version: int
    import_rate: float  # articles/s through Archive.add when it was built
    built_at: str
    fts_rate: float | None = None  # articles/s into FTS5 when its side was built

    def with_fts_rate(self, rate: float) -> StoredCorpus:
        return replace(self, fts_rate=rate)


def read_mark(home: Path) -> StoredCorpus | None:
    """The mark in an archive folder, or None when there is none or it cannot be read."""
    try:
        data = json.loads((home / MARK_NAME).read_text(encoding="utf-8"))
        return StoredCorpus(
            size=int(data["size"]),
            seed=int(data["seed"]),
            version=int(data["version"]),
            import_rate=float(data["import_rate"]),
            built_at=str(data["built_at"]),
            fts_rate=float(data["fts_rate"]) if data.get("fts_rate") else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_mark(home: Path, mark: StoredCorpus) -> None:
    """Write the mark beside the archive (through a temporary file: a run killed while
    writing leaves the old mark or none, never half of one)."""
    target = home / MARK_NAME
    scratch = target.with_suffix(".tmp")
    scratch.write_text(json.dumps(asdict(mark), indent=2) + "\n", encoding="utf-8")
    os.replace(scratch, target)


def new_mark(size: int, seed: int, import_rate: float) -> StoredCorpus:
    built = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return StoredCorpus(size, seed, CORPUS_VERSION, import_rate, built)


def why_not_reusable(mark: StoredCorpus | None, size: int, seed: int, count: int) -> str | None:
    """None when an archive of `count` live clippings with this mark is the corpus asked
    for; else, in a few words, why it is not."""
    if mark is None:
        return "it holds clippings and no bench-corpus.json"
    if mark.version != CORPUS_VERSION:
        return f"its corpus is of an older generator (version {mark.version})"
    if (mark.size, mark.seed) != (size, seed):
        return f"it holds the corpus of --size {mark.size} --seed {mark.seed}"
    if count != size:
        return f"it holds {count:,} clippings where its mark says {size:,}"
    return None


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under a folder (0 when it does not exist)."""
    total = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue  # a segment merged away while we walked
    return total


def sqlite_bytes(database_url: str) -> int | None:
    """The size of a SQLite archive's database with its write-ahead log; None for a server."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        return None
    path = Path(database_url[len(prefix) :])
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.is_file())
