"""The search items of "Hardening" (issue 10): hostile queries, damaged or odd index files,
a killed rebuild. Each goes through the `clipper` command where an editor would meet it."""

from __future__ import annotations

import json
import logging
import random
import shutil
from pathlib import Path

import pytest

from clipper.bench.corpus import NewsCorpus
from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from clipper.core.search.state import STATE_FILENAME
from tests.helpers.archives import add


def run(home: Path, *args: str) -> int:
    return main(["--archive", str(home), *args])


# -- 10, 14: hostile queries get one line and exit 2 ----------------------------------------


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("(" * 250 + "niger" + ")" * 250, "nests parentheses more than 32 deep"),
        ("title:" + "(" * 40 + "niger" + ")" * 40, "nests parentheses"),
        ("date:0000", "there is no year 0"),
        ("date:[0000-01 to 2023]", "there is no year 0"),
        ('"niger mali"~99999999', "50 words apart at most"),
    ],
)
def test_hostile_queries_exit_2_with_one_line(
    archive: Archive, query: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add(archive, "Niger", "Niger and Mali.")
    archive.close()
    assert run(archive.location.home, "search", query) == 2
    err = capsys.readouterr().err
    assert hint in err and err.count("\n") == 1


def test_long_not_chains_are_answered(archive: Archive, capsys: pytest.CaptureFixture[str]) -> None:
    wanted = add(archive, "Niger", "Niger and Mali.")
    add(archive, "Other", "Nothing here.")
    archive.close()
    home = archive.location.home
    assert run(home, "search", "NOT " * 2000 + "niger") == 0  # an even number: niger
    assert capsys.readouterr().out.startswith("1 clipping(s)")
    assert run(home, "search", "NOT " * 2001 + "niger") == 0
    assert capsys.readouterr().out.startswith("1 clipping(s)")
    chain = "niger " + " ".join(f"-w{n}" for n in range(3000))
    assert run(home, "search", "--json", chain) == 0
    assert f'"id": {wanted}' in capsys.readouterr().out


# -- 8: damage inside index files ------------------------------------------------------------


@pytest.fixture
def corpus_home(tmp_path: Path) -> Path:
    """An archive of 150 synthetic articles, its index built in this process."""
    home = tmp_path / "archive"
    with Archive(resolve_location(home)) as archive:
        archive.index.parallel = False
        for article in NewsCorpus(seed=21, tail_words=3000).articles(150):
            archive.add(article.draft, article.tags)
        archive.index.catch_up()
    return home


QUERIES = ["security", "sec*", "pre*", "con*", "ab*", "mali OR niger", '"de la"', "goita~"]


def totals(home: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The first line `clipper search` prints for each query (every one must answer)."""
    found = []
    for query in QUERIES:
        assert run(home, "search", query) == 0, query
        found.append(capsys.readouterr().out.splitlines()[0])
    return found


def damage(path: Path, at: float, seed: int = 8) -> None:
    """8 KB of noise at that fraction of the file."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start : start + 8192] = random.Random(seed).randbytes(min(8192, len(data) - start))
    path.write_bytes(bytes(data))


def biggest(home: Path, pattern: str) -> Path:
    return max((home / "index").glob(pattern), key=lambda p: p.stat().st_size)


@pytest.mark.slow
def test_damage_that_breaks_reading_rebuilds_the_index_and_answers(
    corpus_home: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Item 8: damage inside a term file made searches crash with whatever Whoosh raised."""
    before = totals(corpus_home, capsys)
    terms = biggest(corpus_home, "*.trm")
    for at in (0.1, 0.3, 0.5, 0.7):
        damage(terms, at)
    with caplog.at_level(logging.WARNING):
        assert totals(corpus_home, capsys) == before  # rebuilt on the way, then right
    assert "rebuilding it" in caplog.text
    assert run(corpus_home, "check") == 0


def test_check_reads_the_whole_index_and_sees_damage(
    corpus_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 8: damage that reading does not trip over gave wrong answers, and `check` said
    that all was well."""
    before = totals(corpus_home, capsys)
    postings = biggest(corpus_home, "*.pst")
    damage(postings, 0.5)
    assert run(corpus_home, "check") == 1
    out = capsys.readouterr().out
    assert f"the index file {postings.name} changed since it was written: it is damaged" in out
    assert run(corpus_home, "reindex") == 0
    assert run(corpus_home, "check") == 0
    capsys.readouterr()
    assert totals(corpus_home, capsys) == before


# -- 21, 22: a state file from the future, a file in the index's place, a killed rebuild ---


def test_a_state_file_claiming_a_future_change_is_rebuilt(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 21: the index waited for a change that never comes, and indexed nothing more."""
    add(archive, "Niger", "Niger and Mali.")
    archive.index.catch_up()
    state_file = archive.location.index_dir / STATE_FILENAME
    state = json.loads(state_file.read_text())
    state["seq"] = archive.last_seq() + 1000
    state_file.write_text(json.dumps(state))
    # While open, too: the next catch-up notices.
    add(archive, "Later", "A zqlater clipping.")
    assert archive.search("zqlater").total == 1
    state["seq"] = archive.last_seq() + 1000
    state_file.write_text(json.dumps(state))
    archive.close()
    home = archive.location.home
    with Archive(resolve_location(home)) as other:
        add(other, "Latest", "A zqlatest clipping.")
    assert run(home, "search", "zqlatest") == 0
    assert capsys.readouterr().out.startswith("1 clipping(s)")
    assert run(home, "check") == 0


@pytest.mark.parametrize("command", [["search", "niger"], ["check"], ["reindex"]])
def test_a_file_in_the_index_s_place_is_replaced_by_an_index(
    archive: Archive, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 21: an index path that is a file broke every command."""
    add(archive, "Niger", "Niger and Mali.")
    archive.index.catch_up()
    archive.close()
    index_dir = archive.location.index_dir
    shutil.rmtree(index_dir)
    index_dir.write_text("not an index")
    assert run(archive.location.home, *command) == 0
    assert index_dir.is_dir()
    assert run(archive.location.home, "search", "niger") == 0
    assert "1 clipping(s)" in capsys.readouterr().out


def test_a_half_built_index_is_cleaned_up_on_open(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 22: a killed reindex left its half-built folder (as big as an index) for good."""
    add(archive, "Niger", "Niger and Mali.")
    archive.index.catch_up()
    archive.close()
    index_dir = archive.location.index_dir
    leftovers = [
        index_dir.parent / f".{index_dir.name}.building-dead1234",
        index_dir.parent / f".{index_dir.name}.old-dead5678",
    ]
    for folder in leftovers:
        folder.mkdir()
        (folder / "MAIN_x.pst").write_bytes(b"half an index" * 1000)
    assert run(archive.location.home, "search", "niger") == 0
    assert not any(folder.exists() for folder in leftovers)
    assert capsys.readouterr().out.startswith("1 clipping(s)")
