"""The query language an editor types, parsed into a small tree and compiled to an
evaluation plan (`engine`).

    words              every word must appear (in any text: title, body, notes, tag names);
                       a word finds the forms that share its stem in the text's language
    "a phrase"         the words next to each other, in this order ("a phrase"~3: up to 3
                       other words between each two of its words, 50 at most); “…”, „…“,
                       «…» and ‹…› are phrases too
    a OR b, a AND b    OR binds tighter than AND: `niger mali OR burkina` is
                       niger AND (mali OR burkina); parentheses group (32 deep at most)
    NOT a, -a          without a
    title: author: source:   the word or "phrase" in that field; title:(a OR b) groups
    source:="Le Monde"       that source exactly (not "Le Monde Afrique")
    topic:NAME region:NAME   a tag and everything under it (region:Sahel finds Niger);
                             regions also by their French name (region:Sénégal)
    lang:fr            the article's language (a code, or english/french/français...)
    date:2023  date:2023-12  date:2023-12-06  date:[2023-12-01 to 2023-12-31]
                       a year, month, day or range (`*` leaves a range open); a clipping
                       whose date is known only to the month or year is in a span when all
                       of that month or year is
    word~  word~2      words written with 1 or 2 letters off (the same first letter)
    secur*             every word starting with these letters (two letters at least)

Prefixes and typos are matched against the words as written (folded), never against
stems. Anything malformed raises `QuerySyntaxError` saying what is wrong and how to write
it, and so does a query with nothing searchable in it (only "l'" or "C", which the index
leaves out). Parsing needs nothing but the text; compiling needs the index's terms (to
expand prefixes and typos) and a way to resolve tag names (the archive). `facet_term` gives
the query text that narrows a search to one facet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from clipper.core.search.analysis import (
    DROPPED,
    IRREGULAR_STEMS,
    MARKS,
    SECTION_GAP,
    STEM_LANGUAGES,
    WORDS,
    folded_tokens,
    stem_language,
    words,
)
from clipper.core.search.engine import (
    NOTHING,
    DatePlan,
    IntersectPlan,
    PhrasePlan,
    Plan,
    TermPlan,
    UnionPlan,
)
from clipper.core.search.schema import TITLE_BOOST, WORDS_FIELD, date_number, primary_language
from clipper.core.text import name_key

TEXT_FIELDS = ("title", "author", "source")
# source:=NAME, the field of one exact source (its key), as a source facet narrows a search.
EXACT_SOURCE = "source="
TAG_FIELDS = ("topic", "region")
FIELDS = (*TEXT_FIELDS, *TAG_FIELDS, "lang", "date")
MAX_FUZZY_DISTANCE = 2
MIN_PREFIX_LENGTH = 2
# "a phrase"~N: at most this many words between two of its words. Sections of a text lie
# SECTION_GAP positions apart, so a bound below that also keeps a phrase in one section.
MAX_PHRASE_GAP = 50
# How deep parentheses may nest (parsing, compiling and evaluating all recurse).
MAX_NESTING = 32
assert MAX_PHRASE_GAP + 1 < SECTION_GAP
LANGUAGE_NAMES = {
    "english": "en", "anglais": "en", "french": "fr", "francais": "fr", "arabic": "ar",
    "arabe": "ar", "spanish": "es", "espagnol": "es", "portuguese": "pt", "portugais": "pt",
    "german": "de", "allemand": "de", "russian": "ru", "russe": "ru", "italian": "it",
    "italien": "it", "chinese": "zh", "chinois": "zh",
}  # fmt: skip
_OPERATORS = ("AND", "OR", "NOT")
_FIELD_PREFIX = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class QuerySyntaxError(ValueError):
    """A query that cannot be understood; the message says what to change."""


# -- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # WORD PHRASE RANGE FIELD LPAREN RPAREN AND OR NOT EOF
    text: str
    start: int
    end: int
    # A phrase's words (between its quotes) and what follows its closing quote ("~3").
    inner: str = ""
    suffix: str = ""


# Quotes that make a phrase, each with the quotes that may close it: straight, English
# “…”, German „…“, French «…» and ‹…›. (Single curly quotes are apostrophes too: l’armée.)
PHRASE_QUOTES = {'"': '"', "“": '”"', "„": '“”"', "«": "»", "‹": "›"}
_CHUNK_ENDS = frozenset("()[]").union(PHRASE_QUOTES)
# What may follow a field's colon directly: a group, a phrase, a range.
_VALUE_STARTS = frozenset("([").union(PHRASE_QUOTES)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            tokens.append(Token("LPAREN", ch, i, i + 1))
            i += 1
        elif ch == ")":
            tokens.append(Token("RPAREN", ch, i, i + 1))
            i += 1
        elif ch in PHRASE_QUOTES:
            closers = PHRASE_QUOTES[ch]
            close = min(
                (found for found in (text.find(c, i + 1) for c in closers) if found >= 0),
                default=-1,
            )
            if close < 0:
                raise QuerySyntaxError(
                    f"the quote {ch} at position {i + 1} is never closed: add a {closers[0]} "
                    f"after {text[i + 1 :].strip()[:30]!r}"
                )
            end = close + 1
            # "a phrase"~3: how far apart its words may be.
            suffix = re.match(r"~(\d*)", text[end:])
            if suffix:
                end += suffix.end()
            tokens.append(
                Token("PHRASE", text[i:end], i, end, inner=text[i + 1 : close],
                      suffix=text[close + 1 : end])
            )  # fmt: skip
            i = end
        elif ch == "[":
            close = text.find("]", i + 1)
            if close < 0:
                raise QuerySyntaxError(
                    "the date range is never closed: write it as date:[2023-12-01 to 2023-12-31]"
                )
            tokens.append(Token("RANGE", text[i + 1 : close], i, close + 1))
            i = close + 1
        elif ch == "]":
            raise QuerySyntaxError(
                "a ] without its [: write a date range as date:[2023-12-01 to 2023-12-31]"
            )
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            tokens.append(Token("NOT", ch, i, i + 1))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _CHUNK_ENDS:
                j += 1
            chunk = text[i:j]
            if chunk in _OPERATORS:
                tokens.append(Token(chunk, chunk, i, j))
            else:
                match = _FIELD_PREFIX.fullmatch(chunk)
                if match and (match.group(2) or (j < n and text[j] in _VALUE_STARTS)):
                    name = match.group(1).lower()
                    if name not in FIELDS:
                        raise QuerySyntaxError(
                            f"unknown field {match.group(1)}: - the fields are "
                            f"{', '.join(f + ':' for f in FIELDS)}; to search for the text "
                            f'itself, put it in quotes: "{chunk}"'
                        )
                    colon = i + len(match.group(1))
                    value, value_start = match.group(2), colon + 1
                    if value.startswith("="):
                        # source:="Le Monde": that source exactly, not a phrase in the name.
                        if name != "source":
                            raise QuerySyntaxError(
                                f"{match.group(1)}:= - an exact name (:=) only works with "
                                'source:, e.g. source:="Le Monde"'
                            )
                        name, value, value_start = EXACT_SOURCE, value[1:], value_start + 1
                        if not value and not (j < n and text[j] in _VALUE_STARTS):
                            raise QuerySyntaxError(
                                "source:= needs the name of a source right after it, e.g. "
                                'source:="Le Monde" or source:=Reuters'
                            )
                    tokens.append(Token("FIELD", name, i, value_start))
                    if value:
                        tokens.append(Token("WORD", value, value_start, j))
                elif match and match.group(1).lower() in FIELDS:
                    raise QuerySyntaxError(
                        f"{chunk} needs something to search for right after the colon, "
                        f'e.g. {match.group(1)}:niger or {match.group(1)}:"a phrase"'
                    )
                else:
                    # A trailing colon on an ordinary word ("Bamako:") is punctuation.
                    tokens.append(Token("WORD", chunk, i, j))
            i = j
    tokens.append(Token("EOF", "", n, n))
    return tokens


# -- the query tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """One word (or several read as a phrase: "Burkina-Faso"), in a field or everywhere."""

    words: tuple[str, ...]
    field: str | None
    start: int
    end: int
    phrase: bool = False
    slop: int = 1
    fuzzy: int = 0
    prefix: bool = False


@dataclass(frozen=True)
class TagClause:
    kind: str
    name: str


@dataclass(frozen=True)
class SourceClause:
    """One exact source, by its key (`text.name_key`)."""

    key: str


@dataclass(frozen=True)
class LanguageClause:
    code: str


@dataclass(frozen=True)
class DateClause:
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Without:
    child: Node


Node = Words | TagClause | SourceClause | LanguageClause | DateClause | AllOf | AnyOf | Without


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        # Words typed that are left out of the index ("C", "l'"), for the error message.
        self.left_out: list[str] = []

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "EOF":  # the end stays the end, however often it is asked for
            self.i += 1
        return token

    def parse(self) -> Node | None:
        if self.peek().kind == "EOF":
            return None
        node = self.parse_and(None)
        token = self.peek()
        if token.kind == "RPAREN":
            raise QuerySyntaxError(
                f"the ) at position {token.start + 1} has no ( before it: remove it or add a ("
            )
        assert token.kind == "EOF"
        if node is None:
            # Something was typed, but nothing in it is searched for: listing the whole
            # archive would answer a question nobody asked.
            if self.left_out:
                names = ", ".join(repr(word) for word in self.left_out[:3])
                raise QuerySyntaxError(
                    f"{names}: nothing to search for - single letters such as c, d, l, s "
                    "and French elisions (l', d', qu') are left out of the index; search "
                    "for a word, e.g. l'armée"
                )
            raise QuerySyntaxError(
                f"{self.text.strip()[:30]!r} has nothing to search for: type a word"
            )
        return node

    def nested(self, token: Token) -> None:
        """One more level of parentheses; too many is an error (not a stack overflow)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QuerySyntaxError(
                f"the ( at position {token.start + 1} nests parentheses more than "
                f"{MAX_NESTING} deep: write the query flatter"
            )

    def parse_and(self, fieldname: str | None) -> Node | None:
        items = [self.parse_or(fieldname)]
        while self.peek().kind not in ("EOF", "RPAREN"):
            if self.peek().kind == "AND":
                operator = self.take()
                if self.peek().kind in ("EOF", "RPAREN", "AND", "OR"):
                    raise QuerySyntaxError(
                        f"AND at position {operator.start + 1} needs something after it, "
                        "e.g. niger AND mali"
                    )
            items.append(self.parse_or(fieldname))
        return _combine(AllOf, items)

    def parse_or(self, fieldname: str | None) -> Node | None:
        items = [self.parse_unary(fieldname)]
        while self.peek().kind == "OR":
            operator = self.take()
            if self.peek().kind in ("EOF", "RPAREN", "AND", "OR"):
                raise QuerySyntaxError(
                    f"OR at position {operator.start + 1} needs something after it, "
                    "e.g. niger OR mali"
                )
            items.append(self.parse_unary(fieldname))
        return _combine(AnyOf, items)

    def parse_unary(self, fieldname: str | None) -> Node | None:
        # A loop, not recursion: NOT NOT NOT ... is as long as an editor likes.
        negations = 0
        while self.peek().kind == "NOT":
            operator = self.take()
            negations += 1
            if self.peek().kind in ("EOF", "RPAREN", "AND", "OR"):
                raise QuerySyntaxError(
                    f"{'NOT' if operator.text == 'NOT' else 'a leading -'} at position "
                    f"{operator.start + 1} needs a word after it, e.g. niger NOT mali or -mali"
                )
        child = self.parse_primary(fieldname)
        if child is None or negations % 2 == 0:
            return child
        return Without(child)

    def parse_primary(self, fieldname: str | None) -> Node | None:
        token = self.take()
        if token.kind == "LPAREN":
            if self.peek().kind == "EOF":
                raise QuerySyntaxError(
                    f"the ( at position {token.start + 1} is never closed: add words and a )"
                )
            if self.peek().kind == "RPAREN":
                raise QuerySyntaxError(
                    f"the parentheses at position {token.start + 1} are empty: put words in them"
                )
            self.nested(token)
            node = self.parse_and(fieldname)
            if self.take().kind != "RPAREN":
                raise QuerySyntaxError(
                    f"the ( at position {token.start + 1} is never closed: add a )"
                )
            self.depth -= 1
            return node
        if token.kind in ("AND", "OR"):
            raise QuerySyntaxError(
                f"{token.text} at position {token.start + 1} needs something before it, "
                f"e.g. niger {token.text} mali"
            )
        if token.kind == "RPAREN":
            raise QuerySyntaxError(
                f"the ) at position {token.start + 1} has no ( before it: remove it or add a ("
            )
        if token.kind == "FIELD":
            if fieldname is not None:
                raise QuerySyntaxError(
                    f"{token.text}: cannot go inside {fieldname}:(...); "
                    "put the two fields side by side instead"
                )
            value = self.peek()
            if value.kind == "LPAREN":
                return self.parse_primary(token.text)
            if value.kind not in ("WORD", "PHRASE", "RANGE"):
                raise QuerySyntaxError(
                    f"{token.text}: needs something to search for right after the colon, "
                    f'e.g. {token.text}:niger or {token.text}:"a phrase"'
                )
            return self.clause(token.text, self.take())
        if token.kind == "RANGE":
            raise QuerySyntaxError(
                "a [ ... ] range only works with date:, e.g. date:[2023-12-01 to 2023-12-31]"
            )
        return self.clause(fieldname, token)

    def clause(self, fieldname: str | None, token: Token) -> Node | None:
        if fieldname == "date":
            return _date_clause(token)
        if token.kind == "RANGE":
            raise QuerySyntaxError(
                f"a [ ... ] range only works with date:, not {fieldname}: - "
                "e.g. date:[2023-12-01 to 2023-12-31]"
            )
        text, slop, fuzzy, prefix = _value(token)
        if fieldname == EXACT_SOURCE:
            key = name_key(text)
            if fuzzy or prefix or not key:
                raise QuerySyntaxError(
                    "source:= takes the whole name of a source, without * or ~: e.g. "
                    'source:="Le Monde"'
                )
            return SourceClause(key)
        if fieldname in TAG_FIELDS or fieldname == "lang":
            if fuzzy or prefix:
                raise QuerySyntaxError(
                    f"{fieldname}: takes a whole name, without * or ~: e.g. {fieldname}:"
                    + ("fr" if fieldname == "lang" else '"Burkina Faso"')
                )
            if fieldname == "lang":
                return _language_clause(text)
            if not text.strip():
                raise QuerySyntaxError(f"{fieldname}: needs a name, e.g. {fieldname}:Niger")
            return TagClause(fieldname, text.strip())
        found = tuple(words(text))
        if prefix or fuzzy:
            # Letters, not a word: "qu*" is every word starting with "qu", although "qu"
            # alone is left out (as the "qu" of "qu'il").
            tokens = folded_tokens(text)
            found = tuple(t for t in tokens if t not in DROPPED) or tuple(tokens[-1:])
        if not found:
            if folded_tokens(text):
                self.left_out.append(text.strip())
            if token.kind == "PHRASE":
                raise QuerySyntaxError(
                    f"the phrase at position {token.start + 1} has no words in it"
                    + (" that are searched for (l', d', c... are left out)"
                       if folded_tokens(text) else "")
                )  # fmt: skip
            if prefix or fuzzy:
                raise QuerySyntaxError(
                    f"{token.text!r} needs letters before the {'*' if prefix else '~'}, "
                    "e.g. secur* or goita~"
                )
            return None  # punctuation only: nothing to search for
        if (prefix or fuzzy) and len(found) > 1:
            raise QuerySyntaxError(
                f"{'*' if prefix else '~'} works on a single word; {token.text!r} has "
                f"{len(found)}: put it after one word, e.g. {found[-1]}{'*' if prefix else '~'}"
            )
        if prefix and len(found[0]) < MIN_PREFIX_LENGTH:
            raise QuerySyntaxError(
                f"{token.text!r}: a * needs at least {MIN_PREFIX_LENGTH} letters before it, "
                "e.g. se* or secur*"
            )
        start = token.start
        return Words(
            words=found,
            field=fieldname,
            start=start,
            end=token.end,
            phrase=token.kind == "PHRASE" or len(found) > 1,
            slop=slop,
            fuzzy=fuzzy,
            prefix=prefix,
        )


