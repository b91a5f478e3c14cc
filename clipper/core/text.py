"""Text normalization shared by the archive and the import pipeline: keys, hashes, folding."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORDS = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Case- and accent-folded text: 'Goïta' -> 'goita', 'SÉCURITÉ' -> 'securite'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def name_key(name: str) -> str:
    """The identity of a tag, source or headline: folded words joined by single spaces."""
    return " ".join(_WORDS.findall(fold(name)))


def normalize_body(body: str) -> str:
    """The body as compared for exact duplicates: NFC, case-folded, whitespace collapsed."""
    # split/join is `\s+` -> " " and strip (the same whitespace), four times faster.
    return " ".join(unicodedata.normalize("NFC", body).casefold().split())


def content_hash(body: str) -> str:
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


def clean_spaces(text: str) -> str:
    """NFC text with non-breaking and odd spaces made plain, lines stripped on the right."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]", " ", text)
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a clean body (separated by blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
