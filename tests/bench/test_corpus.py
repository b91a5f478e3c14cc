"""The synthetic corpus: deterministic and newsroom-like, built from word lists that load from
`clipper/bench/words/*.txt`."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files

import pytest

from clipper.bench import corpus
from clipper.bench.corpus import NewsCorpus

LISTS = {
    "fr": corpus.FRENCH_WORDS,
    "en": corpus.ENGLISH_WORDS,
    "first_names": corpus.FIRST_NAMES,
    "last_names": corpus.LAST_NAMES,
    "sources": corpus.SOURCES,
    "topics": corpus.TOPICS,
    "regions": corpus.REGIONS,
    "syllables": corpus._SYLLABLES,
}
# The repeats the French and English lists have always had; they are Zipf ranks, kept so the
# corpus of a seed does not change.
KNOWN_REPEATS = {"fr": {"est", "société", "africaine"}, "en": {"strike"}}


def test_every_word_file_is_a_list() -> None:
    shipped = {p.name for p in (files("clipper.bench") / "words").iterdir()}
    assert shipped == {f"{name}.txt" for name in LISTS}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_loads_without_blank_or_repeated_entries(name: str) -> None:
    entries = LISTS[name]
    assert len(entries) >= 20
    assert all(entry and entry == entry.strip() for entry in entries)
    repeated = {entry for entry, seen in Counter(entries).items() if seen > 1}
    assert repeated == KNOWN_REPEATS.get(name, set())


def test_the_corpus_is_deterministic_and_newsroom_like() -> None:
    first = [a.draft.body for a in NewsCorpus(seed=5, tail_words=500).articles(5)]
    again = [a.draft.body for a in NewsCorpus(seed=5, tail_words=500).articles(5)]
    assert first == again
    article = NewsCorpus(seed=5, tail_words=500).article(3)
    assert 300 <= len(article.draft.body.split()) <= 1700
    kinds = [kind for kind, _name in article.tags]
    assert 1 <= kinds.count("topic") <= 4 and 1 <= kinds.count("region") <= 3
    assert article.draft.published is not None and article.draft.source