def _combine(kind: Any, items: list[Node | None]) -> Node | None:
    kept = [item for item in items if item is not None]
    if not kept:
        return None
    if len(kept) == 1:
        return kept[0]
    return kind(tuple(kept))


def _value(token: Token) -> tuple[str, int, int, bool]:
    """(text, phrase slop, fuzzy distance, prefix?) of a word or phrase token."""
    raw = token.text
    if token.kind == "PHRASE":
        slop = 1
        if token.suffix:
            digits = token.suffix[1:]
            gap = int(digits) if digits else 1
            quoted = raw[: len(raw) - len(token.suffix)]
            if gap > MAX_PHRASE_GAP:
                raise QuerySyntaxError(
                    f"{raw}: the words of a phrase can be {MAX_PHRASE_GAP} words apart at "
                    f"most, e.g. {quoted}~3"
                )
            slop = gap + 1
        return token.inner, slop, 0, False
    fuzzy, prefix = 0, False
    if "~" in raw:
        head, _, tail = raw.partition("~")
        if "~" in tail or (tail and not tail.isdigit()):
            raise QuerySyntaxError(
                f"{raw!r}: write ~ at the end of a word, optionally with 1 or 2 "
                "(how many letters may differ), e.g. goita~ or goita~2"
            )
        fuzzy = int(tail) if tail else 1
        if not 1 <= fuzzy <= MAX_FUZZY_DISTANCE:
            raise QuerySyntaxError(
                f"{raw!r}: a word can be {MAX_FUZZY_DISTANCE} letters off at most, "
                "e.g. goita~ or goita~2"
            )
        raw = head
    if "*" in raw:
        if raw.index("*") != len(raw) - 1:
            raise QuerySyntaxError(
                f"{token.text!r}: * only works at the end of a word (secur*), "
                "not at its start or in the middle"
            )
        if fuzzy:
            raise QuerySyntaxError(f"{token.text!r}: use either * or ~ on a word, not both")
        prefix = True
        raw = raw[:-1]
    return raw, 1, fuzzy, prefix


