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


def read_pdf(data: bytes, label: str, force_ocr: bool = False) -> ClippingDraft:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    if b"%%EOF" not in data[-2048:] and b"%%EOF" not in data:
        raise IngestError(f"{label}: the PDF is truncated (no end-of-file marker)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                # Many "protected" PDFs only restrict printing and open with an empty password.
                if not reader.decrypt(""):
                    raise IngestError(f"{label}: the PDF is password-protected")
            except (NotImplementedError, FileNotDecryptedError):
                raise IngestError(f"{label}: the PDF is password-protected") from None
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except IngestError:
        raise
    except FileNotDecryptedError:
        raise IngestError(f"{label}: the PDF is password-protected") from None
    except (PyPdfError, *_DAMAGE) as exc:
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


def read_docx(data: bytes, label: str) -> ClippingDraft:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

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
