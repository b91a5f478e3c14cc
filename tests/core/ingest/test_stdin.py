"""`clipper import -`: what is piped in is read as bytes, through the decoder files go through:
legacy encodings are read, damaged UTF-8 is one plain line, and the rest of the batch goes on."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from clipper.cli import main

STORY = (
    "Niamey : l’armée a déclaré dimanche que la coopération militaire avec la France était "
    "terminée, et que les soldats français quitteraient le pays « dans les semaines à venir ».\n\n"
    "Le général Tiani a reçu mardi une délégation malienne et burkinabè à Niamey."
)


def _pipe(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    """Stdin as a shell pipe gives it: bytes under a UTF-8 text layer."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _import(capsys: pytest.CaptureFixture[str], tmp_path: Path, *inputs: str) -> tuple[int, str]:
    code = main(["--archive", str(tmp_path / "archive"), "import", "--dry-run", "--json", *inputs])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


def test_windows_1252_text_piped_in_is_read_like_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _pipe(monkeypatch, STORY.encode("cp1252"))
    code, out = _import(capsys, tmp_path, "-")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["ok"] is True
    assert "l’armée a déclaré dimanche" in row["body"]
    assert "« dans les semaines à venir »" in row["body"]


def test_damaged_utf8_piped_in_is_one_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = STORY.encode("utf-8")
    damaged = data[:40] + b"\xff\xfe" + data[40:]
    _pipe(monkeypatch, damaged)
    good = tmp_path / "good.txt"
    good.write_text(STORY, encoding="utf-8")
    code, out = _import(capsys, tmp_path, "-", str(good))
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["ok"] for row in rows] == [False, True]
    assert rows[0]["error"] == "-: not valid UTF-8 (byte 0xff at offset 40)"
    assert rows[1]["body"] == rows[1]["body"].strip() and "Tiani" in rows[1]["body"]


def test_html_piped_in_is_read_as_html_like_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY.split("\n\n"))
    page = f"<html><head><title>Niamey</title></head><body><article>{paragraphs}</article>"
    _pipe(monkeypatch, (page + "</body></html>").encode("utf-8"))
    code, out = _import(capsys, tmp_path, "-")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert "<p>" not in row["body"] and "Le général Tiani" in row["body"]


def test_nothing_piped_in_is_empty_text_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _pipe(monkeypatch, b"  \n\n")
    code, out = _import(capsys, tmp_path, "-")
    assert code == 1
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert row["error"] == "-: the text is empty"
