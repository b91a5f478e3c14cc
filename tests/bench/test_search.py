"""`clipper bench` runs end to end on a small corpus, prints every row of its table, and reuses
its corpus on a second run of the same size and seed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from clipper.bench.search import KINDS
from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location


@pytest.mark.slow
def test_bench_prints_the_whole_table_and_reuses_its_corpus(tmp_path: Path, capsys) -> None:
    home = tmp_path / "bench"
    args = ["--archive", str(home), "bench", "--size", "30", "--queries", "2"]
    assert main([*args, "--startup-runs", "1"]) == 0
    out = capsys.readouterr().out
    for row in (
        "archive import",
        "writes of 30: add; add in batches; add_many",
        "index build",
        "plain single-writer Whoosh",
        "ours vs plain Whoosh",
        "add one clipping until found",
        "the folds in idle time between two adds",
        "more like this",
        "index open",
        "full rebuild",
        "index size; database size",
        "peak memory",
        *(f"  {kind} " for kind in KINDS),
    ):
        assert row in out, row
    assert "SQLite FTS5" in out
    assert "reusing" not in out
    # Startup was timed in a window of its own: a figure, not "n/a (why)".
    (startup,) = [line for line in out.splitlines() if "startup to a usable window" in line]
    assert re.search(r"\d+ \(\d+\)\s*$", startup), startup
    built = _live_ids(home)
    assert len(built) == 30  # the clippings "add one until found" added are gone again

    # A second run on the same folder reuses the articles, the FTS5 side and the index.
    assert main([*args, "--startup-runs", "0"]) == 0
    out = capsys.readouterr().out
    assert "reusing the corpus built in" in out
    assert "add one clipping until found, at 30," in out
    assert "startup to a usable window" not in out
    assert "full rebuild, s" in out
    assert _live_ids(home) == built

    # A reused corpus without its index builds it on opening, and that build is the rebuild.
    shutil.rmtree(home / "index")
    assert main([*args, "--startup-runs", "0"]) == 0
    out = capsys.readouterr().out
    assert "full rebuild (built on opening this run), s" in out
    assert _live_ids(home) == built

    # Another size, or an archive that is not a bench corpus, is refused in one line.
    assert main(["--archive", str(home), "bench", "--size", "40"]) == 2
    assert "it holds the corpus of --size 30 --seed 7" in capsys.readouterr().out
    (home / "bench-corpus.json").unlink()
    assert main([*args]) == 2
    assert "it holds clippings and no bench-corpus.json" in capsys.readouterr().out


def _live_ids(home: Path) -> list[int]:
    archive = Archive(resolve_location(home))
    try:
        return archive.live_ids()
    finally:
        archive.close()
