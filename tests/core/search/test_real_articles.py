"""Search on real news text: the 181 annotated articles of ../shared/corpus (skipped when it
is absent), plus the Le Monde seed kept in tests/fixtures/search."""

from __future__ import annotations

import json
import random
import re

import pytest

from clipper.core.archive import Archive
from tests.helpers.archives import add
from tests.helpers.paths import FIXTURES, SHARED

GROUND_TRUTH = SHARED / "corpus" / "article-extraction-benchmark" / "ground-truth.json"
SEED = FIXTURES / "search" / "le-monde-niger-russia-2023-12-06.txt"


@pytest.mark.slow
@pytest.mark.skipif(not GROUND_TRUTH.is_file(), reason="../shared corpus not available")
def test_a_phrase_from_any_real_article_finds_it(archive: Archive) -> None:
    articles = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    made: dict[int, str] = {}
    for key, article in articles.items():
        body = article["articleBody"].strip()
        if len(body.split()) < 40:
            continue
        cid = add(archive, f"Article {key[:8]}", body, language="en")
        made[cid] = body
    rng = random.Random(4)
    misses = []
    checked = 0
    for cid, body in made.items():
        words = re.findall(r"\w+", body)
        start = rng.randrange(len(words) // 4, len(words) - 3)
        phrase = " ".join(words[start : start + 3])
        checked += 1
        found = [h.id for h in archive.search(f'"{phrase}"', page_size=5).hits]
        if cid not in found:
            misses.append((cid, phrase, found))
    assert misses == []
    assert checked == len(made) > 150
    assert archive.index.parity_problems() == []


def test_the_le_monde_seed_is_found_by_names_accents_aside(archive: Archive) -> None:
    body = SEED.read_text(encoding="utf-8")
    wanted = add(archive, "Niger: Russia's delegation", body, language="en", source="Le Monde")
    add(archive, "Elsewhere", "Rainfall in the east was above average this season.")
    for query in ("Yevkurov", "yevkurov tiani", '"deputy defense minister"', "Eucap~", "niame*",
                  "title:russia", 'source:"le monde"'):  # fmt: skip
        assert [h.id for h in archive.search(query).hits] == [wanted], query
