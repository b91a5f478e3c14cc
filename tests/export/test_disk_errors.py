"""`clipper export` onto a full disk, into a read-only folder or under a file: one line naming
the file and the reason, exit 1, no half-written file left, and the file it would have
replaced still whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.export.faults import fill_the_disk, make_read_only
from tests.helpers.samples import fill_sample

# (arguments, what the message names) for each format; FOLDER is the output folder.
FORMATS = {
    "json": (["--json", "FOLDER/out.json"], "FOLDER/out.json"),
    "csv": (["--csv", "FOLDER/out.csv"], "FOLDER/out.csv"),
    "markdown-file": (["--markdown", "FOLDER/out.md", "--one-file"], "FOLDER/out.md"),
    "markdown-folder": (["--markdown", "FOLDER/md"], "FOLDER/md"),
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    with Archive(resolve_location(tmp_path / "archive")) as archive:
        fill_sample(archive)
    return tmp_path / "archive"


def _args(kind: str, folder: Path) -> tuple[list[str], str]:
    args, named = FORMATS[kind]
    return [a.replace("FOLDER", str(folder)) for a in args], named.replace("FOLDER", str(folder))


def _everything(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("kind", list(FORMATS))
def test_an_export_onto_a_full_disk_is_one_line_and_keeps_the_last_file(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    folder = tmp_path / "out"
    args, named = _args(kind, folder)
    assert main(["--archive", str(home), "export", *args]) == 0
    before = _everything(folder)
    capsys.readouterr()
    fill_the_disk(monkeypatch, folder)
    assert main(["--archive", str(home), "export", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("clipper: cannot write ")
    assert err.endswith(": No space left on device\n") and len(err.splitlines()) == 1
    assert named in err
    monkeypatch.undo()
    assert _everything(folder) == before


@pytest.mark.parametrize("kind", list(FORMATS))
def test_an_export_into_a_read_only_folder_is_one_line(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    args, named = _args(kind, folder)
    make_read_only(monkeypatch, folder)
    assert main(["--archive", str(home), "export", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith(": Permission denied\n") and len(err.splitlines()) == 1
    assert err.startswith(("clipper: cannot write ", "clipper: cannot create the folder "))
    assert named in err
    monkeypatch.undo()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", [*FORMATS, "pdf"])
def test_an_export_under_a_file_is_one_line(
    qapp: object, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    blocking = tmp_path / "notes.txt"
    blocking.write_text("a file where a folder would go", encoding="utf-8")
    if kind == "pdf":
        args = ["--pdf", str(blocking / "sub" / "book.pdf"), "--ids", "1"]
    else:
        args = _args(kind, blocking / "sub")[0]
    assert main(["--archive", str(home), "export", *args]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("clipper: cannot create the folder ")
    assert err.endswith(f": {blocking} is a file\n")
    assert blocking.read_text(encoding="utf-8") == "a file where a folder would go"
