"""What a search returns (`SearchResults`, `Hit`) and how snippets are cut and highlighted.

Snippets are computed from the archive's text of the hits on the page shown, never stored in
the index, by the same tokenizer the index uses, so what is marked is what matched.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

from clipper.core.search.analysis import WORD_RE, WORDS
from clipper.core.search.query import HighlightSpec, simple_text

SNIPPET_CHARS = 240
PLAIN_MARKS = ("«", "»")
FACET_KINDS = ("topic", "region", "source", "month", "language")


@dataclass(frozen=True)
class Hit:
    """One clipping in the results: what a results row shows."""

    id: int
    title: str
    source: str | None
    published: dt.date | None
    score: float
    snippet: str
    # The snippet as (text, highlighted?) runs, for views that mark highlights their own way.
    fragments: tuple[tuple[str, bool], ...] = field(default=(), compare=False)

    @property
    def snippet_html(self) -> str:
        """The snippet as HTML, highlighted words in <b>."""
        return "".join(
            f"<b>{html.escape(text)}</b>" if marked else html.escape(text)
            for text, marked in self.fragments
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total, facet counts and, when it would help, a corrected query."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [hit.to_json() for hit in self.hits],
            "facets": {kind: [[value, count] for value, count in values]
                       for kind, values in self.facets.items()},
            "suggestion": self.suggestion,
        }  # fmt: skip


class HitSource(Protocol):
    """What a hit row is made from: the archive's hit texts, or a clipping's detail."""

    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def published(self) -> dt.date | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def standfirst(self) -> str: ...
    @property
    def body(self) -> str: ...


def snippet_text(doc: HitSource) -> str:
    return f"{doc.standfirst}\n\n{doc.body}" if doc.standfirst else doc.body


def make_hit(cid: int, doc: HitSource, score: float, spec: HighlightSpec | None) -> Hit:
    """A hit row: the clipping's fields and a snippet of its text (marked per `spec`)."""
    fragments = make_snippet(snippet_text(doc), spec, doc.language)
    return Hit(
        id=cid,
        title=doc.title,
        source=doc.source,
        published=doc.published,
        score=score,
        snippet=plain_snippet(fragments),
        fragments=fragments,
    )


def make_snippet(
    text: str, spec: HighlightSpec | None, language: str | None, width: int = SNIPPET_CHARS
) -> tuple[tuple[str, bool], ...]:
    """The most telling stretch of `text` (the one with the most distinct query words) as
    (text, highlighted?) runs; the start of the text when nothing in it matches."""
    text = text.strip()
    matches: list[tuple[int, int, str]] = []
    if spec:
        # One pass of the regex: the candidate words with where they are (a second pass to
        # find again the few that match cost a third of the snippet's time).
        found = [(m.group(), m.span()) for m in _word_finder(text, spec).finditer(text)]
        wanted = spec.matching_tokens({word for word, _span in found}, language)
        if wanted:
            folded = WORDS.folded
            matches = [(*span, folded(word)) for word, span in found if word in wanted]
    if not matches:
        return _plain_window(text, width)
    start = _best_window_start(matches, width)
    window_start = _word_start(text, max(0, start - width // 6))
    window_end = _word_end(text, min(len(text), window_start + width))
    runs: list[tuple[str, bool]] = []
    if window_start > 0:
        runs.append(("… ", False))
    cursor = window_start
    for begin, end, _word in matches:
        if begin < window_start or end > window_end:
            continue
        if begin > cursor:
            runs.append((_collapse(text[cursor:begin]), False))
        runs.append((text[begin:end], True))
        cursor = end
    if cursor < window_end:
        runs.append((_collapse(text[cursor:window_end]), False))
    if window_end < len(text):
        runs.append((" …", False))
    return tuple(runs)


def mark_text(
    text: str, spec: HighlightSpec | None, language: str | None
) -> tuple[tuple[str, bool], ...]:
    """The whole of `text` as (text, highlighted?) runs, every word the query asked for
    marked (as snippets mark them: the same folding, the stems of `language`). The runs put
    together are `text`; with nothing to mark, that is one unmarked run."""
    if not spec or not text:
        return ((text, False),)
    finder = _word_finder(text, spec)
    wanted = spec.matching_tokens(set(finder.findall(text)), language)
    if not wanted:
        return ((text, False),)
    runs: list[tuple[str, bool]] = []
    cursor = 0
    for match in finder.finditer(text):
        if match.group() not in wanted:
            continue
        if match.start() > cursor:
            runs.append((text[cursor : match.start()], False))
        runs.append((match.group(), True))
        cursor = match.end()
    if cursor < len(text):
        runs.append((text[cursor:], False))
    return tuple(runs)


def _word_finder(text: str, spec: HighlightSpec) -> re.Pattern[str]:
    """What finds the words of `text` that may match: only those that start like something
    the query asked for (a regex pass in C), or, in a text that regex cannot read that way
    (decomposed accents, letters that fold to two, scripts it has no table for), every word."""
    if unicodedata.is_normalized("NFC", text) and simple_text(text):
        return spec.candidates()
    return WORD_RE


def plain_snippet(fragments: tuple[tuple[str, bool], ...]) -> str:
    left, right = PLAIN_MARKS
    return "".join(f"{left}{text}{right}" if marked else text for text, marked in fragments)


def _best_window_start(matches: list[tuple[int, int, str]], width: int) -> int:
    best_start, best_score = matches[0][0], -1
    first = 0
    for last in range(len(matches)):
        while matches[last][1] - matches[first][0] > width:
            first += 1
        score = len({word for _s, _e, word in matches[first : last + 1]}) * 100 - first
        if score > best_score:
            best_score, best_start = score, matches[first][0]
    return best_start


def _plain_window(text: str, width: int) -> tuple[tuple[str, bool], ...]:
    if len(text) <= width:
        return ((_collapse(text), False),) if text else ()
    end = _word_end(text, width)
    return ((_collapse(text[:end]) + " …", False),)


def _word_start(text: str, index: int) -> int:
    while 0 < index < len(text) and not text[index - 1].isspace():
        index -= 1
    return index


def _word_end(text: str, index: int) -> int:
    while index < len(text) and not text[index].isspace():
        index += 1
    return index


def _collapse(text: str) -> str:
    """Line breaks and runs of spaces inside a snippet become single spaces."""
    if "\n" not in text and "  " not in text and "\t" not in text:
        return text
    inner = " ".join(text.split())
    if not inner:
        return " "
    return (" " if text[0].isspace() else "") + inner + (" " if text[-1].isspace() else "")
