"""The engine's caches: decoded posting lists are kept within their budget, serve a word's
second search, and never bring back what was trashed or edited since they were read."""

from __future__ import annotations

import numpy as np
import pytest

from clipper.core.archive import Archive
from clipper.core.search import engine
from clipper.core.search.engine import PostingsCache
from tests.helpers.archives import add, ids


def _postings(count: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(count, dtype=np.int32), np.ones(count)  # 12 bytes a posting


def test_the_postings_cache_keeps_to_its_budget_least_recently_used_out_first() -> None:
    cache = PostingsCache(budget=1200)
    for number in range(4):
        cache.put(("seg", "content", f"w{number}"), _postings(25))  # 300 bytes each
    assert cache.get(("seg", "content", "w0")) is not None  # now the most recently used
    cache.put(("seg", "content", "w4"), _postings(25))
    assert cache.get(("seg", "content", "w1")) is None  # the least recently used went
    assert all(cache.get(("seg", "content", f"w{n}")) is not None for n in (0, 2, 3, 4))
    cache.put(("seg", "content", "huge"), _postings(50))  # over a quarter of the budget
    assert cache.get(("seg", "content", "huge")) is None
    cache.put(("other", "content", "w0"), _postings(10))
    cache.forget_segments({"other"})
    assert cache.get(("seg", "content", "w0")) is None
    assert cache.get(("other", "content", "w0")) is not None


def test_a_word_searched_again_is_not_decoded_again_and_trashing_still_shows(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add(archive, "Niger junta", "The junta in Niamey met a Russian delegation.")
    second = add(archive, "Mali", "The same delegation and the junta in Bamako.")
    add(archive, "Weather", "Rain over Dakar.")
    decoded: list[str] = []
    real = engine.read_posting_arrays

    def counting(
        reader: object, fieldname: str, text: str, info: object = None, values: object = None
    ) -> tuple[np.ndarray, np.ndarray]:
        decoded.append(f"{fieldname}:{text}")
        return real(reader, fieldname, text, info, values)

    monkeypatch.setattr(engine, "read_posting_arrays", counting)
    assert ids(archive, "junta") == {first, second}
    assert decoded
    decoded.clear()
    assert ids(archive, "junta") == {first, second}
    assert decoded == []  # every list came from the cache
    archive.trash([first])
    assert ids(archive, "junta") == {second}  # the cached list, the trashed one hidden
    archive.restore([first])
    assert ids(archive, "junta") == {first, second}


@pytest.mark.parametrize("density", [0.0, 0.01, 0.05, 0.2, 0.6, 1.0])
def test_tag_counts_of_few_or_many_matches_are_the_brute_force_counts(density: float) -> None:
    """A segment counts its matches' tags from their own entries when they are few and from
    a pass over every entry when they are many: both give what counting each match's tag
    set one by one gives, documents without tags and tags on no match included."""
    rng = np.random.default_rng(int(density * 100))
    tag_sets = [
        tuple(sorted(set(rng.integers(1, 60, size=int(rng.integers(0, 6))).tolist())))
        for _ in range(500)
    ]
    entries = engine.TagEntries(tag_sets)
    hit = rng.random(len(tag_sets)) < density
    docnums = np.flatnonzero(hit)
    expected: dict[int, int] = {}
    for docnum in docnums.tolist():
        for tag_id in tag_sets[docnum]:
            expected[tag_id] = expected.get(tag_id, 0) + 1
    assert entries.counts(hit, docnums) == expected


class _Lexicon:
    """A segment reader as far as `SegmentLexicon` reads one."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms

    def lexicon(self, _fieldname: str) -> list[bytes]:
        return [t.encode("utf-8") for t in self.terms]


def test_fuzzy_terms_are_the_brute_force_ones_with_the_distances_shared_across_segments() -> None:
    rng = np.random.default_rng(5)
    letters = list("aeinorstuéàçk")
    words = sorted({"".join(rng.choice(letters, rng.integers(2, 9))) for _ in range(4000)})
    halves = [words[::2] + words[:300], words[1::2] + words[:300]]
    lexicons = [engine.SegmentLexicon(_Lexicon(half), "words") for half in halves]
    for word in ["niger", "tsar", "kino", "ésa", "a", "oaoaoaoa"]:
        for distance in (1, 2):
            judged: dict[str, bool] = {}
            shared = set().union(*(lex.within(word, distance, judged) for lex in lexicons))
            alone = set().union(*(lex.within(word, distance) for lex in lexicons))
            brute = {
                t
                for t in words
                if t[:1] == word[:1] and engine.edit_distance(word, t, distance) <= distance
            }
            assert shared == alone == brute
            # every term the two lexicons share was measured once: the memo holds it
            near = {t for t, within in judged.items() if within}
            assert {t for t in words[:300] if t in brute} <= near
