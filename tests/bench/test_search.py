"""`clipper bench` runs end to end on a small corpus and prints every row of its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.bench.search import KINDS
from clipper.cli import main


@pytest.mark.slow
def test_bench_prints_the_whole_table(tmp_path: Path, capsys) -> None:
    home = tmp_path / "bench"
    assert main(["--archive", str(home), "bench", "--size", "30", "--queries", "2"]) == 0
    out = capsys.readouterr().out
    for row in (
        "archive import",
        "index build",
        "plain single-writer Whoosh",
        "ours vs plain Whoosh",
        "add one clipping until found",
        "more like this",
        "index open",
        "full rebuild",
        "peak memory",
        *(f"  {kind} " for kind in KINDS),
    ):
        assert row in out, row
    assert "SQLite FTS5" in out
    # The benchmark needs an empty archive: a second run on the same one is refused.
    assert main(["--archive", str(home), "bench", "--size", "30"]) == 2
    assert "not empty" in capsys.readouterr().out
