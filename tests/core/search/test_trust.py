"""Regression tests for "Search you can trust" (issue 11), one or more per numbered defect,
each on a minimal archive and, where the defect is about what an editor sees, through the
`clipper` command or the archive API the window uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.search import QuerySyntaxError
from clipper.core.search.query import facet_term
from tests.helpers.archives import add, ids, reopen


def cli_json(home: Path, *args: str) -> dict:
    """What `clipper --archive HOME search ... --json` prints, parsed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--archive", str(home), "search", *args, "--json"])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


# -- 1. pages are a partition of the full ranking, ties included ----------------------------


def test_pages_of_a_filter_only_query_show_every_clipping_once(archive: Archive) -> None:
    """Item 1: every score of `region:` is 0; pages 1-3 all showed the oldest clipping."""
    made = [
        add(archive, f"Story {n}", f"Body {n}.", [("region", "Niger")],
            published=dt.date(2023, 1, 1 + n))
        for n in range(3)
    ]  # fmt: skip
    archive.close()
    home = archive.location.home
    pages = [cli_json(home, "region:Sahel", "--limit", "1", "--page", str(n)) for n in (1, 2, 3)]
    shown = [hit["id"] for page in pages for hit in page["hits"]]
    assert shown == list(reversed(made))  # newest first, each once
    assert all(page["total"] == 3 for page in pages)


def test_pages_partition_the_ranking_when_scores_tie(archive: Archive) -> None:
    """Item 1, on more segments than one and with ties among non-zero scores too."""
    for n in range(30):
        # Three bodies only: the scores of `junta` tie in groups of ten.
        add(archive, f"Report {n}", f"The junta met {'again ' * (n % 3)}in Niamey, desk d{n:02d}.",
            published=dt.date(2023, 1 + n % 12, 1 + n % 28))  # fmt: skip
        if n % 10 == 9:
            archive.index.catch_up()  # a segment of its own
    assert archive.index.segment_count() > 1
    for query in ("junta", "NOT uranium", "date:2023"):
        ranking = archive.ranked_ids(query)
        paged = [
            (h.id, h.score)
            for page in range(1, 5)
            for h in archive.search(query, page=page, page_size=8).hits
        ]
        assert paged == ranking, query
        assert len({cid for cid, _score in ranking}) == len(ranking) == 30


# -- 2, 3, 7: fuzzy words and prefixes match the words themselves, not stems, all of them --


def test_a_typo_near_the_end_of_a_word_is_found(archive: Archive) -> None:
    """Item 2: `operatiouns~` was matched against stems ("oper") and found nothing."""
    wanted = add(archive, "North", "Military operations resumed in the north.", language="en")
    add(archive, "Other", "Nothing military here, only rain.", language="en")
    archive.close()
    found = cli_json(archive.location.home, "operatiouns~")
    assert [hit["id"] for hit in found["hits"]] == [wanted]
    assert "«operations»" in found["hits"][0]["snippet"]


@pytest.mark.parametrize(
    ("body", "language", "query"),
    [
        ("Le gouvernement de transition a démissionné.", "fr", "gouvernemen*"),
        ("La nouvelle constitution est adoptée.", "fr", "constitut*"),
        ("A rhetorical question from the junta.", "en", "rhetorica*"),
        ("Les élections présidentielles.", "fr", "présidentiel*"),
    ],
)
def test_a_prefix_finds_the_words_that_start_with_it(
    archive: Archive, body: str, language: str, query: str
) -> None:
    """Item 3: prefixes were expanded over stems, which a longer prefix does not start."""
    wanted = add(archive, "Clipping", body, language=language)
    add(archive, "Other", "Un texte sans rapport, about the rain.", language=language)
    archive.close()
    found = cli_json(archive.location.home, query)
    assert [hit["id"] for hit in found["hits"]] == [wanted]


