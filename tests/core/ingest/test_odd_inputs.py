"""Odd but honest inputs through `clipper import`: UTF-16 text without a byte-order mark (not
"binary"), malformed e-mails (their own message, not the HTML reader's), and file names whose
newlines, escape sequences or right-to-left overrides would garble the printed line."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from clipper.cli import main

STORY = (
    "Niamey — l’armée a déclaré dimanche que la coopération militaire avec la France était "
    "terminée.\n\nLe général Tiani a reçu mardi une délégation malienne à Niamey; Ωμέγα, Привет."
)
CJK = (
    "新华社北京电 国家主席会见了来访的尼日尔总理。\n\n"
    "双方就两国关系和共同关心的国际地区问题交换了意见。"
)


def _dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path, *paths: Path) -> list[dict]:
    main(
        ["--archive", str(tmp_path / "archive"), "import", "--dry-run", "--json", *map(str, paths)]
    )
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return [json.loads(line) for line in captured.out.splitlines()]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [STORY, CJK], ids=["latin", "cjk"])
def test_utf16_text_without_a_bom_is_read_not_called_binary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str, text: str
) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    (row,) = _dry_run(capsys, tmp_path, path)
    assert row["ok"] is True, row["error"]
    assert text.split("\n\n")[1] in row["body"]


@pytest.mark.parametrize(
    "encoded",
    [
        lambda html: b"\xff\xfe" + html.encode("utf-16-le"),
        lambda html: html.encode("utf-16-be"),
        # A page that does not start like one (a server's warning first): the name says
        # HTML and the markup further down agrees, in UTF-16 as in UTF-8.
        lambda html: ("Warning: session_start() failed in page.php\n" + html).encode("utf-16-le"),
    ],
    ids=["with-bom", "without-bom", "after-a-warning"],
)
def test_a_utf16_html_page_is_read_as_html_not_stored_as_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encoded: object
) -> None:
    # What "Save as Unicode" in an old Windows editor or browser writes.
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    html = f"<html><head><title>Niamey</title></head><body><article>{paragraphs}</article>"
    path = tmp_path / "page.html"
    assert callable(encoded)
    path.write_bytes(encoded(html + "</body></html>"))
    (row,) = _dry_run(capsys, tmp_path, path)
    assert row["ok"] is True, row["error"]
    assert "<p>" not in row["body"] and "<html>" not in row["body"]
    assert "Le général Tiani a reçu mardi" in row["body"]


def test_binary_data_is_still_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    noise = random.Random(3)
    paths = []
    for number in range(3):
        path = tmp_path / f"noise{number}.txt"
        path.write_bytes(noise.randbytes(6000))
        paths.append(path)
    # A table of little-endian integers: NULs in every other byte, as in UTF-16 text.
    table = tmp_path / "table.txt"
    table.write_bytes(b"".join(n.to_bytes(2, "little") for n in range(3000)))
    paths.append(table)
    rows = _dry_run(capsys, tmp_path, *paths)
    assert [row["error"] for row in rows] == [f"{p}: this is binary data, not text" for p in paths]


HEAD = b"From: Desk <desk@example.org>\nTo: d@example.org\nSubject: Niger\nMIME-Version: 1.0\n"
MALFORMED_MAIL = {
    "empty-html.eml": (
        HEAD + b"Content-Type: text/html\n\n",
        "the e-mail's HTML part is empty",
    ),
    "broken-base64.eml": (
        HEAD + b"Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n!!!!****\n",
        "the e-mail is damaged (its HTML part's encoding is broken)",
    ),
    "cut.eml": (
        HEAD
        + b"Content-Type: multipart/alternative; boundary=XX\n\n--XX\nContent-Type: text/html\n\n",
        "the e-mail is cut short (its HTML part is missing or empty)",
    ),
    "garbage-html.eml": (
        HEAD + b"Content-Type: text/html\n\n<!-- -->",
        "the e-mail's HTML part has no readable text",
    ),
    "no-boundary.eml": (
        HEAD + b"Content-Type: multipart/alternative\n\nsome words\n",
        "the e-mail is damaged (it has parts but no boundary between them)",
    ),
    "headers-only.eml": (HEAD, "the e-mail is empty (it has headers but no text)"),
}


@pytest.mark.parametrize("name", list(MALFORMED_MAIL))
def test_a_malformed_email_gets_its_own_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    data, reason = MALFORMED_MAIL[name]
    path = tmp_path / name
    path.write_bytes(data)
    (row,) = _dry_run(capsys, tmp_path, path)
    assert row["error"] == f"{path}: {reason}"
    assert "HTML page" not in row["error"]


@pytest.mark.parametrize(
    ("name", "printed"),
    [
        ("two\nlines.txt", "two\\nlines.txt"),
        ("report\u202etxt.exe", "report\\u202etxt.exe"),
        ("red\x1b[31m.txt", "red\\x1b[31m.txt"),
        (os.fsdecode(b"caf\xe9.txt"), "caf\\xe9.txt"),
    ],
    ids=["newline", "rtl-override", "terminal-escape", "undecodable-byte"],
)
def test_file_names_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, printed: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_text(STORY, encoding="utf-8")
    (folder / (name + ".empty")).write_bytes(b"")
    code = main(["--archive", str(tmp_path / "archive"), "import", str(folder)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines() == [f"imported {folder}/{printed} as #1"]
    assert captured.err.splitlines() == [f"error: {folder}/{printed}.empty: the file is empty"]
    # What is stored keeps the real name.
    main(["--archive", str(tmp_path / "archive"), "show", "1", "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert "Tiani" in shown["body"]


def test_a_name_too_long_for_the_system_costs_its_one_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    too_long = str(tmp_path / ("x" * 5000))
    for jobs in ("1", "2"):
        home = tmp_path / f"archive-{jobs}"
        code = main(["--archive", str(home), "import", "--jobs", jobs, too_long, str(story)])
        captured = capsys.readouterr()
        assert code == 1
        assert "Traceback" not in captured.err
        errors = captured.err.strip().splitlines()
        assert len(errors) == 1 and errors[0].endswith("cannot read (File name too long)")
        assert f"imported {story}" in captured.out
