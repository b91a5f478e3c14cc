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
        reader: object, fieldname: str, text: str, info: object = None
    ) -> tuple[np.ndarray, np.ndarray]:
        decoded.append(f"{fieldname}:{text}")
        return real(reader, fieldname, text, info)

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
