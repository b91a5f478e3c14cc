"""What an input is: by its content first (magic bytes, markup, headers), its name second."""

from __future__ import annotations

import io
import re
import zipfile

from clipper.core.ingest.decode import utf16_without_bom

# The kinds readers exist for, and the kinds refused with a reason.
TEXT, MARKDOWN, HTML, EMAIL, PDF, DOCX = "text", "markdown", "html", "email", "pdf", "docx"
IMAGE = "image"  # a scan or a photo of a clipping, read by OCR (see ocr.py)
_SCAN_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", None),  # too short a signature to trust alone; see below
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)
_OTHER_MAGIC = (
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (.doc); save it as .docx"),
    (b"{\\rtf", "an RTF document; save it as .docx or text"),
    (b"\x7fELF", "a program"),
    (b"MZ", None),
    (b"OggS", "an audio file"),
    (b"ID3", "an MP3 audio file"),
    (b"fLaC", "an audio file"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title"
    rb"|<article|<div|<p[\s>]|<section)",
    re.IGNORECASE | re.DOTALL,
)
# Elements only a web page has: a page whose first bytes are a script, a style sheet or a
# server's warning still has these further down.
_PAGE_ELEMENTS = re.compile(
    rb"<(?:html|head|body|title|meta|div|p|article|section|span|a|h[1-6]|ul|li|table|link"
    rb"|script|style|header|footer|nav|br|img|b|i|em|strong)\b[^>]*>",
    re.IGNORECASE,
)
# How far into a file declared as HTML its markup is looked for.
_MARKUP_WINDOW = 256 * 1024
_HTML_TAGS = re.compile(
    rb"</(?:p|div|span|a|h[1-6]|li|article|section|body|html|td)>", re.IGNORECASE
)
_EMAIL_HEADER = re.compile(
    rb"^(?:From|To|Subject|Date|Received|Return-Path|Message-ID|MIME-Version|Delivered-To"
    rb"|X-[\w-]+|Content-Type|Reply-To|Cc|Sender|DKIM-Signature|ARC-[\w-]+|Authentication-Results)"
    rb":[ \t]",
    re.IGNORECASE | re.MULTILINE,
)
_EXTENSIONS = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".eml": EMAIL,
    ".mht": EMAIL,
    ".pdf": PDF,
    ".docx": DOCX,
}
_MEDIA_TYPES = {
    "text/plain": TEXT,
    "text/markdown": MARKDOWN,
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "message/rfc822": EMAIL,
    "application/pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
}


# A Clipper JSON export names its format in its first key (see clipper.export.json_export).
_CLIPPER_EXPORT_MARKER = re.compile(rb'"format"\s*:\s*"clipper-export"')
CLIPPER_EXPORT_REFUSAL = (
    "this is a Clipper export, not an article: import the file on its own (drop it on the "
    "window, or `clipper import FILE`) to bring back its clippings, notes and links"
)


def looks_like_clipper_export(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a Clipper JSON export."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return stripped.startswith(b"{") and _CLIPPER_EXPORT_MARKER.search(stripped) is not None


class Refused(Exception):
    """Content that no reader takes: the message says what it is."""


def _sniff_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def sniff(data: bytes, name: str | None = None, media_type: str | None = None) -> str:
    """The reader kind for these bytes, or Refused saying what they are instead."""
    head = data[:4096]
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(_SCAN_MAGIC) or _sniff_webp(head):
        return IMAGE
    for magic, what in _IMAGE_MAGIC + _OTHER_MAGIC:
        if what and head.startswith(magic):
            raise Refused(f"this is {what}, not an article")
    if _sniff_webp(head):
        raise Refused("this is a WebP image, not an article")
    if looks_like_clipper_export(head):
        # Read as text it would become one clipping of JSON; it holds a whole archive.
        raise Refused(CLIPPER_EXPORT_REFUSAL)
    # UTF-16 (with or without a BOM) is looked at as the text it encodes, or its markup and
    # mail headers would go unseen and an HTML page be stored as raw text.
    head = _utf16_as_utf8(head)
    stripped = head.lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(stripped):
        return HTML
    if _looks_like_email(stripped):
        return EMAIL
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if name and "." in name else ""
    by_name = _EXTENSIONS.get(suffix)
    by_type = _MEDIA_TYPES.get((media_type or "").split(";")[0].strip().lower())
    if by_type in (HTML, MARKDOWN, EMAIL) or by_name in (HTML, MARKDOWN, EMAIL):
        # Declared markup or mail that did not start like it (a fragment, a leading blank):
        # trust the declaration when the content does not contradict it.
        declared = by_type or by_name
        if declared == HTML and not _parses_as_html(_utf16_as_utf8(data[:_MARKUP_WINDOW])):
            return TEXT
        if declared == EMAIL and not _EMAIL_HEADER.search(head):
            return TEXT
        assert declared is not None
        return declared
    if len(_HTML_TAGS.findall(head)) >= 3:
        return HTML
    return TEXT


def _utf16_as_utf8(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding: str | None = "utf-16"
    else:
        encoding = utf16_without_bom(head)
    if encoding is None:
        return head
    return head[: len(head) - len(head) % 2].decode(encoding, "ignore").encode("utf-8")


def _parses_as_html(data: bytes) -> bool:
    """Markup throughout: closing tags of text elements, or a page's elements in numbers,
    wherever the page starts (a PHP warning, a <script>, a <style>)."""
    window = data[:_MARKUP_WINDOW]  # (UTF-16 already re-encoded by the caller)
    if _HTML_TAGS.search(window):
        return True
    return len(_PAGE_ELEMENTS.findall(window, 0, 65536)) >= 5


def _looks_like_email(head: bytes) -> bool:
    """Mail headers from the first line, and at least two of them before the first blank line."""
    first_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    if not _EMAIL_HEADER.match(first_block):
        return False
    return len(_EMAIL_HEADER.findall(first_block)) >= 2


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise Refused("this is a damaged zip archive, not a Word document") from None
    if "word/document.xml" in names:
        return DOCX
    if "content.xml" in names and "mimetype" in names:
        raise Refused("this is an OpenDocument file; save it as .docx")
    if "xl/workbook.xml" in names:
        raise Refused("this is an Excel workbook, not an article")
    if "ppt/presentation.xml" in names:
        raise Refused("this is a PowerPoint presentation, not an article")
    raise Refused("this is a zip archive of other files, not a Word document")