def test_a_prefix_is_expanded_to_every_word_it_starts(archive: Archive) -> None:
    """Item 7: `ni*` kept the 1,024 commonest words only and silently lost clippings."""
    words = [f"ni{n:04d}" for n in range(1030)]
    made = [add(archive, f"Batch {n}", " ".join(words[n : n + 32])) for n in range(0, 1024, 32)]
    # Only words past the first 1,024 (all as rare as the others).
    made.append(add(archive, "Last", " ".join(words[1024:])))
    archive.close()
    found = cli_json(archive.location.home, "ni*", "--limit", "100")
    assert found["total"] == len(made) == 33
    assert {hit["id"] for hit in found["hits"]} == set(made)


# -- 8: a query word's stem in one language only finds texts in that language ---------------


@pytest.mark.parametrize(("query", "stored"), [("news", "new"), ("greater", "great")])
def test_a_word_is_not_found_through_its_stem_in_the_other_language(
    archive: Archive, query: str, stored: str
) -> None:
    """Item 8: `news` has the French stem "new", and found English texts with "new"."""
    add(archive, "Road", f"A {stored} road to Niamey.", language="en")
    wanted = add(archive, "Other", f"The {query} from Niamey.", language="en")
    archive.close()
    found = cli_json(archive.location.home, query)
    assert [hit["id"] for hit in found["hits"]] == [wanted]


def test_french_stems_still_find_french_texts(archive: Archive) -> None:
    """Item 8, the other side: each language keeps its own stemming."""
    french = add(archive, "Fr", "Les nouvelles du front.", language="fr")
    english = add(archive, "En", "The news from the front.", language="en")
    assert ids(archive, "nouvelle") == {french}
    assert ids(archive, "news") == {english}


# -- 10: a date known only to the month or year is not in a narrower span ------------------


def test_a_date_known_only_to_the_year_is_in_no_month(archive: Archive) -> None:
    """Item 10: a clipping dated only to 2023 matched `date:2023-01` and counted in its facet."""
    year_only = add(archive, "Year", "Niamey report.", published=dt.date(2023, 1, 1),
                    published_precision="year")  # fmt: skip
    month_only = add(archive, "Month", "Niamey report again.", published=dt.date(2023, 3, 1),
                     published_precision="month")  # fmt: skip
    day = add(archive, "Day", "Niamey report once more.", published=dt.date(2023, 1, 5))
    archive.close()
    home = archive.location.home
    assert {h["id"] for h in cli_json(home, "date:2023-01")["hits"]} == {day}
    assert {h["id"] for h in cli_json(home, "date:2023-03")["hits"]} == {month_only}
    assert {h["id"] for h in cli_json(home, "date:2023-03-01")["hits"]} == set()
    assert {h["id"] for h in cli_json(home, "date:2023")["hits"]} == {year_only, month_only, day}
    assert {h["id"] for h in cli_json(home, "date:[2023-01-01 to 2023-03-31]")["hits"]} == {
        month_only, day
    }  # fmt: skip
    months = dict(cli_json(home, "niamey")["facets"]["month"])
    assert months == {"2023-01": 1, "2023-03": 1}


# -- 13: kana keep their voicing marks ------------------------------------------------------


def test_kana_voicing_marks_are_not_folded_away(archive: Archive) -> None:
    """Item 13: ガス (gas) found カス (dregs): the voicing mark was stripped as an accent."""
    # Japanese runs words together: spaces here make each one a word of its own.
    gas = add(archive, "Gas", "天然 ガス の 価格", language="ja")
    add(archive, "Dregs", "カス の 話", language="ja")
    archive.close()
    home = archive.location.home
    assert [h["id"] for h in cli_json(home, "ガス")["hits"]] == [gas]
    assert [h["id"] for h in cli_json(home, "ｶﾞｽ")["hits"]] == [gas]  # half-width


# -- 5, 9: phrases with slop try every way through, are bounded, score as Whoosh's ---------


