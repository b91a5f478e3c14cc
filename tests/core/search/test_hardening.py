"""The search items of "Hardening" (issue 10): hostile queries, damaged or odd index files,
a killed rebuild. Each goes through the `clipper` command where an editor would meet it."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
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
