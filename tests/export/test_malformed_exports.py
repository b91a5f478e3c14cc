"""`clipper import` of a malformed or hostile Clipper JSON export: one clear line naming the file
and what is wrong in it, nothing of it stored, and the other inputs of the same command still
imported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.helpers.samples import all_ids, fill_sample

Damage = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A good export of the sample archive, as decoded JSON, to damage."""
    folder = tmp_path_factory.mktemp("exported")
    with Archive(resolve_location(folder / "archive")) as archive:
        fill_sample(archive)
    assert (
        main(["--archive", str(folder / "archive"), "export", "--json", str(folder / "e.json")])
        == 0
    )
    return json.loads((folder / "e.json").read_text(encoding="utf-8"))


def _first(data: dict[str, Any]) -> dict[str, Any]:
    clipping: dict[str, Any] = data["clippings"][0]
    return clipping


def _nested(depth: int) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    current = extra
    for _ in range(depth):
        current["deeper"] = {}
        current = current["deeper"]
    return extra


CASES: list[tuple[str, Damage, str]] = [
    (
        "a time before year 1 in UTC",
        lambda d: _first(d).update(imported_at="0001-01-01T00:00:00+05:00"),
        "clipping 1 (ref 1): '0001-01-01T00:00:00+05:00' is out of range",
    ),
    (
        "a time after year 9999 in UTC",
        lambda d: d["links"][0].update(created_at="9999-12-31T23:30:00-05:00"),
        "link 1: '9999-12-31T23:30:00-05:00' is out of range",
    ),
    (
        "a number for a time",
        lambda d: _first(d)["notes"][0].update(created_at=1701388800),
        "clipping 1 (ref 1): expected a time, got a number",
    ),
    (
        "a number for a date",
        lambda d: _first(d).update(published=20231204),
        "clipping 1 (ref 1): expected a date, got a number",
    ),
    (
        "a list where a dossier lists ids",
        lambda d: d["dossiers"][0].update(clippings=[[1], 2]),
        "dossier 1: 'clippings' must list clipping refs, not a list",
    ),
    (
        "an object where a dossier lists ids",
        lambda d: d["dossiers"][0].update(clippings=[{"ref": 1}]),
        "dossier 1: 'clippings' must list clipping refs, not an object",
    ),
    (
        "a list for a link's end",
        lambda d: d["links"][0].update(a=[1]),
        "link 1: 'a' must be a clipping ref, not a list",
    ),
    (
        "true for a ref",
        lambda d: _first(d).update(ref=True),
        "clipping 1: 'ref' must be a clipping ref, not true/false",
    ),
    (
        "lists for region names",
        lambda d: _first(d).update(regions=[["Mali", ["Sahel"]]]),
        "clipping 1 (ref 1): 'regions' must list text, not a list",
    ),
    (
        "objects for reference headlines",
        lambda d: _first(d).update(references=[{"headline": "x"}]),
        "clipping 1 (ref 1): 'references' must list text, not an object",
    ),
    (
        "a list for an original's file name",
        lambda d: _first(d)["original"].update(filename=["bamako.txt"]),
        "clipping 1 (ref 1): 'filename' has the wrong type (a list)",
    ),
    (
        "a number for a title",
        lambda d: _first(d).update(title=12),
        "clipping 1 (ref 1): 'title' has the wrong type (a number)",
    ),
    (
        "a string for the clipping list",
        lambda d: d.update(clippings="all of them"),
        "export: 'clippings' has the wrong type (text)",
    ),
    (
        "extra nested 900 deep",
        lambda d: _first(d).update(extra=_nested(900)),
        "clipping 1 (ref 1): 'extra': nested more than 100 levels deep",
    ),
    (
        "a note that is a string",
        lambda d: _first(d).update(notes=["just text"]),
        "clipping 1 (ref 1): a note is text, not an object",
    ),
    (
        "a tag that is a list",
        lambda d: d["tags"].insert(0, ["topic", "Security"]),
        "tag 1: expected an object, got a list",
    ),
]


def _import(home: Path, *inputs: Path) -> int:
    return main(["--archive", str(home), "import", *map(str, inputs)])


def _ordinary(tmp_path: Path) -> Path:
    other = tmp_path / "other.txt"
    other.write_text(
        "A headline from the wire\n\nAn ordinary clipping pasted from an e-mail, long enough.\n",
        encoding="utf-8",
    )
    return other


def _check_one_error_and_the_rest_imported(
    home: Path,
    bad: Path,
    other: Path,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _import(home, bad, other) == 1
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"error: {bad}: {expected}"]
    assert out.splitlines() == [f"imported {other} as #1"]
    with Archive(resolve_location(home)) as archive:
        assert all_ids(archive) == [1]
        assert archive.get(1).title == "A headline from the wire"
        assert archive.dossiers() == []