def test_a_phrase_with_slop_is_found_whichever_occurrence_leads_to_it(archive: Archive) -> None:
    """Item 5: the walk took the nearest "army" and missed "the army, army chief Goïta"."""
    wanted = add(archive, "Bamako", "Then came the army, army chief Goïta said.", language="en")
    add(archive, "Other", "The army said nothing; Goïta was far away.", language="en")
    archive.close()
    found = cli_json(archive.location.home, '"the army Goïta"~1')
    assert [hit["id"] for hit in found["hits"]] == [wanted]


@pytest.mark.parametrize("query", ['"of the"~10000000', '"niger mali"~99999999', '"a b"~51'])
def test_a_phrase_slop_beyond_the_bound_is_one_clear_error(
    archive: Archive, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 5 (and issue 10, item 10): an unbounded slop ran for minutes."""
    add(archive, "Niger", "Niger and Mali, of the Sahel.")
    archive.close()
    assert main(["--archive", str(archive.location.home), "search", query]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "50 words apart at most" in err


def test_a_phrase_never_spans_the_title_and_the_body(archive: Archive) -> None:
    """Item 5: at a slop of 100 or more, a phrase crossed from the title into the body."""
    add(archive, "Report on the junta", "Niamey welcomed the envoy.")
    assert ids(archive, '"junta niamey"~50') == set()
    assert len(ids(archive, '"report junta"~50')) == 1


def test_phrase_scores_are_whooshs(archive: Archive) -> None:
    """Item 9: the code said BM25F as Whoosh gives it; phrases were scored on how often the
    phrase occurs instead. Whoosh's own searcher over the same files is the reference."""
    from whoosh.query import Phrase

    from clipper.core.search.analysis import WORDS

    add(archive, "Once", "The junta met in Niamey. " + "junta " * 5 + "and more words here.")
    add(archive, "Often", "The junta met the junta met the junta met in Niamey.")
    add(archive, "Short", "The junta met.")
    add(archive, "Apart", "The junta, it is said, met nobody.")
    archive.index.catch_up()
    ours = {h.id: h.score for h in archive.search('"junta met"').hits}
    terms = [WORDS.term(w, "en") for w in ("junta", "met")]
    ix = archive.index._view().ix
    with ix.searcher() as searcher:
        theirs = {
            int(hit["id"]): round(hit.score, 4)
            for hit in searcher.search(Phrase("content", terms), limit=None)
        }
    assert ours == theirs and len(ours) == 3


# -- 6: highlighting folds case and accents as matching does; the reader's highlight -------


@pytest.mark.parametrize(
    ("body", "language", "query", "marked"),
    [
        ("Talks in Qatar went on.", "en", "qatar", "Qatar"),
        ("Переговоры прошли. Москва молчит.", "ru", "москва", "Москва"),
        ("Переговоры прошли. МОСКВА молчит.", "ru", "Москва", "МОСКВА"),
        ("Ёлка у Кремля.", "ru", "елка", "Ёлка"),
        ("한국 정부는 발표했다.", "ko", "한국", "한국"),
        ("Ξένες Ειδήσεις από την Αθήνα.", "el", "αθηνα", "Αθήνα"),
        ("The ﬁnance ministry in Qatar.", "en", "qatar", "Qatar"),
    ],
)
def test_every_script_is_marked_in_snippets(
    archive: Archive, body: str, language: str, query: str, marked: str
) -> None:
    """Item 6: "Qatar", Cyrillic and Hangul were found but never marked."""
    add(archive, "Clipping", body, language=language)
    archive.close()
    found = cli_json(archive.location.home, query)
    assert found["total"] == 1
    assert f"«{marked}»" in found["hits"][0]["snippet"]


@pytest.mark.parametrize(
    ("text", "language", "query", "marked"),
    [
        ("L'armée malienne et les armées du Sahel; l'ARMÉE.", "fr", "armée",
         ["armée", "armées", "ARMÉE"]),
        ("Talks in Qatar: Qatari envoys, QATAR again.", "en", "qatar", ["Qatar", "QATAR"]),
        ("Переговоры в Москве. Москва молчит, МОСКВА ждёт.", "ru", "москва OR переговоры",
         ["Переговоры", "Москва", "МОСКВА"]),
        ("한국 정부는 한국 경제를 발표했다.", "ko", "한국", ["한국", "한국"]),
        ("Military operations, an operation, operatives.", "en", "operatiouns~",
         ["operations"]),
        ("Gouvernement, gouvernements et gouverner.", "fr", "gouvernemen*",
         ["Gouvernement", "gouvernements"]),
        ("The junta met the envoy; the junta left.", "en", '"junta met" -envoy',
         ["junta", "met", "junta"]),
    ],
)  # fmt: skip
def test_the_reader_highlights_the_whole_text(
    archive: Archive, text: str, language: str, query: str, marked: list[str]
) -> None:
    """The reader's API: the whole text as runs, what the query matches marked."""
    add(archive, "Clipping", text, language=language)
    runs = archive.highlight(query, text, language)
    assert "".join(run for run, _marked in runs) == text
    assert [run for run, is_marked in runs if is_marked] == marked


@pytest.mark.parametrize("query", ["", "   ", '"never closed', "(", "date:2023-13"])
def test_a_blank_or_malformed_query_highlights_nothing(archive: Archive, query: str) -> None:
    add(archive, "Clipping", "The junta met.")
    assert archive.highlight(query, "The junta met.", "en") == (("The junta met.", False),)


# -- 4: a facet's count is the number of hits that clicking it leaves ----------------------


def test_facet_counts_are_what_clicking_them_leaves(archive: Archive) -> None:
    """Item 4: regions and topics counted only the tags applied directly ("Sahel 1" gave 4
    hits), and the source chip was a phrase ("Le Monde" also caught "Le Monde Afrique")."""
    economy = archive.create_tag("topic", "Economy").value
    archive.create_tag("topic", "Trade", parent_id=economy.id)
    add(archive, "A", "Niamey market prices.", [("region", "Niger"), ("topic", "Trade")],
        source="Le Monde")  # fmt: skip
    add(archive, "B", "Niamey traders.", [("region", "Sahel"), ("topic", "Economy")],
        source="Le Monde Afrique")  # fmt: skip
    add(archive, "C", "Niamey and Bamako.", [("region", "Mali"), ("region", "Niger")],
        source="Le Monde")  # fmt: skip
    add(archive, "D", "Niamey in Europe.", [("region", "France")], source="AFP")
    archive.close()
    home = archive.location.home
    results = cli_json(home, "niamey")
    facets = {kind: dict(values) for kind, values in results["facets"].items()}
    assert facets["region"]["Sahel"] == 3  # B directly, A and C through Niger and Mali
    assert facets["topic"]["Economy"] == 2  # B directly, A through Trade
    assert facets["source"] == {"Le Monde": 2, "Le Monde Afrique": 1, "AFP": 1}
    for kind, values in results["facets"].items():
        for value, count in values:
            narrowed = cli_json(home, f"(niamey) {facet_term(kind, value)}")
            assert narrowed["total"] == count, (kind, value)


def test_the_exact_source_syntax(archive: Archive) -> None:
    monde = add(archive, "A", "Text one.", source="Le Monde")
    afrique = add(archive, "B", "Text two.", source="Le Monde Afrique")
    assert ids(archive, 'source:"le monde"') == {monde, afrique}
    assert ids(archive, 'source:="LE MONDE"') == {monde}
    assert ids(archive, "source:=Le") == set()
    assert ids(archive, 'text source:=("Le Monde Afrique" OR Reuters)') == {afrique}
    for query, hint in [
        ("author:=Dupont", "only works with source:"),
        ("source:=", "needs the name of a source"),
        ("source:=Le*", "whole name of a source"),
    ]:
        with pytest.raises(QuerySyntaxError, match=hint):
            archive.search(query)


def test_facet_term_quotes_names_and_refuses_unknown_kinds() -> None:
    assert facet_term("region", "Burkina Faso") == 'region:"Burkina Faso"'
    assert facet_term("topic", 'The "Economy"') == 'topic:"The Economy"'
    assert facet_term("source", "Le Monde") == 'source:="Le Monde"'
    assert facet_term("month", "2023-12") == "date:2023-12"
    assert facet_term("language", "fr") == "lang:fr"
    with pytest.raises(ValueError):
        facet_term("colour", "red")


# -- 11: curly quotes and guillemets make phrases -------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["«armée malienne»", "« armée malienne »", "“armée malienne”", "„armée malienne“",
     "‹armée malienne›", "“armée malienne\"", "title:«armée malienne»"],
)  # fmt: skip
def test_curly_quotes_and_guillemets_are_phrases(archive: Archive, query: str) -> None:
    """Item 11: the words inside “…” or «…» were silently ANDed."""
    wanted = add(archive, "L'armée malienne à Kidal", "L'armée malienne est entrée à Kidal.",
                 language="fr")  # fmt: skip
    add(archive, "Une autre", "La malienne armée, dans le désordre.", language="fr")
    archive.close()
    found = cli_json(archive.location.home, query)
    assert [hit["id"] for hit in found["hits"]] == [wanted]


