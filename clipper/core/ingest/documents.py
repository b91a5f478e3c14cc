"""PDF (pypdf) and Word .docx (python-docx) readers: text with its paragraphs, then the cleaner.

A PDF that is password-protected or cut short gets a clear error rather than an empty
clipping; its pages without a text layer (scans) are read by OCR (see ocr.py).
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib

from lxml import etree

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import clean_lines
from clipper.core.ingest.compose import Metadata, build_draft
from clipper.core.ingest.decode import normalize_text
from clipper.core.ingest.ocr import ocr_pdf_pages
from clipper.core.ingest.url import human_size

log = logging.getLogger(__name__)

# What a damaged file makes a parser raise, beyond its own error classes.
_DAMAGE = (
    ValueError,
    KeyError,
    TypeError,
    OSError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
)

# pypdf reports recoverable damage through its logger; the reader decides what is fatal.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _pdf_paragraphs(page_text: str) -> str:
    """PDF text lines back into paragraphs: a line that ends a sentence ends a paragraph
    only when the next starts a new one; hyphenated breaks are joined."""
    lines = [line.strip() for line in page_text.split("\n")]
    out: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
                current = ""
            continue
        if not current:
            current = line
        elif current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        elif re.search(r"[.!?:»”\"]$", current) and line[:1].isupper():
            out.append(current)
            current = line
        else:
            current += " " + line
    if current:
        out.append(current)
    return "\n\n".join(out)


def _protected(label: str, why: str | None = None) -> IngestError:
    return IngestError(f"{label}: the PDF is password-protected" + (f" ({why})" if why else ""))


def read_pdf(data: bytes, label: str, force_ocr: bool = False) -> ClippingDraft:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if b"%%EOF" not in data[-2048:] and b"%%EOF" not in data:
        raise IngestError(f"{label}: the PDF is truncated (no end-of-file marker)")
    # Any failure to decrypt says "password-protected": an editor can ask for the password or
    # an unprotected copy; "damaged" would send them looking for another download.
    encrypted = b"/Encrypt" in data
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = encrypted or reader.is_encrypted
        # Many "protected" PDFs only restrict printing and open with an empty user password
        # (RC4 or AES; pypdf needs the cryptography package for AES).
        if reader.is_encrypted and not reader.decrypt(""):
            raise _protected(label)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except IngestError:
        raise
    except FileNotDecryptedError:
        raise _protected(label) from None
    except DependencyError:
        # An installation without `cryptography` (it is a declared dependency).
        log.debug("AES-encrypted PDF %s: pypdf has no AES support", label, exc_info=True)
        raise _protected(label, "its AES encryption needs the cryptography package") from None
    except NotImplementedError as exc:
        raise _protected(label, f"with an encryption Clipper cannot open: {exc}") from None
    except (PyPdfError, *_DAMAGE) as exc:
        if encrypted:
            raise _protected(label, f"its encryption cannot be read: {exc}") from None
        raise IngestError(f"{label}: the PDF is damaged or truncated ({exc})") from None
    if not pages:
        raise IngestError(f"{label}: the PDF has no pages")
    pages = [_pdf_paragraphs(page) for page in pages]
    # Scanned pages (no text layer) are read by OCR; pages with text keep it.
    pages, ocr_record = ocr_pdf_pages(reader, pages, label, force=force_ocr)
    text = "\n\n".join(pages)
    if len(re.findall(r"\w", text)) < 20:
        raise IngestError(f"{label}: the PDF has no text layer and no scanned page to read")
    title = str(info.title).strip() if info and info.title else None
    author = str(info.author).strip() if info and info.author else None
    cleaned = clean_lines(normalize_text(text), mode="text")
    meta = Metadata(title=title or None, author=author)
    if ocr_record is not None:
        meta.extra["ocr"] = ocr_record
    return build_draft(cleaned, label, "file", meta)


# A .docx is a zip: what it inflates to is checked from its directory before anything is
# inflated. Text and XML compress 5-30 times, images not at all; a zip bomb (a 4 MB file
# that inflates to 4 GB) compresses a thousand times.
MAX_DOCX_INFLATED_BYTES = 256 * 2**20
MAX_DOCX_RATIO = 100
_RATIO_CHECKED_ABOVE = 16 * 2**20


def _check_docx_sizes(data: bytes, label: str) -> None:
    """IngestError when the document would inflate to more than a document can hold.

    The sizes checked are the ones the zip's directory declares; Python's zipfile never
    inflates a member beyond its declared size (a member that lies fails its CRC check).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, *_DAMAGE) as exc:
        raise IngestError(f"{label}: not a readable Word document ({exc})") from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > _RATIO_CHECKED_ABOVE and member.file_size > MAX_DOCX_RATIO * max(
            member.compress_size, 1
        ):
            raise IngestError(
                f"{label}: not read: its part {member.filename} would inflate from "
                f"{human_size(member.compress_size)} to {human_size(member.file_size)} "
                "(a zip bomb, not a document)"
            )
    if total > MAX_DOCX_INFLATED_BYTES:
        raise IngestError(
            f"{label}: not read: the Word document would inflate to {human_size(total)}, over "
            f"the {human_size(MAX_DOCX_INFLATED_BYTES)} limit"
        )


def read_docx(data: bytes, label: str) -> ClippingDraft:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_docx_sizes(data, label)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise IngestError(f"{label}: not a readable Word document ({exc})") from None
    except (etree.LxmlError, NotImplementedError, EOFError, *_DAMAGE) as exc:
        raise IngestError(f"{label}: the Word document is damaged ({exc})") from None
    title = None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if title is None and not lines and style in ("Title", "Heading 1"):
            title = text
            continue
        lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells]
            if any(cells):
                lines.append("| " + " | ".join(cells) + " |")
    props = document.core_properties
    title = title or (props.title or "").strip() or None
    author = (props.author or "").strip() or None
    cleaned = clean_lines(normalize_text("\n\n".join(lines)), mode="text")
    meta = Metadata(title=title, author=author)
    if props.created is not None:
        # When the file was made is not when the article was published: kept, not used.
        meta.extra["file_created"] = props.created.date().isoformat()
    return build_draft(cleaned, label, "file", meta)