@pytest.mark.parametrize(("damage", "expected"), [(d, e) for _, d, e in CASES],
                         ids=[name for name, _, _ in CASES])  # fmt: skip
def test_a_malformed_export_fails_alone_with_one_line(
    exported: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: Damage,
    expected: str,
) -> None:
    data = json.loads(json.dumps(exported))
    # The first clipping is ref 1, with an original and a note.
    assert _first(data)["ref"] == 1 and _first(data)["original"] and _first(data)["notes"]
    damage(data)
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    _check_one_error_and_the_rest_imported(
        tmp_path / "desk", bad, _ordinary(tmp_path), expected, capsys
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"format": "clipper-export", "schema_version": 1, "tags": [], "clippings": ['
            + "[" * 100_000
            + "]" * 100_000
            + "]}",
            "not a Clipper export: its JSON is nested too deeply to read",
        ),
        (
            '{"format": "clipper-export", "schema_version": 1, "tags": [], "links": [],'
            ' "dossiers": [], "clippings": [{"ref": ' + "9" * 5000 + ', "title": "x"}]}',
            "not valid JSON here (a number in it is too long to read)",
        ),
        (
            '{"format": "clipper-export", "schema_version": 1, "tags": [], "links": [],'
            ' "dossiers": [], "clippings": [{"ref": 1, "title": "bad \\ud800 title",'
            ' "body": "A body."}]}',
            "clipping 1 (ref 1): text holds an unpaired surrogate (U+D800), not valid Unicode",
        ),
        (
            '{"format": "clipper-export", "schema_version": true, "tags": []}',
            "the export has no schema version",
        ),
    ],
    ids=["nested-100k-deep", "a-5000-digit-number", "an-unpaired-surrogate", "true-for-version"],
)
def test_an_unreadable_export_fails_alone_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    bad = tmp_path / "export.json"
    bad.write_text(text, encoding="utf-8")
    _check_one_error_and_the_rest_imported(
        tmp_path / "desk", bad, _ordinary(tmp_path), expected, capsys
    )


def test_a_good_export_beside_a_bad_one_imports(
    exported: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(exported), encoding="utf-8")
    damaged = json.loads(json.dumps(exported))
    damaged["dossiers"][0]["clippings"] = [[1]]
    bad.write_text(json.dumps(damaged), encoding="utf-8")
    home = tmp_path / "desk"
    assert main(["--archive", str(home), "import", "--json", str(bad), str(good)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["path"], line["ok"]) for line in lines] == [(str(bad), False), (str(good), True)]
    assert lines[0]["error"] == (
        f"{bad}: dossier 1: 'clippings' must list clipping refs, not a list"
    )
    assert lines[1]["created"] == 5
    with Archive(resolve_location(home)) as archive:
        assert len(all_ids(archive)) == 5


def test_an_unexpected_failure_is_still_one_line_and_the_batch_goes_on(
    exported: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever the reader's checks miss (here a bug planted in the archive's add) costs only
    that file: no traceback, nothing of it stored, the next input imported."""
    export = tmp_path / "export.json"
    export.write_text(json.dumps(exported), encoding="utf-8")
    real_add_many = Archive.add_many

    def add_many_that_breaks_on_the_third(self: Archive, items: Any) -> Any:
        # The import stores its clippings with add_many: two are stored, then the bug.
        real_add_many(self, list(items)[:2])
        raise TypeError("unsupported operand\nsecond line of detail")

    monkeypatch.setattr(Archive, "add_many", add_many_that_breaks_on_the_third)
    _check_one_error_and_the_rest_imported(
        tmp_path / "desk",
        export,
        _ordinary(tmp_path),
        "cannot import it, nothing was imported (TypeError: unsupported operand)",
        capsys,
    )


def test_an_extra_with_some_nesting_still_imports(
    exported: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(json.dumps(exported))
    _first(data)["extra"] = {"desk": "Africa", "history": _nested(10)}
    export = tmp_path / "export.json"
    export.write_text(json.dumps(data), encoding="utf-8")
    home = tmp_path / "desk"
    assert _import(home, export) == 0
    assert "5 clipping(s) created" in capsys.readouterr().out
    with Archive(resolve_location(home)) as archive:
        [bamako] = [cid for cid in all_ids(archive) if archive.get(cid).extra.get("desk")]
        assert archive.get(bamako).extra == {"desk": "Africa", "history": _nested(10)}
