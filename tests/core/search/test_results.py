"""What a search returns: hits with highlighted snippets, totals and pages, facets, "did you
mean", filters, the blank-query listing, more-like-this, and the JSON the CLI prints."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage
from whoosh.filedb.filetables import OrderedHashReader

from clipper.core.archive import Archive
from clipper.core.search import Hit, QuerySyntaxError, SearchResults, engine, searcher
from clipper.core.search.analysis import STEM_LANGUAGES, WORD_RE, WORDS
from clipper.core.search.query import HighlightSpec
from clipper.core.search.results import mark_text
from clipper.core.views import ClippingFilter
from tests.helpers.archives import add, ids


def test_hits_carry_the_archive_fields_and_a_highlighted_snippet(newsroom_archive: Archive) -> None:
    results = newsroom_archive.search("Goita")
    assert results.total == 1
    hit = results.hits[0]
    assert isinstance(hit, Hit)
    assert hit.title == "Mali : l'armée reprend Kidal"
    assert hit.source == "RFI"
    assert hit.published == dt.date(2023, 11, 14)
    assert hit.score > 0
    assert "«Goïta»" in hit.snippet
    assert "<b>Goïta</b>" in hit.snippet_html
    assert ("Goïta", True) in hit.fragments


def test_every_form_of_a_word_is_marked_and_nothing_else(newsroom_archive: Archive) -> None:
    hit = newsroom_archive.search("armée").hits[0]
    assert "«armée»" in hit.snippet and "«armées»" in hit.snippet
    assert "«malienne»" not in hit.snippet
    prefixed = newsroom_archive.search("merc*").hits[0]
    assert "«mercenaries»" in prefixed.snippet


def test_a_word_whose_stem_starts_otherwise_is_marked_where_it_matched(archive: Archive) -> None:
    # Porter2 stems "dying" to "die" by an exception: the word starts "dy", its stem "di".
    add(archive, "Embers", "The dying embers of the old regime, and skies over Niamey.")
    hit = archive.search("die sky").hits[0]
    assert ("dying", True) in hit.fragments and ("skies", True) in hit.fragments


# Endings the French and English stemmers cut or rewrite, the longest rewrites among them.
STEMMED_ENDINGS = (
    "ication", "ications", "iquement", "emment", "amment", "ement", "ements", "ité", "ités",
    "iveness", "ibility", "ability", "ational", "ization", "fulness", "ousness", "ies",
    "ied", "ing", "ingly", "edly", "eed", "euse", "euses", "logie", "logies", "usion",
    "ution", "ance", "ence", "ences", "ances", "ique", "iques", "ables", "y", "ly", "ier",
    "ière", "eaux", "aux", "er", "es", "s", "",
)  # fmt: skip
BENCH_WORDS = Path(__file__).parents[3] / "clipper" / "bench" / "words"


def assert_a_candidate(word: str) -> None:
    """Only words starting as `HighlightSpec.starts` says are stemmed to be marked or not:
    a word stemmed to a term asked for but starting otherwise would go unmarked."""
    folded = WORDS.folded(word)
    for language in STEM_LANGUAGES:
        term = WORDS.term(folded, language)
        if term:
            starts = HighlightSpec(terms={term}).starts()
            assert folded.startswith(tuple(starts)), (word, term, starts)


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="abcdefghilmnoprstuvyéèàç", min_size=1, max_size=7),
    st.sampled_from(STEMMED_ENDINGS),
)
def test_every_word_with_a_stem_asked_for_is_a_candidate_for_marking(stem: str, end: str) -> None:
    assert_a_candidate(stem + end)


def test_every_word_of_the_bench_corpus_is_a_candidate_for_its_own_stem() -> None:
    words = {w for f in sorted(BENCH_WORDS.glob("*.txt")) for w in f.read_text().split()}
    assert len(words) > 500
    for word in [*sorted(words), "publication", "violemment", "possibility", "dying"]:
        assert_a_candidate(word)


VOCABULARY = (
    "publication", "publications", "publique", "violemment", "violent", "armée", "Armées",
    "ARMÉE", "happy", "happiness", "dying", "die", "skies", "sky", "Goïta", "goita",
    "possibility", "possible", "niger", "Nigériens", "élection", "elections", "l'armée",
    "qu'il", "Москва", "москве", "the", "de", "la",
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@example(["dying", "the"], ["die"], "en", False)
@example(["skies", "publications"], ["sky", "publique"], "fr", False)
@given(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=25),
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),
    st.sampled_from(["fr", "en"]),
    st.booleans(),
)
def test_marks_are_those_of_every_word_checked_one_by_one(
    text_words: list[str], query_words: list[str], language: str, as_prefix: bool
) -> None:
    # The oracle: every word of the text, folded and stemmed, against the query's terms.
    spec = HighlightSpec()
    for word in query_words:
        folded = WORDS.folded(word.split("'")[-1])
        if as_prefix:
            spec.prefixes.add(folded[:3])
        else:
            spec.terms.update(WORDS.terms(folded))
    text = ", ".join(text_words) + "."
    expected = [w for w in WORD_RE.findall(text) if spec.matches(WORDS.folded(w), language)]
    marked = [run for run, is_marked in mark_text(text, spec, language) if is_marked]
    assert marked == expected


def test_negated_words_are_not_highlighted(newsroom_archive: Archive) -> None:
    hit = newsroom_archive.search("niger -uranium").hits[0]
    assert "«" in hit.snippet or "Niger" not in hit.snippet
    assert "«uranium»" not in hit.snippet


def test_snippet_html_escapes_the_text(archive: Archive) -> None:
    add(archive, "Markup", "Tags like <script>alert(1)</script> sit next to Niamey.")
    hit = archive.search("Niamey").hits[0]
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<b>Niamey</b>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html


def test_a_long_text_is_cut_around_its_best_stretch(archive: Archive) -> None:
    filler = " ".join(f"word{i}" for i in range(400))
    body = f"{filler} The junta in Niamey met the Russian envoy. {filler}"
    add(archive, "Long", body)
    hit = archive.search("junta Russian").hits[0]
    assert hit.snippet.startswith("… ") and hit.snippet.endswith(" …")
    assert "«junta»" in hit.snippet and "«Russian»" in hit.snippet
    assert len(hit.snippet) < 320


def test_a_hit_found_by_its_tags_or_notes_shows_the_start_of_the_text(archive: Archive) -> None:
    cid = add(archive, "Untitled", "Nothing about the topic in the text itself.")
    archive.add_note(cid, "Remember the uranium contract")
    hit = archive.search("uranium").hits[0]
    assert hit.id == cid
    assert hit.snippet == "Nothing about the topic in the text itself."


def test_pages_split_the_ranked_hits(archive: Archive) -> None:
    for n in range(25):
        add(archive, f"Report {n}", f"The junta met {'again ' * n}in Niamey, report {n}.")
    first = archive.search("junta", page=1, page_size=10)
    second = archive.search("junta", page=2, page_size=10)
    third = archive.search("junta", page=3, page_size=10)
    assert first.total == second.total == third.total == 25
    assert (len(first.hits), len(second.hits), len(third.hits)) == (10, 10, 5)
    everything = [h.id for h in first.hits + second.hits + third.hits]
    assert len(set(everything)) == 25
    scores = [h.score for h in first.hits + second.hits + third.hits]
    assert scores == sorted(scores, reverse=True)
    assert archive.search("junta", page=4, page_size=10).hits == []
    with pytest.raises(ValueError):
        archive.search("junta", page=0)


def test_every_hit_at_once_ranks_as_the_pages_do_and_snippets_follow_on_demand(
    archive: Archive,
) -> None:
    for n in range(25):
        add(archive, f"Report {n}", f"The junta met {'again ' * n}in Niamey, report {n}.")
    add(archive, "Unrelated", "Nothing about it here.")
    paged = [h for page in (1, 2, 3) for h in archive.search("junta", page=page, page_size=10).hits]
    ranked = archive.ranked_ids("junta")
    assert ranked == [(h.id, h.score) for h in paged]
    # Snippets for any clippings of the list, in the order asked (here, by title).
    by_title = sorted(ranked[:12], key=lambda item: archive.get(item[0]).title)
    hits = archive.hits_for("junta", by_title)
    assert [h.id for h in hits] == [cid for cid, _score in by_title]
    snippets = {h.id: h.snippet for h in paged}
    assert all(h.snippet == snippets[h.id] and "«junta»" in h.snippet for h in hits)
    # Filters apply, a blank query lists, and the trash is refused as `search` refuses it.
    niger = archive.ranked_ids("junta", ClippingFilter(ids=(ranked[0][0], ranked[5][0])))
    assert [cid for cid, _score in niger] == [ranked[0][0], ranked[5][0]]
    assert [cid for cid, _ in archive.ranked_ids("")] == archive.list_ids()
    with pytest.raises(QuerySyntaxError):
        archive.ranked_ids("junta", ClippingFilter(in_trash=True))


def test_title_matches_rank_first(archive: Archive) -> None:
    body_only = add(archive, "Elsewhere", "A long report that mentions Kidal once among much else.")
    in_title = add(archive, "Kidal", "A long report on the north among much else entirely.")
    assert [h.id for h in archive.search("kidal").hits] == [in_title, body_only]


def test_facets_count_every_match_not_only_the_page(newsroom_archive: Archive) -> None:
    results = newsroom_archive.search("uranium OR elections OR kidal", page_size=2)
    assert results.total == 4 and len(results.hits) == 2
    facets = results.facets
    assert set(facets) == {"topic", "region", "source", "month", "language"}
    assert facets["topic"] == [("Elections", 2), ("Mining", 1), ("Security", 1)]
    assert facets["source"] == [("Reuters", 2), ("Jeune Afrique", 1), ("RFI", 1)]
    assert facets["language"] == [("en", 2), ("fr", 2)]
    assert dict(facets["region"]) == {"Niger": 1, "Mali": 1, "Burkina Faso": 1, "Senegal": 1}
    assert facets["month"] == [("2024-02", 1), ("2024-01", 1), ("2023-11", 1), ("2023-08", 1)]


def test_did_you_mean_only_when_the_correction_finds_something(newsroom_archive: Archive) -> None:
    typo = newsroom_archive.search("mercenries")
    assert typo.total == 0
    assert typo.suggestion == "mercenaries"
    assert newsroom_archive.search("mercenaries").suggestion is None
    # The rest of the query is kept as typed.
    assert (
        newsroom_archive.search("title:wagner mercenries").suggestion == "title:wagner mercenaries"
    )
    # A correction that finds nothing in combination is not offered.
    assert newsroom_archive.search("mercenries kidal").suggestion is None
    assert newsroom_archive.search("qwxzv").suggestion is None


def test_filters_apply_to_searches(newsroom_archive: Archive) -> None:
    sahel = newsroom_archive.find_tag("region", "Sahel")
    security = newsroom_archive.find_tag("topic", "Security")
    assert sahel is not None and security is not None
    assert ids(newsroom_archive, "junta OR armée OR mercenaries") == {1, 2, 8}
    in_sahel = ClippingFilter(tag_ids=(sahel.id,))
    assert ids(newsroom_archive, "junta OR armée OR mercenaries", flt=in_sahel) == {1, 2}
    both = ClippingFilter(tag_ids=(sahel.id, security.id))
    assert ids(newsroom_archive, "elections OR junta", flt=both) == {1}
    assert ids(newsroom_archive, "elections", flt=ClippingFilter(source="reuters")) == {4}
    assert ids(newsroom_archive, "elections", flt=ClippingFilter(language="fr")) == {3}
    dated = ClippingFilter(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31))
    assert ids(newsroom_archive, "elections", flt=dated) == {3}
    assert ids(newsroom_archive, "elections", flt=ClippingFilter(ids=(4, 5))) == {4}
    assert ids(newsroom_archive, "elections", flt=ClippingFilter(tag_ids=(999_999,))) == set()


def test_a_blank_query_lists_what_the_filter_selects_newest_first(
    newsroom_archive: Archive,
) -> None:
    sahel = newsroom_archive.find_tag("region", "Sahel")
    assert sahel is not None
    results = newsroom_archive.search("  ", ClippingFilter(tag_ids=(sahel.id,)), page_size=3)
    assert results.total == 7
    assert [h.id for h in results.hits] == [4, 3, 7]  # 2024-02-05, 2024-01-10, 2023-12-20
    assert all(h.score == 0 for h in results.hits)
    assert dict(results.facets["region"])["Niger"] == 2
    everything = newsroom_archive.search("")
    assert everything.total == 8 and everything.suggestion is None


def test_a_dossier_lists_in_its_own_order_and_the_trash_can_be_listed(archive: Archive) -> None:
    a = add(archive, "First", "Alpha text.")
    b = add(archive, "Second", "Beta text.")
    c = add(archive, "Third", "Gamma text.")
    dossier = archive.create_dossier("Sahel book").value
    archive.add_to_dossier(dossier.id, [c, a])
    listed = archive.search("", ClippingFilter(dossier_id=dossier.id))
    assert [h.id for h in listed.hits] == [c, a]
    assert ids(archive, "text", flt=ClippingFilter(dossier_id=dossier.id)) == {a, c}
    archive.trash([b])
    trash = archive.search("", ClippingFilter(in_trash=True))
    assert [h.id for h in trash.hits] == [b]
    with pytest.raises(QuerySyntaxError, match="trash cannot be searched"):
        archive.search("beta", ClippingFilter(in_trash=True))


def test_to_json_has_the_fields_the_cli_prints(newsroom_archive: Archive) -> None:
    results = newsroom_archive.search("kidal")
    assert isinstance(results, SearchResults)
    data = json.loads(json.dumps(results.to_json(), ensure_ascii=False))
    assert set(data) == {"total", "hits", "facets", "suggestion"}
    assert data["total"] == 1 and data["suggestion"] is None
    assert set(data["hits"][0]) == {"id", "title", "source", "published", "score", "snippet"}
    assert data["hits"][0]["published"] == "2023-11-14"
    assert data["facets"]["source"] == [["RFI", 1]]


def test_more_like_finds_the_clippings_that_share_the_most_telling_words(
    archive: Archive,
) -> None:
    story = add(
        archive,
        "Orano halts uranium exports",
        "Orano stopped uranium exports from Arlit after the Benin border closed; the yellowcake "
        "waits in Arlit warehouses.",
    )
    follow_up = add(
        archive,
        "Arlit yellowcake still stuck",
        "Months later the Arlit yellowcake has not left: Orano counts the cost of the closed "
        "border with Benin.",
    )
    other = add(archive, "Dakar protests", "Protesters filled the streets of Dakar again.")
    for n in range(6):
        add(archive, f"Filler {n}", f"Some unrelated filler number {n} about rainfall in the east.")
    related = archive.more_like(story)
    assert related[0] == follow_up
    assert story not in related and other not in related
    assert archive.more_like(story, limit=1) == [follow_up]
    archive.trash([story])
    assert archive.more_like(story) == []


def test_a_view_asks_its_segments_for_a_words_frequency_once(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More like this weighs some 80 words by their frequency, a lookup in every segment's
    term table (26 segments at 200,000 clippings); a view asks once a word, what it answers
    is what Whoosh's searcher answers, and it does not depend on what it remembers."""
    story = add(archive, "Orano halts uranium exports", "Orano stopped uranium exports at Arlit.")
    follow_up = add(archive, "Arlit yellowcake stuck", "The Arlit yellowcake of Orano waits.")
    for n in range(4):
        add(archive, f"Filler {n}", f"Some unrelated filler number {n} about rainfall.")
    archive.search("rainfall")  # the view the next calls share
    view = archive.index._view()
    real = engine.SegmentColumns.doc_frequency
    asked: Counter[tuple[str, str, str]] = Counter()

    def counted(columns: engine.SegmentColumns, reader: object, field: str, text: str) -> int:
        asked[(columns.segment_id, field, text)] += 1
        return real(columns, reader, field, text)

    monkeypatch.setattr(engine.SegmentColumns, "doc_frequency", counted)
    related = archive.more_like(story)
    assert related[0] == follow_up
    assert archive.more_like(story) == related
    assert archive.search("uranium exports").total == 1
    assert asked and max(asked.values()) == 1, asked
    for _segment, field, text in asked:
        assert view.stats.doc_frequency(field, text) == view.searcher.doc_frequency(field, text)
    monkeypatch.setattr(engine, "MEMO_LIMIT", 1)  # forgets every word before the next
    assert archive.more_like(follow_up)[0] == story
    assert archive.more_like(story) == related


