"""The command line a user types: clipper export / backup / restore, and clipper import of a
Clipper JSON export, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.helpers.samples import Sample, fill_sample, snapshot


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    home = tmp_path / "archive"
    with Archive(resolve_location(home)) as archive:
        fill_sample(archive)
    return home


def _run(home: Path, *args: str) -> int:
    return main(["--archive", str(home), *args])


def test_export_a_dossier_as_a_pdf_book(
    qapp: object, filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "out" / "dossier.pdf"
    code = _run(
        filled, "export", "--pdf", str(book), "--dossier", "Russia in the Sahel",
        "--group-by", "region", "--paper", "letter",
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert f"wrote {book}: 4 clipping(s)" in out
    reader = PdfReader(book)
    assert reader.metadata is not None and reader.metadata.title == "Russia in the Sahel"
    assert round(float(reader.pages[0].mediabox.width)) == 612
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Russian delegations in Bamako" in cover  # the dossier's description
    assert f"page 2 of {len(reader.pages)}" in " ".join(reader.pages[1].extract_text().split())


def test_export_ids_in_the_order_given_with_a_title(
    qapp: object, filled: Path, tmp_path: Path
) -> None:
    book = tmp_path / "two.pdf"
    assert _run(filled, "export", "--pdf", str(book), "--ids", "3,1", "--title", "Two") == 0
    text = " ".join(PdfReader(book).pages[1].extract_text().split())
    assert text.index("Россия") < text.index("Goïta")


def test_export_a_search_result(qapp: object, filled: Path, tmp_path: Path) -> None:
    with Archive(resolve_location(filled)) as archive:
        archive.index.catch_up()
    book = tmp_path / "hits.pdf"
    assert _run(filled, "export", "--pdf", str(book), "--query", "Goïta") == 0
    assert "Clippings: Goïta" in " ".join(PdfReader(book).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pdf", "x.pdf", "--dossier", "No such dossier"], "no dossier called"),
        (["--pdf", "x.pdf", "--ids", "1,999"], "no clipping with id 999"),
        (["--pdf", "x.pdf", "--ids", "one,two"], "is not a clipping id"),
        (["--pdf", "x.pdf"], "needs --query, --ids or --dossier"),
        (["--dossier", "Russia in the Sahel"], "say what to write"),
    ],
)
def test_bad_usage_exits_2_with_a_message(
    filled: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    args = [str(tmp_path / a) if a.endswith(".pdf") else a for a in args]
    assert _run(filled, "export", *args) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.glob("*.pdf")) == []


def test_json_export_then_clipper_import_recreates_the_archive(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    assert _run(filled, "export", "--json", str(export)) == 0
    copy_home = tmp_path / "copy"
    # Recognised by content, whatever the file is called, and mixed with an ordinary file.
    renamed = tmp_path / "from-the-desk.txt"
    renamed.write_bytes(export.read_bytes())
    plain = tmp_path / "plain.txt"
    plain.write_text("A headline\n\nAn ordinary clipping pasted from an e-mail.", encoding="utf-8")
    capsys.readouterr()
    assert _run(copy_home, "import", str(renamed), str(plain)) == 0
    out = capsys.readouterr().out
    assert "(Clipper export): 5 clipping(s) created" in out
    assert "imported" in out.splitlines()[-1] and "plain.txt" in out.splitlines()[-1]
    with (
        Archive(resolve_location(filled)) as original,
        Archive(resolve_location(copy_home)) as copy,
    ):
        recreated, expected = snapshot(copy), snapshot(original)
        extra = set(recreated["clippings"]) - set(expected["clippings"])
        [ordinary] = extra
        assert "An ordinary clipping pasted" in recreated["clippings"][ordinary]["body"]
        del recreated["clippings"][ordinary]
        assert recreated["clippings"] == expected["clippings"]
        assert recreated["dossiers"] == expected["dossiers"]


def test_import_tags_given_on_the_command_line_go_to_every_clipping_of_an_export(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    assert _run(filled, "export", "--json", str(export)) == 0
    copy_home = tmp_path / "copy"
    capsys.readouterr()
    code = _run(copy_home, "import", "--json", str(export), "--tag", "topic:From the Dakar desk")
    assert code == 0
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["ok"] is True and len(line["ids"]) == 5
    with Archive(resolve_location(copy_home)) as copy:
        for cid in line["ids"]:
            assert "From the Dakar desk" in {t.name for t in copy.get(cid).tags}


def test_importing_a_damaged_export_reports_and_exits_1(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "export.json"
    bad.write_text(
        json.dumps({"format": "clipper-export", "schema_version": 99, "clippings": []}),
        encoding="utf-8",
    )
    with Archive(resolve_location(filled)) as archive:
        before = snapshot(archive)
    assert _run(filled, "import", "--json", str(bad)) == 1
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["ok"] is False and "schema 99" in line["error"]
    with Archive(resolve_location(filled)) as archive:
        assert snapshot(archive) == before


def test_markdown_and_csv_from_the_command_line(filled: Path, tmp_path: Path) -> None:
    assert _run(filled, "export", "--markdown", str(tmp_path / "md"), "--ids", "1,2") == 0
    assert sorted(p.name for p in (tmp_path / "md").iterdir())[-1] == "index.md"
    assert len(list((tmp_path / "md").glob("*.md"))) == 3
    book = tmp_path / "book.md"
    assert _run(filled, "export", "--markdown", str(book), "--one-file", "--ids", "1,2") == 0
    assert book.read_text(encoding="utf-8").startswith("# 2 clippings\n")
    assert _run(filled, "export", "--csv", str(tmp_path / "all.csv")) == 0
    lines = (tmp_path / "all.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 5


def test_backup_and_restore_from_the_command_line(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = sample.archive.location.home
    backup = tmp_path / "backup.zip"
    assert _run(home, "backup", str(backup)) == 0
    assert "5 clipping(s), 1 original(s)" in capsys.readouterr().out
    target = tmp_path / "restored"
    assert main(["restore", str(backup), str(target)]) == 0
    assert f"clipper --archive {target}" in capsys.readouterr().out
    # A second restore into the same folder would destroy it: refused unless asked.
    assert main(["restore", str(backup), str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["restore", "--force", str(backup), str(target)]) == 0
    with Archive(resolve_location(target)) as copy:
        assert snapshot(copy) == snapshot(sample.archive)
    assert main(["restore", str(tmp_path / "missing.zip"), str(tmp_path / "x")]) == 1


def test_a_topic_rule_from_an_imported_export_stays_off_until_an_editor_turns_it_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A colleague's export can carry topic rules; they run on every later import, so they
    arrive switched off."""
    colleague, desk = tmp_path / "colleague", tmp_path / "desk"
    with Archive(resolve_location(colleague)) as archive:
        fill_sample(archive)
        topic = archive.create_tag("topic", "Russia in Africa").value
        archive.set_topic_rule(topic.id, "all", "Russian delegation")
    export = tmp_path / "colleague.json"
    assert _run(colleague, "export", "--json", str(export)) == 0
    # The file says the rule was on where it was made; that does not turn it on here.
    [entry] = [
        t
        for t in json.loads(export.read_text(encoding="utf-8"))["tags"]
        if t["name"] == "Russia in Africa"
    ]
    assert (entry["match_mode"], entry["match_enabled"]) == ("all", True)
    capsys.readouterr()
    assert _run(desk, "import", str(export)) == 0
    assert (
        capsys.readouterr()
        .out.rstrip()
        .endswith("1 topic rule(s) kept off until an editor turns them on")
    )
    story = tmp_path / "story.txt"
    story.write_text(
        "A Russian delegation in Niamey\n\nA Russian delegation landed in Niamey on Monday "
        "to discuss a defence agreement with the junta.\n",
        encoding="utf-8",
    )

    def suggested() -> list[str]:
        capsys.readouterr()
        assert _run(desk, "import", "--dry-run", "--json", str(story)) == 0
        item = json.loads(capsys.readouterr().out)
        return [t["name"] for t in item["topics"]]

    with Archive(resolve_location(desk)) as archive:
        [node] = [n for n in archive.tag_tree("topic") if n.name == "Russia in Africa"]
        assert (node.match_mode, node.match_pattern, node.match_enabled) == (
            "all",
            "Russian delegation",
            False,
        )
    assert "Russia in Africa" not in suggested()
    with Archive(resolve_location(desk)) as archive:
        archive.enable_topic_rule(node.id)
    assert "Russia in Africa" in suggested()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--markdown", ""], "--markdown needs a file name"),
        (["export", "--csv", "out.csv", "--json", " "], "--json needs a file name"),
        (["backup", ""], "give the backup a file name (FILE is empty)"),
        (["restore", "backup.zip", ""], "give the folder to restore into (DIR is empty)"),
    ],
)
def test_an_empty_file_or_folder_name_is_refused_not_taken_for_here(
    filled: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert _run(filled, "backup", str(here / "backup.zip")) == 0
    capsys.readouterr()
    assert _run(filled, *args) == 2
    assert capsys.readouterr() == ("", f"clipper: {message}\n")
    assert sorted(p.name for p in here.iterdir()) == ["backup.zip"]
