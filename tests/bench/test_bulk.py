"""The bulk-write benchmark runs its three ways into fresh archives and prints them."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.bench.bulk import MODES, main, measure_bulk_writes
from clipper.bench.corpus import NewsCorpus
from clipper.core.archive import Archive
from clipper.core.paths import ArchiveLocation, resolve_location


def test_each_way_stores_every_article_into_its_own_archive(tmp_path: Path) -> None:
    made: list[ArchiveLocation] = []

    def fresh() -> ArchiveLocation:
        made.append(resolve_location(tmp_path / f"a{len(made)}"))
        return made[-1]

    rates = measure_bulk_writes(fresh, NewsCorpus(7), 12)
    assert list(rates) == list(MODES) and all(rate > 0 for rate in rates.values())
    assert len(made) == 3
    for location in made:
        with Archive(location) as archive:
            assert archive.count() == 12


def test_the_command_prints_the_medians(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--count", "6", "--runs", "2"]) == 0
    out = capsys.readouterr().out
    assert "6 clippings per way, median of 2 run(s), load average" in out
    for mode in MODES:
        assert f"  {mode}" in out