def test_a_segment_looks_a_word_up_once_for_its_weight_and_its_postings(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search asks each segment how many documents have a word, then for its postings:
    one lookup in the segment's term table serves both, and a word a segment lacks is
    remembered as lacking. What a segment remembers changes no answer."""
    first = add(archive, "Niger junta", "The junta in Niamey met a Russian delegation.")
    add(archive, "Weather", "Rain over Dakar.")
    archive.search("rain")  # the view the next calls share
    view = archive.index._view()
    looked_up: Counter[tuple[int, bytes]] = Counter()
    for leaf in view.leaves:
        table = leaf.reader._terms._tindex  # every lookup of Whoosh's goes through it

        def counted(key: bytes, table: Any = table, real: Any = table.ranges_for_key) -> Any:
            looked_up[(id(table), key)] += 1
            return real(key)

        monkeypatch.setattr(table, "ranges_for_key", counted)
    found = archive.search("junta delegation")
    assert [hit.id for hit in found.hits] == [first]
    assert archive.search("junta uraninite").total == 0  # a word no segment has
    assert archive.search("junta uraninite").total == 0
    assert looked_up and max(looked_up.values()) == 1, looked_up
    before = [(hit.id, hit.score) for hit in archive.search("junta OR rain").hits]
    monkeypatch.setattr(engine, "TERM_MEMO", 1)  # forgets every entry before the next
    for leaf in view.leaves:
        leaf.columns._term_entries.clear()
    assert [(hit.id, hit.score) for hit in archive.search("junta OR rain").hits] == before


def test_a_segments_term_table_reads_at_positions_what_whooshs_own_file_reads(
    archive: Archive,
) -> None:
    """A segment on disk opens its term table for positioned reads; every entry of it
    reads as through Whoosh's own buffered file, and finding a word reads its entry."""
    add(archive, "Niger junta", "The junta in Niamey met a Russian delegation.")
    add(archive, "Weather", "Rain over Dakar.")
    archive.search("rain")
    view = archive.index._view()
    assert view.leaves
    for leaf in view.leaves:
        terms = leaf.reader._terms
        assert isinstance(terms._dbfile, searcher.PositionedFile)
        name = leaf.reader.segment().make_filename(W3Codec.TERMS_EXT)
        storage = view.ix.storage
        plain = OrderedHashReader(storage.open_file(name), storage.file_length(name))
        try:
            entries = list(plain.items())
            assert entries and list(terms._tindex.items()) == entries
            assert all(terms._tindex[key] == value for key, value in entries)
        finally:
            plain.close()
    assert archive.search("delegation").total == 1
    in_memory = RamStorage()
    with in_memory.create_file("x.trm") as handle:
        handle.write(b"entries")
    opened = searcher.TermTableStorage(in_memory).open_file("x.trm")
    assert not isinstance(opened, searcher.PositionedFile)  # no file descriptor to read at
    assert opened.get(2, 3) == b"tri"


@pytest.mark.parametrize(
    ("body", "query", "marked"),
    [
        ("LA SÉCURITÉ AU SAHEL.", "securite", "SÉCURITÉ"),
        ("Le colonel Goi\u0308ta parle.", "Goïta", "Goi\u0308ta"),
        ("Une œuvre collective.", "oeuvre", "œuvre"),
        ("Des Élections à Ouagadougou.", "election", "Élections"),
        ("Dans l'Ouémé, au Bénin.", "oueme", "Ouémé"),
        ("Le Ħ and ǅ letters sit beside Niamey.", "niamey", "Niamey"),
    ],
)
def test_highlights_ignore_case_accents_and_normal_forms(
    archive: Archive, body: str, query: str, marked: str
) -> None:
    add(archive, "Clipping", body, language="fr")
    hit = archive.search(query).hits[0]
    assert f"«{marked}»" in hit.snippet


def test_more_like_leaves_out_words_in_too_many_clippings_whatever_the_share(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in more than MORE_LIKE_MAX_DOCS clippings is no story's own even where it is
    under a tenth of the archive (the bound that keeps the search's cost from growing with
    the archive): here the bound is 5, and "harmattan" is in 6 of 76."""
    story = add(archive, "Harmattan over Niamey", "The harmattan covered Niamey in dust.")
    others = [
        add(archive, f"Harmattan report {n}", f"Harmattan winds {n} touched the north.")
        for n in range(5)
    ]
    for n in range(70):
        add(archive, f"Filler {n}", f"Some unrelated filler number {n} about rainfall in the east.")
    assert set(others) <= set(archive.more_like(story))
    monkeypatch.setattr(searcher, "MORE_LIKE_MAX_DOCS", 5)
    assert not set(others) & set(archive.more_like(story))
