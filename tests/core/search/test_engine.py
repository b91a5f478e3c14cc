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
