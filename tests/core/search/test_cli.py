"""`clipper search`, `reindex` and `check` on the search index, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.helpers.archives import fill_newsroom


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    with Archive(resolve_location(folder)) as archive:
        fill_newsroom(archive)
    return folder


def test_search_prints_hits_with_marked_snippets(home: Path, capsys) -> None:
    assert main(["--archive", str(home), "search", "Goita"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 clipping(s)\n")
    assert "#2" in out and "2023-11-14" in out and "RFI" in out
    assert "«Goïta»" in out


def test_search_json_has_the_documented_shape(home: Path, capsys) -> None:
    assert main(["--archive", str(home), "search", "elections", "--json", "--limit", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"total", "hits", "facets", "suggestion"}
    assert data["total"] == 2 and len(data["hits"]) == 1
    assert set(data["hits"][0]) == {"id", "title", "source", "published", "score", "snippet"}
    assert set(data["facets"]) == {"topic", "region", "source", "month", "language"}


def test_search_suggests_a_correction(home: Path, capsys) -> None:
    assert main(["--archive", str(home), "search", "mercenries"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("0 clipping(s)")
    assert "did you mean: mercenaries" in out


def test_a_malformed_query_exits_2_with_the_reason(home: Path, capsys) -> None:
    assert main(["--archive", str(home), "search", '"armée malienne']) == 2
    captured = capsys.readouterr()
    assert "never closed" in captured.err
    assert captured.out == ""


def test_check_passes_then_finds_drift_and_reindex_repairs_it(home: Path, capsys) -> None:
    assert main(["--archive", str(home), "check"]) == 0
    assert "archive and index agree" in capsys.readouterr().out
    writer = whoosh_index.open_dir(str(home / "index")).writer()
    writer.delete_by_term("id", "3")
    writer.commit(merge=False)
    assert main(["--archive", str(home), "check"]) == 1
    assert "clipping 3 is live in the archive but missing from the index" in (
        capsys.readouterr().out
    )
    assert main(["--archive", str(home), "reindex"]) == 0
    assert "indexed 8 clipping(s)" in capsys.readouterr().out
    assert main(["--archive", str(home), "check"]) == 0


@pytest.mark.parametrize(
    ("argv", "left_out"),
    [
        (["search", "-mali"], "Gold rush in the north of Mali"),
        (["search", "niger", "-uranium"], "Uranium exports"),
        (["search", "niger -uranium"], "Uranium exports"),
        (["search", "-uranium", "niger", "--limit", "5"], "Uranium exports"),
        (["search", "--json", "-uranium", "--lim=5"], "Uranium exports"),
        (["search", "--", "-uranium"], "Uranium exports"),
    ],
)
def test_a_leading_minus_is_part_of_the_query(
    home: Path, argv: list[str], left_out: str, capsys
) -> None:
    """Issue 11, item 12: `clipper search -mali` was refused as an unknown option."""
    assert main(["--archive", str(home), *argv]) == 0
    out = capsys.readouterr().out
    assert left_out not in out
    if "niger" in " ".join(argv):
        assert "Niger junta receives" in out
    else:
        assert out.startswith(("6 clipping(s)", "7 clipping(s)", '{"total": 7'))


def test_an_unknown_long_option_is_still_refused(home: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--archive", str(home), "search", "niger", "--limt", "5"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --limt" in capsys.readouterr().err
