"""The plain-text and Markdown reader: decode, normalize, strip Markdown syntax, clean."""

from __future__ import annotations

import re

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.clean import clean_lines
from clipper.core.ingest.compose import Metadata, build_draft, guess_title
from clipper.core.ingest.decode import decode_bytes, normalize_text

__all__ = ["decode_text", "guess_title", "looks_like_markdown", "read_text", "strip_markdown"]

_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_SIGNS = re.compile(
    r"^#{1,6}\s+\S|\[[^\]\n]+\]\([^)\s]+\)|^\s*(?:[-*+]|\d+\.)\s+\S|^```|^>\s|\*\*[^*\n]+\*\*",
    re.MULTILINE,
)


def decode_text(data: bytes, label: str) -> str:
    """Bytes of a text file as normalized text (see `decode.decode_bytes`)."""
    return normalize_text(decode_bytes(data, label))


def looks_like_markdown(text: str) -> bool:
    return len(_MD_SIGNS.findall(text[:20000])) >= 2


def strip_markdown(text: str) -> tuple[str, str | None]:
    """Markdown as plain paragraphs, and the first level-one or level-two heading as a title."""
    title = None
    heading = _MD_HEADING.search(text)
    if heading and heading.start() < 500:
        title = heading.group(1).strip()
        text = text[: heading.start()] + text[heading.end() :]
    text = re.sub(r"^```.*?^```\s*$", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images never become text
    text = re.sub(r"\[([^\]\n]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)", r"\1", text)
    text = re.sub(r"^\s*\[[^\]]+\]:\s+\S+.*$", "", text, flags=re.MULTILINE)  # link references
    text = _MD_HEADING.sub(r"\1", text)
    text = re.sub(r"^>\s?", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", r"\2", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    text = re.sub(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"<[^>\n]+>", "", text)  # inline HTML tags
    return text, title


def read_text(
    text: str, label: str, origin: str = "file", markdown: bool | None = None
) -> ClippingDraft:
    """A draft from text (pasted, or a decoded .txt/.md file)."""
    text = normalize_text(text)
    title = None
    if markdown or (markdown is None and looks_like_markdown(text)):
        text, title = strip_markdown(text)
    cleaned = clean_lines(text, mode="text")
    return build_draft(cleaned, label, origin, Metadata(title=title))
