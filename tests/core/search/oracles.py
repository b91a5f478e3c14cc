"""Two oracles for the search engine, independent of its evaluation code, and the query model
the differential tests generate queries in.

- `BruteForce` reads the archive's live clippings (what the index is built from) and decides
  every query plainly, clipping by clipping, with Clipper's analyzer (its tokenizer, folding
  and stemmers) and nothing of the index: a stem is matched against the stems of a
  clipping's own language, a prefix or a typo against its words as written (folded), a
  phrase against positions within one section of its text, a date by its precision.
- `WhooshOracle` asks Whoosh's own searcher, over the same index files, the same question as
  a Whoosh query (`Term`, `Phrase`, `Or`, `And`), prefixes expanded by Whoosh's own term
  dictionary: its hits and its BM25F scores are what the engine must give. (NOT is the
  documents its query does not find, as a filter: Whoosh's nested AndNot is wrong.)

Queries are made as a tree (`Word`, `Phrase`, `Prefix`, `Fuzzy`, `Tag`, `Lang`, `Source`,
`Dates`, `All`, `Any`, `Neg`) and `render`ed to the text an editor types, so the parser is
checked too: the oracles never see the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from whoosh import index as whoosh_index
from whoosh.query import And, NullQuery, Or, Query, Term
from whoosh.query import Phrase as WhooshPhrase

from clipper.core.archive import Archive
from clipper.core.search.analysis import (
    DROPPED,
    STEM_LANGUAGES,
    WORD_RE,
    WORDS,
    stem_language,
)
from clipper.core.search.schema import primary_language
from clipper.core.text import name_key
from clipper.core.views import IndexDocument

# -- the query model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # None (everywhere), title, author, source


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    gap: int | None = None  # "..."~gap: up to gap words between two of its words
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    text: str
    distance: int
    field: str | None = None


@dataclass(frozen=True)
class Tag:
    kind: str
    name: str


@dataclass(frozen=True)
class Lang:
    code: str


@dataclass(frozen=True)
class Source:
    """source:="name": one exact source."""

    name: str


@dataclass(frozen=True)
class Dates:
    """date:TEXT, covering [first, last]."""

    text: str
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class All:
    children: tuple[Q, ...]


@dataclass(frozen=True)
class Any:
    children: tuple[Q, ...]


@dataclass(frozen=True)
class Neg:
    child: Q


Q = Word | Phrase | Prefix | Fuzzy | Tag | Lang | Source | Dates | All | Any | Neg


def render(query: Q) -> str:
    """The query as an editor types it."""
    if isinstance(query, All):
        return " ".join(_grouped(c) for c in query.children)
    if isinstance(query, Any):
        return " OR ".join(_grouped(c) for c in query.children)
    if isinstance(query, Neg):
        return f"-{_grouped(query.child)}"
    if isinstance(query, Word):
        return _fielded(query.field, query.text)
    if isinstance(query, Phrase):
        slop = "" if query.gap is None else f"~{query.gap}"
        return _fielded(query.field, '"' + " ".join(query.words) + '"' + slop)
    if isinstance(query, Prefix):
        return _fielded(query.field, f"{query.text}*")
    if isinstance(query, Fuzzy):
        return _fielded(query.field, f"{query.text}~{query.distance}")
    if isinstance(query, Tag):
        return f'{query.kind}:"{query.name}"'
    if isinstance(query, Lang):
        return f"lang:{query.code}"
    if isinstance(query, Source):
        return f'source:="{query.name}"'
    return f"date:{query.text}"


def _grouped(query: Q) -> str:
    text = render(query)
    return f"({text})" if isinstance(query, All | Any | Neg) else text


def _fielded(field: str | None, text: str) -> str:
    return f"{field}:{text}" if field else text


# -- what both oracles read ------------------------------------------------------------------


def folded_words(text: str) -> list[str]:
    """The words of a text as the index keeps them: folded, elided articles left out."""
    found = [WORDS.folded(token) for token in WORD_RE.findall(text)]
    return [word for word in found if word not in DROPPED]


def typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b, written plainly."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def near(word: str, typed: str, distance: int) -> bool:
    """What `word~distance` finds: the same first letter, and few enough edits."""
    return word[:1] == typed[:1] and typo_distance(word, typed) <= distance


def tag_ids(archive: Archive, kind: str, name: str) -> set[int]:
    """The tags a `topic:`/`region:` name covers (itself and everything under it)."""
    tag = archive.find_tag(kind, name)
    return set() if tag is None else archive.tag_descendants(tag.id)


def date_span(published: dt.date | None, precision: str) -> tuple[dt.date, dt.date] | None:
    """The days a clipping's date may be: one day, a whole month or a whole year."""
    if published is None:
        return None
    if precision == "year":
        return dt.date(published.year, 1, 1), dt.date(published.year, 12, 31)
    if precision == "month":
        following = dt.date(published.year + published.month // 12, published.month % 12 + 1, 1)
        return published.replace(day=1), following - dt.timedelta(days=1)
    return published, published


def live_documents(archive: Archive) -> list[IndexDocument]:
    ids = archive.live_ids()
    found = archive.index_documents(ids)
    return [found[cid] for cid in ids if cid in found]


# -- the brute-force oracle ------------------------------------------------------------------


@dataclass
class _Text:
    """One clipping read for the brute force: each field's sections, as folded words."""

    doc: IndexDocument
    language: str
    sections: dict[str, list[list[str]]]

    def stems(self, field: str) -> list[list[str]]:
        return [[WORDS.stem(w, self.language) for w in s] for s in self.sections[field]]


class BruteForce:
    """Every query decided clipping by clipping over the archive's text."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.texts: dict[int, _Text] = {}
        for doc in live_documents(archive):
            content = [doc.title, doc.standfirst, doc.body, *doc.notes, *doc.tag_names]
            content.append(doc.author or "")
            self.texts[doc.id] = _Text(
                doc,
                stem_language(doc.language),
                {
                    "content": [folded_words(s) for s in content],
                    "title": [folded_words(doc.title)],
                    "author": [folded_words(doc.author or "")],
                    "source": [folded_words(doc.source or "")],
                },
            )
        self.everything = set(self.texts)

    def hits(self, query: Q) -> set[int]:
        if isinstance(query, All):
            found = set(self.everything)
            for child in query.children:
                found &= self.hits(child)
            return found
        if isinstance(query, Any):
            return set().union(*(self.hits(child) for child in query.children))
        if isinstance(query, Neg):
            return self.everything - self.hits(query.child)
        if isinstance(query, Tag):
            wanted = tag_ids(self.archive, query.kind, query.name)
            return {
                cid for cid, t in self.texts.items()
                if wanted & {*t.doc.topic_ids, *t.doc.region_ids}
            }  # fmt: skip
        if isinstance(query, Lang):
            return {
                cid for cid, t in self.texts.items()
                if t.doc.language and primary_language(t.doc.language) == query.code
            }  # fmt: skip
        if isinstance(query, Source):
            key = name_key(query.name)
            return {c for c, t in self.texts.items() if name_key(t.doc.source or "") == key}
        if isinstance(query, Dates):
            return {cid for cid, t in self.texts.items() if self._dated(t, query)}
        return {cid for cid, t in self.texts.items() if self._has(t, query)}

    @staticmethod
    def _dated(text: _Text, query: Dates) -> bool:
        span = date_span(text.doc.published, text.doc.published_precision)
        if span is None:
            return False
        first, last = span
        return (query.first is None or query.first <= first) and (
            query.last is None or last <= query.last
        )

    def _has(self, text: _Text, query: Word | Phrase | Prefix | Fuzzy) -> bool:
        field = query.field or "content"
        stemmed = field in ("content", "title")
        if isinstance(query, Prefix):
            prefix = WORDS.folded(query.text)
            return any(w.startswith(prefix) for s in text.sections[field] for w in s)
        if isinstance(query, Fuzzy):
            typed = WORDS.folded(query.text)
            return any(near(w, typed, query.distance) for s in text.sections[field] for w in s)
        words = folded_words(query.text if isinstance(query, Word) else " ".join(query.words))
        sections = text.stems(field) if stemmed else text.sections[field]
        if stemmed:
            words = [WORDS.stem(w, text.language) for w in words]
        if isinstance(query, Word) and len(words) == 1:
            return any(words[0] in s for s in sections)
        slop = 1 if isinstance(query, Word) or query.gap is None else query.gap + 1
        return any(_phrase_in(words, section, slop) for section in sections)


def _phrase_in(words: list[str], section: list[str], slop: int) -> bool:
    """Whether the words follow each other in the section, each at most `slop` positions
    after the one before (every choice of positions tried)."""
    reach = {p for p, w in enumerate(section) if w == words[0]}
    for word in words[1:]:
        reach = {p for p, w in enumerate(section) if w == word and any(
            1 <= p - q <= slop for q in reach)}  # fmt: skip
        if not reach:
            return False
    return bool(reach)


# -- Whoosh's own searcher on the same files -------------------------------------------------


class WhooshOracle:
    """The query as Whoosh queries, searched with Whoosh's own searcher (BM25F)."""

    TITLE_BOOST = 2.0
    FOLDED: ClassVar[dict[str, str]] = {
        "content": "words", "title": "titlewords", "author": "author", "source": "source"
    }  # fmt: skip

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        ix = whoosh_index.open_dir(str(Path(archive.location.index_dir)), indexname="MAIN")
        self.searcher = ix.searcher()
        self.reader = self.searcher.reader()
        self.live = [
            int(self.reader.stored_fields(docnum)["id"]) for docnum in self.reader.all_doc_ids()
        ]

    def close(self) -> None:
        self.searcher.close()

    def scores(self, query: Q) -> dict[int, float]:
        """Clipping id -> Whoosh's score, for every hit."""
        results = self.searcher.search(self.query(query), limit=None)
        return {int(hit["id"]): hit.score for hit in results}

    def query(self, query: Q) -> Query:
        if isinstance(query, All):
            return And([self.query(child) for child in query.children])
        if isinstance(query, Any):
            return Or([self.query(child) for child in query.children])
        if isinstance(query, Neg):
            # What the child does not find, as a filter. (Whoosh's own AndNot goes wrong
            # when nested: AndNot(all, AndNot(all, x)) does not find x's documents.)
            found = self.scores(query.child)
            return _unscored(Term("id", str(cid)) for cid in self.live if cid not in found)
        if isinstance(query, Tag):
            ids = tag_ids(self.archive, query.kind, query.name)
            return _unscored([Term(query.kind, str(i)) for i in sorted(ids)])
        if isinstance(query, Lang):
            return _unscored([Term("lang", query.code)])
        if isinstance(query, Source):
            return _unscored([Term("srckey", name_key(query.name))])
        if isinstance(query, Dates):
            return _unscored([Term("id", str(cid)) for cid in self._dated(query)])
        field = query.field or "content"
        stemmed = field in ("content", "title")
        if isinstance(query, Prefix):
            folded = self.FOLDED[field]
            terms = self.reader.expand_prefix(folded, WORDS.folded(query.text))
            return _any([Term(folded, t.decode("utf-8")) for t in terms])
        if isinstance(query, Fuzzy):
            folded, typed = self.FOLDED[field], WORDS.folded(query.text)
            terms = [t.decode("utf-8") for t in self.reader.lexicon(folded)]
            return _any([Term(folded, t) for t in terms if near(t, typed, query.distance)])
        words = folded_words(query.text if isinstance(query, Word) else " ".join(query.words))
        if isinstance(query, Word) and len(words) == 1:
            if not stemmed:
                return Term(field, words[0])
            terms = [WORDS.term(words[0], language) for language in STEM_LANGUAGES]
            clauses = [Term(field, t) for t in terms]
            if query.field is None:
                clauses += [Term("title", t, boost=self.TITLE_BOOST) for t in terms]
            return Or(clauses)
        slop = 1 if isinstance(query, Word) or query.gap is None else query.gap + 1
        if not stemmed:
            return WhooshPhrase(field, words, slop=slop)
        return Or(
            [
                WhooshPhrase(field, [WORDS.term(w, language) for w in words], slop=slop)
                for language in STEM_LANGUAGES
            ]
        )

    def _dated(self, query: Dates) -> Iterator[int]:
        """The clippings dated within the span, read from the index's own columns."""
        dates = self.reader.column_reader("date", translate=False)
        precisions = self.reader.column_reader("dateprec", translate=False)
        names = {0: "day", 1: "month", 2: "year"}
        for docnum in self.reader.all_doc_ids():
            value = dates[docnum]
            if not value:
                continue
            published = dt.date(value // 10000, value // 100 % 100, value % 100)
            span = date_span(published, names[precisions[docnum]])
            assert span is not None
            if (query.first is None or query.first <= span[0]) and (
                query.last is None or span[1] <= query.last
            ):
                yield int(self.reader.stored_fields(docnum)["id"])


# What a filter scores in Whoosh: the engine scores tags, languages, sources and dates 0, but
# Whoosh's union drops documents whose score is 0 (and its ConstantScoreQuery reads a
# constant of 0 as 1): a score this small is 0 at the precision scores are compared.
FILTER_SCORE = 1e-9


def _unscored(terms: Iterable[Term]) -> Query:
    """A filter, scored (as good as) 0."""
    found = [Term(term.fieldname, term.text, boost=FILTER_SCORE) for term in terms]
    if not found:
        return NullQuery
    return found[0] if len(found) == 1 else Or(found)


def _any(terms: list[Term]) -> Query:
    if not terms:
        return NullQuery
    return terms[0] if len(terms) == 1 else Or(terms)
