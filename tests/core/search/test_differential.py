"""Differential tests: hypothesis makes archives (texts in French, English and other
scripts, regions with their groupings, topics in a tree, dates known to the day, month or
year, several segments, a trashed and an edited clipping) and queries (words, phrases with
and without slop, prefixes, typos, fields, tags, languages, sources, dates, AND/OR/NOT), and
every answer is checked against the two oracles of `oracles`:

- the hits are those of the brute-force evaluation and of Whoosh's own searcher;
- every score is Whoosh's BM25F;
- the pages, at any size, are a partition of the full ranking, best first;
- each facet's count is the number of hits its filter leaves, and the facets offered are
  those of the hits.

And a fuzz test of the whole query path: whatever is typed gets results or one
QuerySyntaxError, never another exception.
"""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location
from clipper.core.regions import load_gazetteer
from clipper.core.search import QuerySyntaxError, engine
from clipper.core.search.analysis import DROPPED, WORD_RE, WORDS
from clipper.core.search.query import facet_term
from clipper.core.search.schema import primary_language
from clipper.core.text import name_key
from tests.core.search.oracles import (
    All,
    Any,
    BruteForce,
    Dates,
    Fuzzy,
    Lang,
    Neg,
    Phrase,
    Prefix,
    Q,
    Source,
    Tag,
    WhooshOracle,
    Word,
    date_span,
    live_documents,
    render,
)

# -- archives --------------------------------------------------------------------------------

VOCABULARY = (
    "armée", "Armées", "ARMÉE", "l'armée", "sécurité", "securite", "Goïta", "Goita", "Niamey",
    "élection", "élections", "elections", "election", "government", "governments",
    "gouvernement", "gouvernements", "gouverner", "news", "new", "nouvelles", "great",
    "greater", "operations", "operation", "opérations", "uranium", "d'État", "Etat", "the",
    "of", "de", "la", "le", "army", "chief", "junta", "Junta", "Bamako", "Mali's", "Burkina-Faso",
    "constitution", "constitutionnel", "rhetorical", "Qatar", "QATAR", "Москва", "МОСКВА",
    "Москве", "한국", "ガス", "カス", "œuvre", "oeuvre", "2023", "C", "qu'il", "—", ",", "Kidal",
)  # fmt: skip
REGIONS = ("Niger", "Mali", "Burkina Faso", "France", "Sahel")
TOPICS = ("Economy", "Trade", "Security")
SOURCES = ("Le Monde", "Le Monde Afrique", "RFI", "AFP")
AUTHORS = ("Jean Dupont", "Morgane Le Cam", "Aïssata Diallo")
DATES = (
    (dt.date(2023, 1, 5), "day"),
    (dt.date(2023, 3, 1), "month"),
    (dt.date(2023, 1, 1), "year"),
    (dt.date(2024, 2, 29), "day"),
    (dt.date(2022, 12, 31), "day"),
    (None, "day"),
)


@dataclass(frozen=True)
class Story:
    title: str
    body: str
    note: str | None
    language: str | None
    tags: tuple[tuple[str, str], ...]
    source: str | None
    author: str | None
    published: dt.date | None
    precision: str


def texts(low: int, high: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(VOCABULARY), min_size=low, max_size=high).map(" ".join)


stories = st.builds(
    Story,
    title=texts(2, 6),
    body=texts(4, 22),
    note=st.none() | texts(1, 5),
    language=st.sampled_from(["fr", "en", "en", None, "ru"]),
    tags=st.lists(
        st.tuples(st.just("region"), st.sampled_from(REGIONS))
        | st.tuples(st.just("topic"), st.sampled_from(TOPICS)),
        max_size=3,
        unique=True,
    ).map(tuple),
    source=st.none() | st.sampled_from(SOURCES),
    author=st.none() | st.sampled_from(AUTHORS),
    published=st.just(None),
    precision=st.just("day"),
).flatmap(
    lambda story: st.sampled_from(DATES).map(
        lambda d: Story(**{**story.__dict__, "published": d[0], "precision": d[1]})
    )
)


