"""The query language, element by element, on a small newsroom archive; and malformed
queries, each with a message that says what to change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.core.archive import Archive
from clipper.core.search import QuerySyntaxError
from clipper.core.search.query import parse
from tests.helpers.archives import add, ids


def found(archive: Archive, newsroom: dict[int, int], query: str) -> set[int]:
    """The NEWSROOM numbers (1..8) a query finds."""
    number_of = {cid: number for number, cid in newsroom.items()}
    return {number_of[cid] for cid in ids(archive, query)}


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        # words: every one must appear
        ("junta russian", {1}),
        ("junta", {1}),
        ("elections", {3, 4}),
        # phrases, in order, and with slop
        ('"russian delegation"', {1}),
        ('"delegation russian"', set()),
        ('"junta delegation"', set()),
        ('"junta delegation"~3', {1}),
        ('"armée malienne"', {2}),
        # OR, AND, NOT, -, parentheses; OR binds tighter than AND
        ("kidal OR uranium", {2, 5}),
        ("kidal AND armée", {2}),
        ("niger uranium OR junta", {1, 5}),
        ("(mali OR niger) gold", {6}),
        ("niger NOT uranium", {1}),
        ("-uranium niger", {1}),
        ("NOT niger", {2, 3, 4, 6, 7, 8}),
        # fields
        ("title:elections", {3, 4}),
        ("title:(kidal OR uranium)", {2, 5}),
        ("title:Niamey", set()),
        ("source:reuters", {4, 5}),
        ('source:"le monde"', {1, 7}),
        ("author:dupont", {2}),
        ('author:"morgane le cam"', {1}),
        # tags: by id, with everything under them; regions by any gazetteer name
        ("topic:mining", {5, 6}),
        ('topic:"food security"', {7}),
        ("region:niger", {1, 5}),
        ("region:Tchad", {7}),
        ("region:Sahel", {1, 2, 3, 4, 5, 6, 7}),
        ('region:"Afrique de l\'Ouest"', {1, 2, 3, 4, 5, 6}),
        ("region:Atlantis", set()),
        # language
        ("lang:fr", {2, 3, 7}),
        ("lang:english mining", {5, 6, 8}),  # "mines" shares the stem of "mining"
        # dates
        ("date:2023", {1, 2, 5, 7, 8}),
        ("date:2023-12", {1, 7}),
        ("date:2023-12-06", {1}),
        ("date:[2023-11-01 to 2023-12-31]", {1, 2, 7}),
        ("date:[2023-11 to 2024-01]", {1, 2, 3, 7}),
        ("date:[2024-01-01 to *]", {3, 4}),
        ("date:[* TO 2022-12-31]", {6}),
        ("mercenaries date:2023", {8}),
        # fuzzy and prefix
        ("uranim~", {5}),
        ("wagnr~", {8}),
        ("tiamni~2", {1}),
        ("merc*", {8}),
        ("secur*", {1, 2, 7, 8}),
        ("sécuri*", {1, 2, 7, 8}),  # sécurité, and "Security", a topic of 1 and 8
        ("armée*", {2}),  # longer than its stem, "arme"
        ("kid*", {2}),
        ("title:elect*", {3, 4}),
        # tag names are searchable text too
        ("mining", {5, 6, 8}),
        ("mining -mercenaries", {5, 6}),
    ],
)
def test_each_element_of_the_query_language(
    newsroom_archive: Archive, query: str, numbers: set[int]
) -> None:
    newsroom = {n: n for n in range(1, 9)}  # a fresh archive numbers its clippings 1..8
    assert found(newsroom_archive, newsroom, query) == numbers


def test_notes_are_searchable(archive: Archive, newsroom: dict[int, int]) -> None:
    assert found(archive, newsroom, "royalties ministry") == set()
    archive.add_note(newsroom[6], "Ask the ministry of mines about royalties.")
    assert found(archive, newsroom, "royalties ministry") == {6}


def test_a_renamed_tag_is_found_by_its_new_name(archive: Archive, newsroom: dict[int, int]) -> None:
    tag = archive.find_tag("topic", "Mining")
    assert tag is not None
    archive.rename_tag(tag.id, "Extractive industries")
    assert found(archive, newsroom, 'topic:"extractive industries"') == {5, 6}
    assert found(archive, newsroom, "extractive") == {5, 6}
    assert found(archive, newsroom, "topic:mining") == set()


def test_a_topic_includes_the_topics_under_it(archive: Archive, newsroom: dict[int, int]) -> None:
    parent = archive.create_tag("topic", "Natural resources").value
    mining = archive.find_tag("topic", "Mining")
    assert mining is not None
    assert found(archive, newsroom, 'topic:"natural resources"') == set()
    archive.move_tag(mining.id, parent.id)
    # Tags are indexed by id, so moving one needs no reindexing.
    assert found(archive, newsroom, 'topic:"natural resources"') == {5, 6}


def test_punctuation_only_words_are_ignored(archive: Archive, newsroom: dict[int, int]) -> None:
    assert found(archive, newsroom, "junta — & russian") == {1}
    assert found(archive, newsroom, "Bamako: junta") == set()
    assert found(archive, newsroom, "Niamey: junta") == {1}


def test_hyphenated_words_are_read_as_a_phrase(archive: Archive) -> None:
    wanted = add(archive, "A", "Le Burkina-Faso et le Niger.")
    add(archive, "B", "Faso, Burkina: words apart.")
    assert ids(archive, "Burkina-Faso") == {wanted}


MALFORMED = [
    ('"armée malienne', 'never closed: add a "'),
    ("(niger OR mali", "never closed: add a )"),
    ("niger)", "has no ( before it"),
    ("AND niger", "needs something before it"),
    ("niger OR", "needs something after it"),
    ("niger AND", "needs something after it"),
    ("NOT", "needs a word after it"),
    ("()", "empty"),
    ("colour:red", "unknown field colour:"),
    ("title:", "needs something to search for"),
    ("region:", "needs something to search for"),
    ("date:2023-13", "no month 13"),
    ("date:2023-02-30", "no day 30"),
    ("date:yesterday", "is not a date"),
    ("date:[2023-12-31 to 2023-12-01]", "ends before it starts"),
    ("date:[2023-12-01 2023-12-31]", "is not a range"),
    ("date:[2023-12-01 to", "never closed"),
    ("[2023 to 2024]", "only works with date:"),
    ("niger]", "without its ["),
    ("*", "needs letters before the *"),
    ("a*", "at least 2 letters"),
    ("se*c", "only works at the end of a word"),
    ("goita~5", "2 letters off at most"),
    ("goita~x", "write ~ at the end of a word"),
    ("secur*~", "either * or ~"),
    ("lang:klingon", "is not a language"),
    ("region:Mal*", "takes a whole name"),
    ("title:(source:x)", "cannot go inside"),
    ('date:"2023"', "without quotes"),
    ('""', "has no words"),
    ("title:(", "never closed"),
    ("niger (", "never closed"),
    ("(", "never closed"),
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*'ab ()"[]:*~-', "AND ", "OR ", "NOT ", "title:", "date:", "2023"]),
        max_size=12,
    ).map("".join)
)
def test_any_text_parses_or_raises_query_syntax_error(text: str) -> None:
    """Whatever an editor types, the parser answers with a query or a readable error."""
    try:
        parse(text)
    except QuerySyntaxError as exc:
        assert str(exc)


@pytest.mark.parametrize(("query", "hint"), MALFORMED)
def test_malformed_queries_raise_one_error_with_a_message_to_act_on(
    newsroom_archive: Archive, query: str, hint: str
) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        newsroom_archive.search(query)
    assert hint in str(raised.value)
    assert isinstance(raised.value, ValueError)
