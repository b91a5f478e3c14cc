"""Reading a PDF back for the tests: text lines with their positions, page by page (pypdf)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

PAGE_NUMBER = re.compile(r"^\d+$")


def normal(text: str) -> str:
    """NFKC (Arabic presentation forms back to letters), single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def signature(text: str) -> list[str]:
    """Words with their letters sorted: equal for right-to-left text extracted in visual order."""
    return sorted("".join(sorted(word)) for word in normal(text).split())


@dataclass(frozen=True)
class Fragment:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Line:
    y: float
    fragments: tuple[Fragment, ...]

    @property
    def text(self) -> str:
        return normal(" ".join(f.text for f in self.fragments))


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return normal(" ".join(line.text for line in self.lines))


def _fragments(page: object) -> list[Fragment]:
    fragments: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            fragments.append(Fragment(cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3], text))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return fragments


def read_pages(path: Path) -> list[Page]:
    pages = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        fragments = _fragments(page)
        fragments.sort(key=lambda f: (-f.y, f.x))
        lines: list[list[Fragment]] = []
        for fragment in fragments:
            # Fragments of one line differ by a fraction of a point (different font sizes).
            if lines and abs(lines[-1][0].y - fragment.y) < 2.0:
                lines[-1].append(fragment)
            else:
                lines.append([fragment])
        box = page.mediabox
        pages.append(
            Page(
                number,
                float(box.width),
                float(box.height),
                tuple(Line(ln[0].y, tuple(sorted(ln, key=lambda f: f.x))) for ln in lines),
            )
        )
    return pages


def toc_entries(pages: list[Page], toc_pages: range) -> list[tuple[str, int]]:
    """(first line of the title, page number) for each row of the table of contents."""
    entries = []
    for page in pages:
        if page.number not in toc_pages:
            continue
        for line in page.lines:
            last = line.fragments[-1]
            if PAGE_NUMBER.match(last.text.strip()) and last.x > page.width * 0.75:
                title = normal(" ".join(f.text for f in line.fragments[:-1]))
                entries.append((title, int(last.text)))
    return entries


def first_body_line(page: Page, book_title: str) -> str:
    """The first line under the running header."""
    for line in page.lines:
        if line.text.startswith(normal(book_title)) or line.text.startswith("page "):
            continue
        return line.text
    return ""


def starts_with_title(line: str, title: str) -> bool:
    """Whether a page's first line is the beginning of this headline (any script)."""
    line_words, title_words = signature(line), signature(title)
    return (
        bool(line_words)
        and all(w in title_words for w in line_words)
        and (len(line_words) >= min(2, len(title_words)))
    )
