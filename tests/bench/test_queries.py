"""The query bench times every kind of the bench's mix, and more like this, on an archive
that holds a corpus, and says so plainly when there is nothing to search."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.bench.corpus import NewsCorpus
from clipper.bench.queries import main, measure_queries
from clipper.bench.search import KINDS
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from clipper.core.store.clippings import NewClipping


def test_every_kind_is_timed_on_the_stored_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "corpus"
    with Archive(resolve_location(home, environ={})) as archive:
        archive.add_many(NewClipping(a.draft, a.tags) for a in NewsCorpus(7).articles(40))
        times = measure_queries(archive, NewsCorpus(7), 3, 4, 7)
    assert [len(times[kind].samples) for kind in KINDS] == [3] * len(KINDS)
    assert len(times["all"].samples) == 3 * len(KINDS)
    assert len(times["more like this"].samples) == 4
    assert all(s >= 0 for t in times.values() for s in t.samples)
    assert main([str(home), "--queries", "2", "--similar", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("40 clippings, 2 queries a kind, process time p50 / p95 ms:")
    for label in (*KINDS, "all", "more like this", "peak memory"):
        assert f"  {label}" in out


def test_no_archive_or_an_empty_one_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing"
    assert main([str(missing)]) == 1
    assert capsys.readouterr().err.strip() == f"{missing}: no such archive folder"
    assert not missing.exists()
    empty = tmp_path / "empty"
    Archive(resolve_location(empty, environ={})).close()
    assert main([str(empty)]) == 1
    assert capsys.readouterr().err.strip() == f"{empty}: no clippings to search"