@dataclass(frozen=True)
class Corpus:
    stories: tuple[Story, ...]
    # Catch up after these many stories: each catch-up writes a segment.
    segments: tuple[int, ...]
    trashed: int | None
    edited: int | None


corpora = st.builds(
    Corpus,
    stories=st.lists(stories, min_size=3, max_size=12).map(tuple),
    segments=st.lists(st.integers(1, 4), max_size=3).map(tuple),
    trashed=st.none() | st.integers(0, 11),
    edited=st.none() | st.integers(0, 11),
)
GAZETTEER = load_gazetteer()


@contextmanager
def archive_of(corpus: Corpus) -> Iterator[Archive]:
    with tempfile.TemporaryDirectory(prefix="clipper-differential-") as folder:
        archive = Archive(resolve_location(Path(folder) / "archive"), gazetteer=GAZETTEER)
        try:
            archive.index.parallel = False
            economy = archive.create_tag("topic", "Economy").value
            archive.create_tag("topic", "Trade", parent_id=economy.id)
            made = []
            cut = 0
            cuts = {sum(corpus.segments[: n + 1]) for n in range(len(corpus.segments))}
            for number, story in enumerate(corpus.stories, start=1):
                draft = ClippingDraft(
                    title=story.title,
                    body=story.body,
                    language=story.language,
                    source=story.source,
                    author=story.author,
                    published=story.published,
                    published_precision=story.precision,
                )
                cid = archive.add(draft, story.tags).id
                made.append(cid)
                if story.note:
                    archive.add_note(cid, story.note)
                if number - cut in cuts:
                    archive.index.catch_up()
            if corpus.edited is not None and corpus.edited < len(made):
                archive.update(made[corpus.edited], body="Le gouvernement de Niamey, edited.")
            if corpus.trashed is not None and corpus.trashed < len(made):
                archive.trash([made[corpus.trashed]])
            archive.index.catch_up()
            yield archive
        finally:
            archive.close()


# -- queries ---------------------------------------------------------------------------------


def corpus_words(archive: Archive) -> tuple[list[str], list[list[str]]]:
    """The tokens of the live texts (as written), and runs of kept words for phrases."""
    tokens: list[str] = []
    runs: list[list[str]] = []
    for doc in live_documents(archive):
        for section in (doc.title, doc.body):
            found = WORD_RE.findall(section)
            kept = [t for t in found if WORDS.folded(t) not in DROPPED]
            tokens += [t for t in kept if t not in ("AND", "OR", "NOT")]
            if len(kept) >= 2:
                runs.append(kept)
    return tokens or ["niamey"], runs


def typo(draw: st.DrawFn, word: str) -> str:
    """The word with one or two letters off (the first letter kept)."""
    letters = list(word)
    for _ in range(draw(st.integers(1, 2))):
        where = draw(st.integers(1, max(1, len(letters))))
        edit = draw(st.sampled_from(["insert", "delete", "replace", "swap"]))
        letter = draw(st.sampled_from(string.ascii_lowercase[:8]))
        if edit == "insert" or len(letters) < 3:
            letters.insert(where, letter)
        elif edit == "delete":
            del letters[min(where, len(letters) - 1)]
        elif edit == "replace":
            letters[min(where, len(letters) - 1)] = letter
        elif where < len(letters) - 1:
            letters[where], letters[where + 1] = letters[where + 1], letters[where]
    return "".join(letters)