def _language_clause(text: str) -> LanguageClause:
    value = text.strip().lower()
    folded = WORDS.folded(value)
    if folded in LANGUAGE_NAMES:
        return LanguageClause(LANGUAGE_NAMES[folded])
    if re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*", value):
        return LanguageClause(primary_language(value))
    raise QuerySyntaxError(
        f"lang:{text} is not a language: use a code such as lang:fr or lang:en "
        "(or lang:french, lang:english)"
    )


def _date_clause(token: Token) -> DateClause:
    if token.kind == "PHRASE":
        raise QuerySyntaxError(
            "date: takes a date without quotes: date:2023, date:2023-12, date:2023-12-06 "
            "or date:[2023-12-01 to 2023-12-31]"
        )
    if token.kind == "WORD":
        first, last = _date_span(token.text)
        return DateClause(first, last)
    parts = re.split(r"\s+to\s+", token.text.strip(), flags=re.IGNORECASE)
    if len(parts) != 2:
        raise QuerySyntaxError(
            f"date:[{token.text}] is not a range: write date:[2023-12-01 to 2023-12-31] "
            "(* leaves an end open: date:[2023-12-01 to *])"
        )
    start: dt.date | None = _date_span(parts[0])[0] if parts[0].strip() != "*" else None
    end: dt.date | None = _date_span(parts[1])[1] if parts[1].strip() != "*" else None
    if start and end and end < start:
        raise QuerySyntaxError(
            f"date:[{token.text}] ends before it starts: put the earlier date first"
        )
    if start is None and end is None:
        raise QuerySyntaxError("date:[* to *] matches everything: leave the date out instead")
    return DateClause(start, end)


