"""Hostile and locked documents through `clipper import`: AES-encrypted PDFs (opened when the
user password is empty, "password-protected" for every failure to decrypt), and .docx zip
bombs refused from their declared sizes before anything is inflated."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from clipper.cli import main
from clipper.core.ingest import documents
from tests.helpers.documents import ARTICLE, make_pdf
from tests.helpers.paths import TESTS

REPO_ROOT = TESTS.parent
TITLE = "Sahel juntas quit West African bloc"


def _encrypted(user_password: str, algorithm: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(ARTICLE, title=TITLE))))
    writer.encrypt(user_password=user_password, owner_password="desk", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _import(capsys: pytest.CaptureFixture[str], tmp_path: Path, *inputs: Path) -> list[dict]:
    code = main(["--archive", str(tmp_path / "archive"), "import", "--json", *map(str, inputs)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert code == (0 if all(row["ok"] for row in rows) else 1)
    return rows


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_an_aes_pdf_with_an_empty_user_password_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], algorithm: str
) -> None:
    pdf = tmp_path / "restricted.pdf"
    pdf.write_bytes(_encrypted("", algorithm))
    (row,) = _import(capsys, tmp_path, pdf)
    assert row["ok"] is True and isinstance(row["id"], int)
    main(["--archive", str(tmp_path / "archive"), "show", str(row["id"]), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == TITLE
    assert "Niger, Mali and Burkina Faso said on Sunday" in shown["body"]


def test_the_aes_support_pypdf_needs_is_a_declared_dependency() -> None:
    # Without `cryptography`, pypdf cannot decrypt AES at all; a fresh install must get it.
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    specs = project["project"]["dependencies"]
    names = {spec.split(">")[0].split("=")[0].strip() for spec in specs}
    assert "cryptography" in names


def _encryption_v9(data: bytes) -> bytes:
    """An encryption dictionary of a version no reader knows (V 9)."""
    assert b"/V 5" in data
    return data.replace(b"/V 5", b"/V 9")


def _unknown_handler(data: bytes) -> bytes:
    assert b"/Filter /Standard" in data
    return data.replace(b"/Filter /Standard", b"/Filter /Vendor1")


def _broken_crypt_filter(data: bytes) -> bytes:
    assert b"/StmF /StdCF" in data
    return data.replace(b"/StmF /StdCF", b"/StmF /Nope1")


@pytest.mark.parametrize(
    ("name", "make", "why"),
    [
        ("locked.pdf", lambda: _encrypted("secret", "AES-256"), ""),
        (
            "future.pdf",
            lambda: _encryption_v9(_encrypted("", "AES-256")),
            " (with an encryption Clipper cannot open: Encryption V=9 NOT supported)",
        ),
        (
            "vendor.pdf",
            lambda: _unknown_handler(_encrypted("", "AES-256")),
            " (with an encryption Clipper cannot open: only Standard PDF encryption handler"
            " is available)",
        ),
        (
            "broken.pdf",
            lambda: _broken_crypt_filter(_encrypted("", "AES-256")),
            " (its encryption cannot be read: Crypt filter /Nope1 is missing from /CF or not a"
            " dictionary)",
        ),
    ],
)
def test_every_failure_to_decrypt_says_password_protected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: object, why: str
) -> None:
    pdf = tmp_path / name
    assert callable(make)
    pdf.write_bytes(make())
    good = tmp_path / "good.pdf"
    good.write_bytes(make_pdf(ARTICLE, title=TITLE))
    rows = _import(capsys, tmp_path, pdf, good)
    assert [row["ok"] for row in rows] == [False, True]
    assert rows[0]["error"] == f"{pdf}: the PDF is password-protected{why}"


def test_without_cryptography_an_aes_pdf_is_password_protected_not_a_traceback(
    tmp_path: Path,
) -> None:
    # An installation where `cryptography` is missing (an older pip, a broken venv): pypdf
    # falls back to its RC4-only code. Run in a fresh interpreter where the import fails.
    pdf = tmp_path / "restricted.pdf"
    pdf.write_bytes(_encrypted("", "AES-256"))
    script = (
        "import sys; sys.modules['cryptography'] = None; "
        "from clipper.cli import main; "
        f"sys.exit(main(['--archive', {str(tmp_path / 'archive')!r}, 'import', {str(pdf)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        f"error: {pdf}: the PDF is password-protected "
        "(its AES encryption needs the cryptography package)"
    )
    assert "Traceback" not in done.stderr


# -- .docx zip bombs ---------------------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading(TITLE, level=1)
    for lines in ARTICLE:
        document.add_paragraph(" ".join(lines))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    """The same .docx with some members' contents replaced (or added)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for member in source.infolist():
            target.writestr(member.filename, change.pop(member.filename, source.read(member)))
        for name, content in change.items():
            target.writestr(name, content)
    return out.getvalue()


def _padded_document(data: bytes, padding: int) -> bytes:
    """word/document.xml with `padding` spaces after its XML declaration: still valid XML,
    and it compresses a thousand times, as a zip bomb does."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        xml = source.read("word/document.xml")
    head, _, rest = xml.partition(b"?>")
    return _rezip(data, {"word/document.xml": head + b"?>" + b" " * padding + rest})


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_padded_document(_docx(), 40 * 2**20))
    assert bomb.stat().st_size < 200_000
    good = tmp_path / "good.docx"
    good.write_bytes(_docx())
    rows = _import(capsys, tmp_path, bomb, good)
    assert [row["ok"] for row in rows] == [False, True]
    with zipfile.ZipFile(bomb) as archive:
        packed = archive.getinfo("word/document.xml").compress_size
    assert rows[0]["error"] == (
        f"{bomb}: not read: its part word/document.xml would inflate from {packed / 1024:.0f} KB "
        "to 40 MB (a zip bomb, not a document)"
    )


def test_a_docx_inflating_past_the_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts that compress little (photos) but add up past the limit, set low for the test.
    monkeypatch.setattr(documents, "MAX_DOCX_INFLATED_BYTES", 2 * 2**20)
    noise = random.Random(7)
    photos = {f"word/media/image{i}.jpeg": noise.randbytes(2**20) for i in range(3)}
    heavy = tmp_path / "heavy.docx"
    heavy.write_bytes(_rezip(_docx(), photos))
    with zipfile.ZipFile(heavy) as archive:
        inflated = sum(member.file_size for member in archive.infolist())
    rows = _import(capsys, tmp_path, heavy)
    assert rows[0]["error"] == (
        f"{heavy}: not read: the Word document would inflate to {inflated / 2**20:.0f} MB, "
        "over the 2 MB limit"
    )


def test_a_docx_with_well_compressed_text_still_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Ordinary documents compress far less than a bomb, however long they are.
    padded = tmp_path / "padded.docx"
    padded.write_bytes(_padded_document(_docx(), 2 * 2**20))
    (row,) = _import(capsys, tmp_path, padded)
    assert row["ok"] is True