def test_an_unclosed_guillemet_is_one_clear_error(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    archive.close()
    assert main(["--archive", str(archive.location.home), "search", "«armée malienne"]) == 2
    assert "never closed: add a »" in capsys.readouterr().err


# -- 13: queries of words left out of the index -------------------------------------------


@pytest.mark.parametrize(
    ("query", "hint"),
    [("C", "left out of the index"), ("d", "left out of the index"),
     ("l'", "left out of the index"), ("l’ d’", "left out of the index"),
     ("—", "nothing to search for"), ("s*", "at least 2 letters")],
)  # fmt: skip
def test_a_query_of_nothing_searchable_says_so_and_lists_nothing(
    archive: Archive, query: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 13: `C`, `d` or `l'` listed the whole archive; `s*` said it needs letters."""
    add(archive, "Vitamin C", "C'est la vitamine C.", language="fr")
    archive.close()
    assert main(["--archive", str(archive.location.home), "search", query]) == 2
    captured = capsys.readouterr()
    assert hint in captured.err and captured.err.count("\n") == 1
    assert captured.out == ""


def test_a_two_letter_prefix_that_is_an_elision_is_still_a_prefix(archive: Archive) -> None:
    """Item 13: "qu" alone is left out (qu'il), but qu* is every word that starts so."""
    wanted = add(archive, "Quand", "Quand la question revient.", language="fr")
    add(archive, "Autre", "Rien à voir.", language="fr")
    assert ids(archive, "qu*") == {wanted}


def test_facet_counts_follow_a_tag_moved_in_the_tree(archive: Archive) -> None:
    """Item 4, after a move (which changes no clipping, so nothing is reindexed): the
    tree behind the counts is read again when it changed."""
    economy = archive.create_tag("topic", "Economy").value
    trade = archive.create_tag("topic", "Trade").value
    add(archive, "A", "Niamey market.", [("topic", "Trade")])
    add(archive, "B", "Niamey traders.", [("topic", "Economy")])
    assert dict(archive.search("niamey").facets["topic"]) == {"Economy": 1, "Trade": 1}
    archive.move_tag(trade.id, economy.id)
    assert dict(archive.search("niamey").facets["topic"]) == {"Economy": 2, "Trade": 1}
    with reopen(archive) as other:  # another process moves it back
        other.move_tag(trade.id, None)
    assert dict(archive.search("niamey").facets["topic"]) == {"Economy": 1, "Trade": 1}