def _date_span(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date of year, month or day precision covers."""
    value = text.strip()
    match = _DATE.fullmatch(value)
    if not match:
        raise QuerySyntaxError(
            f"{value!r} is not a date: write date:2023, date:2023-12 or date:2023-12-06"
        )
    year = int(match.group(1))
    if year < dt.MINYEAR:
        raise QuerySyntaxError(f"{value!r}: there is no year 0; write a year from 0001 to 9999")
    if match.group(2) is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(match.group(2))
    if not 1 <= month <= 12:
        raise QuerySyntaxError(f"{value!r}: there is no month {month}; months go from 01 to 12")
    if match.group(3) is None:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = int(match.group(3))
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise QuerySyntaxError(
            f"{value!r}: {calendar.month_name[month]} {year} has no day {day}"
        ) from None
    return date, date


def parse(text: str) -> Node | None:
    """The tree of a query, or None when it is blank (spaces only). A query with something
    typed but nothing to search for is a QuerySyntaxError."""
    return _Parser(text).parse()


# -- compiling to an evaluation plan --------------------------------------------------------


@dataclass
class HighlightSpec:
    """What to mark in a text: the query's positive words, as the index matched them.

    `terms` are tagged stems (a word of a text in that language is marked when its stem
    is one of them), `words` folded words (fuzzy matches), `prefixes` folded prefixes.
    """

    terms: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    _finder: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    def matches(self, word: str, language: str | None) -> bool:
        """Whether a folded word of a text in `language` is one the query asked for."""
        if word in self.words or WORDS.term(word, stem_language(language)) in self.terms:
            return True
        return any(word.startswith(p) for p in self.prefixes)

    def matching_tokens(self, tokens: Iterable[str], language: str | None) -> set[str]:
        """The tokens (as written in a text) that the query asked for."""
        stem_lang = stem_language(language)
        token_term = WORDS.token_term
        folded = WORDS.folded
        terms, wanted_words = self.terms, self.words
        starts = tuple(self.starts())
        found = {
            t
            for t in tokens
            if folded(t).startswith(starts)
            and (token_term(t, stem_lang) in terms or folded(t) in wanted_words)
        }
        if self.prefixes:
            prefixes = tuple(self.prefixes)
            found.update(t for t in tokens if folded(t).startswith(prefixes))
        return found

    def starts(self) -> set[str]:
        """What every folded word the query asked for starts with (see `candidates`): a stem
        but its last STEM_TAIL letters (its first HEAD letters at least), a word asked for
        as written, and the words stemmed to a stem by a rule of their own ("dying" for
        "die")."""
        starts = {_stem_start(_stem_of(t)) for t in self.terms} | self.words
        for term in self.terms & IRREGULAR_STEMS.keys():
            starts.update(IRREGULAR_STEMS[term])
        return {start for start in starts if start}

    def candidates(self) -> re.Pattern[str]:
        """A regex for the words of a (composed) text that may match: those whose first HEAD
        letters are those of a start (`starts`), or that start with a prefix, accents and
        case aside. Only these words need folding, and those with a whole start stemming,
        which for a word seen for the first time is slow; the regex finds them in C. (With
        the whole starts, the regex took longer to compile than it saved.)

        It is only used on texts that `simple_text` accepts: there, every letter is one
        whose folded forms `_letter_class` knows."""
        if self._finder is None:
            starts = {start[:HEAD] for start in self.starts()} | set(self.prefixes)
            alternatives = "|".join(
                "".join(_letter_class(ch) for ch in start)
                for start in sorted(starts, key=len, reverse=True)
            )
            # A simple text has no combining marks: a word there is a run of \w, and its
            # start a word boundary (cheaper to test than the look-behind WORD_RE needs).
            self._finder = re.compile(rf"\b(?:{alternatives or '(?!)'})\w*")
        return self._finder

    def __bool__(self) -> bool:
        return bool(self.terms or self.words or self.prefixes)


def _stem_of(term: str) -> str:
    """The stem in a tagged term ("fr:arme" -> "arme")."""
    return term.partition(":")[2]


# A stem is its word but for its last few letters: Snowball's French turns "ication" into
# "iqu" ("publication" -> "publiqu") and "emment" into "ent", two letters changed; Porter2
# changes one ("happy" -> "happi", "dying" -> "die" aside: see IRREGULAR_STEMS). Its first
# STEM_TAIL letters less are the word's own, one spare; and a stem keeps at least the
# first HEAD letters of its word (see HighlightSpec.candidates).
STEM_TAIL = 3
HEAD = 2


def _stem_start(stem: str) -> str:
    """What every word with this stem starts with (folded)."""
    return stem[: max(HEAD, len(stem) - STEM_TAIL)]


def _letter_class(letter: str) -> str:
    """A regex class of every letter of a simple text (`simple_text`) that folds to `letter`."""
    variants = _FOLDS_TO.get(letter, "")
    return f"[{re.escape(letter)}{re.escape(variants)}]" if variants else re.escape(letter)


def _scripts_folding() -> tuple[dict[str, str], frozenset[str]]:
    """Folded letter -> the letters that fold to it (É, é, Ę... for e; Ё for е), over the
    scripts whose letters fold one to one: Latin, Greek, Cyrillic. And the characters of a
    simple text: those letters, ASCII, and what is no part of a word in those blocks and
    in the general punctuation and currency ones. A ligature such as "ﬁ" folds to two
    letters, a Hangul syllable or a kana to itself; a text with one is read word by word."""
    table: dict[str, list[str]] = {}
    simple = {chr(code) for code in range(0x80)}
    blocks = (range(0x80, 0x250), range(0x370, 0x530), range(0x1E00, 0x20D0))
    for char in (chr(code) for block in blocks for code in block):
        if not _WORD_CHAR.match(char):
            simple.add(char)
            continue
        folded = WORDS.folded(char)
        if len(folded) != 1:
            continue
        simple.add(char)
        if folded != char:
            table.setdefault(folded, []).append(char)
    for letter in map(chr, range(0x41, 0x5B)):
        table.setdefault(letter.lower(), []).append(letter)
    return {k: "".join(v) for k, v in table.items()}, frozenset(simple)


def _char_class(chars: frozenset[str]) -> str:
    """A regex class body of these characters, as ranges of consecutive code points."""
    codes = sorted(map(ord, chars))
    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            first, last = re.escape(chr(start)), re.escape(chr(previous))
            parts.append(first if start == previous else f"{first}-{last}")
            start = code
        previous = code
    return "".join(parts)


_WORD_CHAR = re.compile(rf"[\w{MARKS}]")
_FOLDS_TO, _SIMPLE_CHARS = _scripts_folding()
# Finds a character outside those blocks: the text may still be simple (an emoji is no part
# of a word), which `simple_text` then works out one distinct character at a time.
_UNUSUAL = re.compile(f"[^{_char_class(_SIMPLE_CHARS)}]")
_KEEPS_SIMPLE: dict[str, bool] = {}


def simple_text(text: str) -> bool:
    """Whether every letter of `text` folds to a single letter that `_letter_class` knows
    (so `HighlightSpec.candidates` finds every word that may match). This runs for every
    hit shown: usually one scan in C."""
    if text.isascii() or _UNUSUAL.search(text) is None:
        return True
    for char in set(text).difference(_SIMPLE_CHARS):
        keeps = _KEEPS_SIMPLE.get(char)
        if keeps is None:
            keeps = _KEEPS_SIMPLE[char] = _WORD_CHAR.match(char) is None
        if not keeps:
            return False
    return True


@dataclass
class Compiled:
    plan: Plan
    highlight: HighlightSpec
    # Plain words that match nothing: (start, end, folded word) in the query text.
    unknown_words: list[tuple[int, int, str]]


TagResolver = Callable[[str, str], Iterable[int] | None]


class Lexicon(Protocol):
    """The terms of the index, as the compiler needs them (see `SearchIndex`)."""

    def doc_frequency(self, fieldname: str, term: str) -> int: ...

    def with_prefix(self, fieldname: str, prefix: str) -> list[str]: ...

    def within(self, fieldname: str, word: str, distance: int) -> set[str]: ...


class Compiler:
    """Turns a query tree into an evaluation plan for the current index readers.

    `lexicon` gives the index's terms (to expand prefixes and fuzzy words);
    `resolve_tag(kind, name)` returns the tag ids a tag clause covers (the tag and
    everything under it), or None when there is no such tag.
    """

    def __init__(self, lexicon: Lexicon, resolve_tag: TagResolver) -> None:
        self.reader = lexicon
        self.resolve_tag = resolve_tag
        self.highlight = HighlightSpec()
        self.unknown: list[tuple[int, int, str]] = []

    def compile(self, node: Node) -> Compiled:
        return Compiled(self.node(node, positive=True), self.highlight, self.unknown)

    def node(self, node: Node, positive: bool) -> Plan:
        if isinstance(node, AllOf):
            required = tuple(
                self.node(c, positive) for c in node.children if not isinstance(c, Without)
            )
            excluded = tuple(
                self.node(c.child, not positive) for c in node.children if isinstance(c, Without)
            )
            return IntersectPlan(required, excluded)
        if isinstance(node, AnyOf):
            return UnionPlan(tuple(self.node(child, positive) for child in node.children))
        if isinstance(node, Without):
            return IntersectPlan((), (self.node(node.child, not positive),))
        if isinstance(node, TagClause):
            ids = self.resolve_tag(node.kind, node.name)
            if not ids:
                return NOTHING
            return UnionPlan(tuple(TermPlan(node.kind, str(i), scored=False) for i in sorted(ids)))
        if isinstance(node, SourceClause):
            return TermPlan("srckey", node.key, scored=False)
        if isinstance(node, LanguageClause):
            return TermPlan("lang", node.code, scored=False)
        if isinstance(node, DateClause):
            return DatePlan(
                date_number(node.first) if node.first else None,
                date_number(node.last) if node.last else None,
                within=True,
            )
        assert isinstance(node, Words)
        return self.words(node, positive)

    def words(self, node: Words, positive: bool) -> Plan:
        fieldname = node.field or "content"
        stemmed = fieldname in ("content", "title")
        # Prefixes and fuzzy words match folded words (`words`, `titlewords`), never stems: a
        # stemmer cuts the end a typo or a prefix is about.
        plain_field = WORDS_FIELD.get(fieldname, fieldname)
        highlighted = positive and stemmed
        if node.phrase:
            if stemmed:
                variants = {
                    tuple(WORDS.term(w, lang) for w in node.words) for lang in STEM_LANGUAGES
                }
            else:
                variants = {node.words}
            if highlighted:
                for variant in variants:
                    self.highlight.terms.update(variant)
            return _any(tuple(PhrasePlan(fieldname, v, node.slop) for v in sorted(variants)))
        word = node.words[0]
        if node.prefix:
            if highlighted:
                self.highlight.prefixes.add(word)
            terms = self.reader.with_prefix(plain_field, word)
            return _any(tuple(TermPlan(plain_field, t) for t in terms))
        if node.fuzzy:
            expanded = sorted(self.reader.within(plain_field, word, node.fuzzy))
            if highlighted:
                self.highlight.words.update(expanded)
            return _any(tuple(TermPlan(plain_field, t) for t in expanded))
        keys = WORDS.terms(word) if stemmed else (word,)
        if highlighted:
            self.highlight.terms.update(keys)
        if (
            positive
            and node.field in (None, "title")
            and not any(self.reader.doc_frequency(fieldname, key) for key in keys)
        ):
            self.unknown.append((node.start, node.end, word))
        clauses = [TermPlan(fieldname, key) for key in keys]
        if node.field is None:
            clauses += [TermPlan("title", key, boost=TITLE_BOOST) for key in keys]
        return _any(tuple(clauses))


def _any(plans: tuple[Plan, ...]) -> Plan:
    if not plans:
        return NOTHING
    return plans[0] if len(plans) == 1 else UnionPlan(plans)


# The query field each kind of facet narrows by.
FACET_FIELDS = {"topic": "topic", "region": "region", "month": "date", "language": "lang"}


def facet_term(kind: str, value: str) -> str:
    """The query text that narrows a search to one facet value (as `SearchResults.facets`
    names it: a topic, region, source, month or language), such that the facet's count is
    the number of hits it leaves. Combine it with the typed query as one more condition:
    `(typed query) facet_term(...)`."""
    if kind == "source":
        return f"source:={_quoted(value)}"
    if kind in ("topic", "region"):
        return f"{kind}:{_quoted(value)}"
    if kind in ("month", "language"):
        return f"{FACET_FIELDS[kind]}:{value.strip()}"
    raise ValueError(f"unknown facet kind {kind!r}: one of topic, region, source, month, language")


def _quoted(name: str) -> str:
    """A name as a quoted query value. Names are looked up by their key (`name_key`), which
    ignores punctuation, so a quote inside a name can go."""
    return '"' + " ".join(name.replace('"', " ").split()) + '"'
