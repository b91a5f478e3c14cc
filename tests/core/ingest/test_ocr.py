"""Scanned clippings read by OCR, through `clipper import` as an editor runs it: images in
four formats, image-only and mixed PDFs, force OCR, a two-column page, French, and what an
item says when Tesseract is missing. The scans are made here (see tests/helpers/scans.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from clipper.cli import main
from clipper.core.ingest.ocr import languages_for, tesseract_version
from tests.helpers.documents import make_pdf
from tests.helpers.scans import (
    ARTICLE,
    ARTICLE_FR,
    COLUMN_LEFT,
    COLUMN_RIGHT,
    HEADLINE,
    character_accuracy,
    dirty,
    encode,
    render_article,
    render_page,
)

needs_tesseract = pytest.mark.skipif(
    tesseract_version() is None,
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng "
    "tesseract-ocr-fra)",
)
TRUTH = " ".join(ARTICLE)
CLEAN_TARGET, NOISY_TARGET = 0.98, 0.95


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def import_and_show(
    capsys: pytest.CaptureFixture[str], home: Path, *paths: Path, ocr: str = "auto"
) -> list[dict]:
    """Import the files as an editor would, then read back what was stored."""
    code, out, err = run(
        capsys, "--archive", str(home), "import", *map(str, paths), "--json", f"--ocr={ocr}"
    )
    assert code == 0, err
    shown = []
    for line in out.splitlines():
        outcome = json.loads(line)
        assert outcome["ok"], outcome
        code, detail, err = run(
            capsys, "--archive", str(home), "show", str(outcome["id"]), "--json"
        )
        assert code == 0, err
        shown.append(json.loads(detail))
    return shown


@pytest.fixture(scope="module")
def clean_page(qapp: object):  # type: ignore[no-untyped-def]
    return render_article()


@needs_tesseract
@pytest.mark.parametrize(
    ("fmt", "noisy"),
    [("PNG", False), ("TIFF", False), ("PNG", True), ("JPEG", True), ("WEBP", True)],
)
def test_a_scanned_clipping_is_read_by_ocr_and_keeps_its_original(
    clean_page, fmt: str, noisy: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = dirty(clean_page) if noisy else clean_page
    path = tmp_path / f"cutting.{fmt.lower()}"
    path.write_bytes(encode(image, fmt))

    (clipping,) = import_and_show(capsys, tmp_path / "archive", path)

    accuracy = character_accuracy(clipping["body"], TRUTH)
    assert accuracy >= (NOISY_TARGET if noisy else CLEAN_TARGET), clipping["body"]
    assert clipping["title"] == HEADLINE
    assert clipping["language"] == "en"
    ocr = clipping["extra"]["ocr"]
    assert ocr["engine"].startswith("tesseract ") and ocr["languages"] == "eng+fra"
    assert ocr["pages"] == [1]
    assert clipping["original_media_type"] == f"image/{fmt.lower()}"
    # The same cleaning and suggestions as any import: Niger is suggested, not applied.
    code, out, _ = run(capsys, "--archive", str(tmp_path / "archive"), "show", str(clipping["id"]))
    assert code == 0 and "read by OCR (tesseract" in out


@needs_tesseract
def test_an_image_only_pdf_is_read_and_a_mixed_pdf_keeps_its_text_layer(
    clean_page, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan_pdf = encode(dirty(clean_page), "PDF")
    (tmp_path / "scan.pdf").write_bytes(scan_pdf)
    typed = [
        [
            "Filed copy. The agency sent this page as text, and its words must come out",
            "exactly as they were typed, never read again by OCR.",
        ],
    ]
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf(typed))))
    writer.append(PdfReader(io.BytesIO(scan_pdf)))
    mixed = io.BytesIO()
    writer.write(mixed)
    (tmp_path / "mixed.pdf").write_bytes(mixed.getvalue())

    scan, both = import_and_show(
        capsys, tmp_path / "archive", tmp_path / "scan.pdf", tmp_path / "mixed.pdf"
    )

    assert scan["extra"]["ocr"]["pages"] == [1]
    assert character_accuracy(scan["body"], TRUTH) >= NOISY_TARGET
    assert scan["original_media_type"] == "application/pdf"
    assert both["extra"]["ocr"]["pages"] == [2]
    assert both["body"].startswith(
        "Filed copy. The agency sent this page as text, and its words must come out exactly "
        "as they were typed, never read again by OCR."
    )
    assert "deputy defence minister" in both["body"]


@needs_tesseract
def test_force_ocr_reads_a_scan_behind_a_bad_text_layer(
    clean_page, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A scanner's own OCR left a wrong text layer over the scan: "force" reads it again.
    writer = PdfWriter(clone_from=io.BytesIO(encode(clean_page, "PDF")))
    bad_layer = [
        [
            "Nlger: tne jumta tums to Moscovv. Thc rnilitary governrnent of Nigcr",
            "reccived a Russiau delcgation led by tbe deputy defeuce minister.",
        ]
    ]
    writer.pages[0].merge_page(PdfReader(io.BytesIO(make_pdf(bad_layer))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "layered.pdf"
    path.write_bytes(out.getvalue())

    (kept,) = import_and_show(capsys, tmp_path / "kept", path)
    (forced,) = import_and_show(capsys, tmp_path / "forced", path, ocr="force")

    assert "Nigcr" in kept["body"] and "ocr" not in kept["extra"]
    assert "Nigcr" not in forced["body"]
    assert forced["extra"]["ocr"]["pages"] == [1]
    assert character_accuracy(forced["body"], TRUTH) >= CLEAN_TARGET


@needs_tesseract
def test_a_two_column_page_keeps_each_column_in_reading_order(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "page.png"
    path.write_bytes(encode(render_page([("", COLUMN_LEFT), ("", COLUMN_RIGHT)]), "PNG"))

    (clipping,) = import_and_show(capsys, tmp_path / "archive", path)

    text = " ".join(clipping["body"].split())
    starts = [text.find(p[:40]) for p in (*COLUMN_LEFT, *COLUMN_RIGHT)]
    assert -1 not in starts, text
    assert starts == sorted(starts), "the columns' lines were interleaved"


@needs_tesseract
def test_a_french_scan_is_read_in_french(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "coupure.png"
    image = render_article(ARTICLE_FR, headline="Le Niger se tourne vers Moscou")
    path.write_bytes(encode(dirty(image, seed=3), "PNG"))

    (clipping,) = import_and_show(capsys, tmp_path / "archive", path)

    assert clipping["language"] == "fr"
    assert character_accuracy(clipping["body"], " ".join(ARTICLE_FR)) >= NOISY_TARGET
    assert "coup d'État" in clipping["body"].replace("’", "'")


def test_without_tesseract_the_item_says_how_to_install_it_and_the_batch_goes_on(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    scan = tmp_path / "cutting.png"
    scan.write_bytes(encode(render_article(), "PNG"))
    typed = tmp_path / "typed.txt"
    typed.write_text("Typed story\n\n" + TRUTH, encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))

    code, out, err = run(capsys, "--archive", str(tmp_path / "a"), "import", str(scan), str(typed))

    assert code == 1
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {scan}: Tesseract is not installed")
    assert "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra" in line
    assert f"imported {typed} as #1" in out


def test_a_damaged_image_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 300)
    code, _out, err = run(capsys, "--archive", str(tmp_path / "a"), "import", str(path))
    assert code == 1
    assert err.strip() == f"error: {path}: the image is damaged or cut short"


def test_the_clipping_language_picks_the_model_and_english_french_is_the_default() -> None:
    installed = ["deu", "eng", "fra"]
    assert languages_for("de", installed) == "deu"
    assert languages_for("fr", installed) == "fra"
    assert languages_for(None, installed) == "eng+fra"
    assert languages_for("ru", installed) == "eng+fra"  # no Russian model here
    assert languages_for(None, ["eng"]) == "eng"