@st.composite
def leaves(draw: st.DrawFn, tokens: list[str], runs: list[list[str]]) -> Q:
    kind = draw(
        st.sampled_from(["word", "word", "phrase", "prefix", "fuzzy", "field", "tag", "lang",
                         "source", "date"])
    )  # fmt: skip
    if kind == "word":
        return Word(draw(st.sampled_from(tokens)))
    if kind == "phrase" and runs:
        run = draw(st.sampled_from(runs))
        start = draw(st.integers(0, len(run) - 2))
        length = draw(st.integers(2, 3))
        words = run[start : start + length]
        if draw(st.booleans()):  # a word from further on: for the slop
            words = [*words[:-1], run[min(len(run) - 1, start + length + 1)]]
        gap = draw(st.none() | st.integers(0, 4))
        return Phrase(tuple(words), gap, draw(st.sampled_from([None, None, "title"])))
    if kind == "prefix":
        token = draw(st.sampled_from([t for t in tokens if len(WORDS.folded(t)) >= 2]
                                     or ["niamey"]))  # fmt: skip
        size = draw(st.integers(2, max(2, len(token))))
        return Prefix(token[:size], draw(st.sampled_from([None, None, "title"])))
    if kind == "fuzzy":
        word = WORDS.folded(draw(st.sampled_from(tokens)))
        return Fuzzy(typo(draw, word), draw(st.integers(1, 2)))
    if kind == "field":
        author = draw(st.sampled_from(AUTHORS))
        first = author.split()[0]
        return draw(
            st.sampled_from(
                [
                    Word(first.lower(), "author"),
                    Phrase(tuple(author.lower().split()), None, "author"),
                    Word("monde", "source"),
                    Phrase(("le", "monde"), None, "source"),
                    Prefix("Afri", "source"),
                    Fuzzy("dupond", 1, "author"),
                    Word(draw(st.sampled_from(tokens)), "title"),
                ]
            )
        )
    if kind == "tag":
        return draw(
            st.sampled_from([Tag("region", name) for name in (*REGIONS, "Atlantis")]
                            + [Tag("topic", name) for name in TOPICS])
        )  # fmt: skip
    if kind == "lang":
        return Lang(draw(st.sampled_from(["fr", "en", "ru", "de"])))
    if kind == "source":
        return Source(draw(st.sampled_from([*SOURCES, "Reuters"])))
    return draw(
        st.sampled_from(
            [
                Dates("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
                Dates("2023-01", dt.date(2023, 1, 1), dt.date(2023, 1, 31)),
                Dates("2023-03", dt.date(2023, 3, 1), dt.date(2023, 3, 31)),
                Dates("2023-01-05", dt.date(2023, 1, 5), dt.date(2023, 1, 5)),
                Dates("[2023-01-01 to 2023-06-30]", dt.date(2023, 1, 1), dt.date(2023, 6, 30)),
                Dates("[2023-02 to *]", dt.date(2023, 2, 1), None),
                Dates("[* to 2023-01-31]", None, dt.date(2023, 1, 31)),
                Dates("2024-02-29", dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
            ]
        )
    )


def queries(tokens: list[str], runs: list[list[str]]) -> st.SearchStrategy[Q]:
    return st.recursive(
        leaves(tokens, runs),
        lambda children: st.one_of(
            st.lists(children, min_size=2, max_size=3).map(lambda c: All(tuple(c))),
            st.lists(children, min_size=2, max_size=3).map(lambda c: Any(tuple(c))),
            children.map(Neg),
        ),
        max_leaves=4,
    )


# -- the checks ------------------------------------------------------------------------------


def check_hits_and_scores(
    archive: Archive, brute: BruteForce, whoosh: WhooshOracle, query: Q
) -> list[tuple[int, float]]:
    text = render(query)
    ranking = archive.ranked_ids(text)
    expected = brute.hits(query)
    assert {cid for cid, _score in ranking} == expected, text
    theirs = whoosh.scores(query)
    assert set(theirs) == expected, ("whoosh", text)
    for cid, score in ranking:
        assert score == pytest.approx(theirs[cid], abs=2e-4), (text, cid)
    return ranking


def check_pages(archive: Archive, query: Q, ranking: list[tuple[int, float]], size: int) -> None:
    text = render(query)
    paged = []
    for page in range(1, len(ranking) // size + 2):
        results = archive.search(text, page=page, page_size=size)
        assert results.total == len(ranking)
        paged += [(hit.id, hit.score) for hit in results.hits]
    assert paged == ranking, text
    scores = [score for _cid, score in ranking]
    assert scores == sorted(scores, reverse=True), text


def check_facets(archive: Archive, brute: BruteForce, query: Q) -> None:
    text = render(query)
    results = archive.search(text, page_size=1)
    hits = brute.hits(query)
    docs = [brute.texts[cid].doc for cid in hits]
    names = archive.tag_names({t for d in docs for t in (*d.topic_ids, *d.region_ids)})
    expected: dict[str, set[str]] = {
        "topic": {names[t].name for d in docs for t in d.topic_ids if t in names},
        "region": {names[t].name for d in docs for t in d.region_ids if t in names},
        "source": {name_key(d.source) for d in docs if d.source},
        "month": {
            f"{d.published:%Y-%m}" for d in docs if d.published and d.published_precision != "year"
        },
        "language": {primary_language(d.language) for d in docs if d.language},
    }
    for kind, values in results.facets.items():
        offered = {name_key(v) if kind == "source" else v for v, _count in values}
        assert offered == expected[kind], (text, kind)
        for value, count in values:
            facet: Q
            if kind in ("topic", "region"):
                facet = Tag(kind, value)
            elif kind == "source":
                facet = Source(value)
            elif kind == "language":
                facet = Lang(value)
            else:
                first = dt.date.fromisoformat(f"{value}-01")
                span = date_span(first, "month")
                assert span is not None
                facet = Dates(value, *span)
            assert len(brute.hits(All((query, facet)))) == count, (text, kind, value)
            narrowed = archive.search(f"({text}) {facet_term(kind, value)}", page_size=1)
            assert narrowed.total == count, (text, kind, value)


QUERIES_PER_ARCHIVE = 25


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(corpus=corpora, data=st.data())
def test_search_agrees_with_the_brute_force_and_with_whoosh(corpus: Corpus, data: st.DataObject):
    # Phrases are checked on a bit matrix, or on sorted keys when the matrix would be big:
    # each example takes one of the two ways.
    matrix_bytes = data.draw(st.sampled_from([engine.PHRASE_MATRIX_BYTES, 0]), label="matrix")
    with (
        archive_of(corpus) as archive,
        mock.patch.object(engine, "PHRASE_MATRIX_BYTES", matrix_bytes),
    ):
        brute = BruteForce(archive)
        whoosh = WhooshOracle(archive)
        try:
            tokens, runs = corpus_words(archive)
            for number in range(QUERIES_PER_ARCHIVE):
                query = data.draw(queries(tokens, runs), label="query")
                ranking = check_hits_and_scores(archive, brute, whoosh, query)
                if number % 3 == 0:
                    check_pages(archive, query, ranking, data.draw(st.integers(1, 4)))
                if number % 4 == 0:
                    check_facets(archive, brute, query)
        finally:
            whoosh.close()


# -- fuzz: the whole query path --------------------------------------------------------------

FRAGMENTS = [
    *'ab ()"[]:*~-=«»“”„', "AND ", "OR ", "NOT ", "title:", "author:", "source:", "source:=",
    "region:", "topic:", "lang:", "date:", "2023", "-12", "-06", " to ", "~3", "~99", "niger",
    "junta", "l'", "C", "Goïta", "Москва", "한국", "ガ", "\u0301", "ﬁ", "0000", "fr", "Sahel",
]  # fmt: skip


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join))
def test_whatever_is_typed_gets_results_or_one_query_error(
    newsroom_archive: Archive, text: str
) -> None:
    """Parse, compile and evaluate, with highlights, facets and "did you mean": anything
    typed is answered or refused with a QuerySyntaxError that has a message."""
    try:
        results = newsroom_archive.search(text, page_size=3)
    except QuerySyntaxError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert results.total >= len(results.hits)
    runs = newsroom_archive.highlight(text, "Le colonel Goïta à Niamey, Москва.", "fr")
    assert "".join(run for run, _marked in runs) == "Le colonel Goïta à Niamey, Москва."
