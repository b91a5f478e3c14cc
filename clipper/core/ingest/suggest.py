"""Suggestions for a draft: regions from the gazetteer, topics from the default vocabulary
(IPTC Media Topics) and from the archive's own tagging and topic rules, and duplicates.

Suggestions are never applied by themselves: the editor accepts them in the review.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.paths import RESOURCES_DIR
from clipper.core.regions import CAPITAL, CITY, DEMONYM, Gazetteer, load_gazetteer, region_matcher
from clipper.core.text import content_hash

if TYPE_CHECKING:
    from clipper.core.archive import Archive

log = logging.getLogger(__name__)

TOPICS_PATH = RESOURCES_DIR / "topics.json"
MAX_REGIONS = 8
MAX_TOPICS = 5
MIN_REGION_SCORE = 0.12
MIN_TOPIC_SCORE = 0.2

# A name counts fully; other ways of naming a place say a little less about the story.
_HOW_WEIGHT = {DEMONYM: 0.7, CAPITAL: 0.8, CITY: 0.6}
# Broad regions are named in passing ("in Africa"); a country is what a story is about.
_KIND_WEIGHT = {"country": 1.0, "grouping": 0.8, "subregion": 0.6, "continent": 0.4}
_TITLE_WEIGHT = 3.0
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _fold(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()


# -- regions ----------------------------------------------------------------------------------


def suggest_regions(title: str, body: str, gazetteer: Gazetteer | None = None) -> list[Suggestion]:
    """Regions the text is about, best first: mentions weighted by how, where and what."""
    gazetteer = gazetteer or load_gazetteer()
    matcher = region_matcher()
    scores: dict[str, float] = defaultdict(float)
    for mention in matcher.mentions(title):
        for key in mention.region_keys:
            weight = _HOW_WEIGHT.get(mention.how, 1.0) * _TITLE_WEIGHT
            scores[key] += weight / len(mention.region_keys)
    mentions = matcher.mentions(body)
    length = max(1, len(_WORD.findall(body)))
    for mention in mentions:
        # The lede says what a story is about; a mention in the last paragraph is context.
        position = 1.0 + (1.0 - min(1.0, mention.start / length))
        for key in mention.region_keys:
            weight = _HOW_WEIGHT.get(mention.how, 1.0) * position
            scores[key] += weight / len(mention.region_keys)
    ranked: list[tuple[float, str]] = []
    for key, raw in scores.items():
        region = gazetteer.regions.get(key)
        if region is None:
            continue
        ranked.append((raw * _KIND_WEIGHT.get(region.kind, 0.5), key))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    if not ranked:
        return []
    best = ranked[0][0]
    result = []
    for score, key in ranked[:MAX_REGIONS]:
        if score / best < MIN_REGION_SCORE:
            break
        region = gazetteer.regions[key]
        result.append(Suggestion(region.name, region.code, round(score / best, 3)))
    return result


# -- topics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    name_fr: str
    words: frozenset[str]
    prefixes: frozenset[str]
    phrases: tuple[str, ...]


@cache
def load_topics(path: Path = TOPICS_PATH) -> tuple[Topic, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    topics = []
    for entry in data["topics"]:
        words, prefixes, phrases = set(), set(), []
        for keyword in entry["keywords"]:
            folded = _fold(keyword)
            if " " in folded or "'" in folded or "-" in folded:
                phrases.append(folded.rstrip("*"))
            elif folded.endswith("*"):
                prefixes.add(folded[:-1])
            else:
                words.add(folded)
        topics.append(
            Topic(
                entry["code"],
                entry["name"],
                entry["name_fr"],
                frozenset(words),
                frozenset(prefixes),
                tuple(phrases),
            )
        )
    return tuple(topics)


def _topic_hits(text: str, topics: tuple[Topic, ...]) -> Counter[str]:
    folded = _fold(text)
    tokens = _WORD.findall(folded)
    hits: Counter[str] = Counter()
    for topic in topics:
        count = 0
        for token in tokens:
            if token in topic.words or any(
                token[:k] in topic.prefixes for k in range(3, len(token) + 1)
            ):
                count += 1
        for phrase in topic.phrases:
            count += len(re.findall(r"\b" + re.escape(phrase) + r"\b", folded))
        if count:
            hits[topic.code] = count
    return hits


def suggest_topics(title: str, body: str) -> list[Suggestion]:
    """Default-vocabulary topics whose words are dense in the text, best first."""
    topics = load_topics()
    by_code = {t.code: t for t in topics}
    hits = _topic_hits(body, topics)
    for code, count in _topic_hits(title, topics).items():
        hits[code] += int(count * _TITLE_WEIGHT)
    words = max(50, len(_WORD.findall(body)))
    scored = []
    for code, count in hits.items():
        if count < 3:
            continue
        # About three keyword hits per hundred words is a story squarely on the topic.
        scored.append((count * 100 / words, code))
    # Ranked by density; the score shown saturates at 1.0 (squarely on the topic).
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [
        Suggestion(by_code[code].name, code, round(min(1.0, density / 3), 3))
        for density, code in scored[:MAX_TOPICS]
        if density / 3 >= MIN_TOPIC_SCORE
    ]


def suggest(draft: ClippingDraft) -> ClippingDraft:
    """Fill a draft's region and default-topic suggestions from its own text."""
    draft.regions = suggest_regions(draft.title, draft.body)
    draft.topics = suggest_topics(draft.title, draft.body)
    return draft


# -- what the archive knows -------------------------------------------------------------------


def rule_matches(mode: str, pattern: str, text: str) -> bool:
    """A topic rule an editor set: any word, all words, exact phrase, or regular expression."""
    if not pattern.strip():
        return False
    if mode == "regex":
        try:
            return re.search(pattern, text, re.IGNORECASE | re.MULTILINE) is not None
        except re.error:
            log.warning("topic rule %r is not a valid regular expression", pattern)
            return False
    folded = _fold(text)
    if mode == "phrase":
        phrase = " ".join(_WORD.findall(_fold(pattern)))
        return (
            re.search(r"\b" + re.escape(phrase) + r"\b", " ".join(_WORD.findall(folded)))
            is not None
        )
    words = set(_WORD.findall(folded))
    wanted = [w for w in _WORD.findall(_fold(pattern))]
    if mode == "all":
        return bool(wanted) and all(w in words for w in wanted)
    return any(w in words for w in wanted)  # "any"


def _similar_clipping_ids(archive: Archive, draft: ClippingDraft, limit: int = 20) -> list[int]:
    """Clippings like this draft, by a full-text search for its most telling words.

    The search index may not exist (a fresh archive, a dry run on a machine without one) or
    may not be built yet: then there are simply no similar clippings to learn from.
    """
    words = [w for w in _WORD.findall(_fold(draft.title + " " + draft.body)) if len(w) > 3]
    if not words:
        return []
    counts = Counter(words)
    # Words frequent here but not everywhere: long ones, repeated, skipping the commonest.
    telling = sorted(counts, key=lambda w: (-counts[w] * math.log(len(w)), w))[:12]
    query = " OR ".join(telling)
    try:
        # The index as it stands, without catching up first: a batch catches up once at its
        # end (a commit per imported item would cost more than the suggestion is worth).
        results = archive.index.search(query, page_size=limit)
    except Exception:  # the index is a cache: without it, suggestions are just fewer
        log.warning("no similar clippings for topic suggestions", exc_info=True)
        return []
    return [hit.id for hit in results.hits][:limit]


def archive_suggestions(archive: Archive, draft: ClippingDraft) -> ClippingDraft:
    """Add topics from the archive: how similar clippings were tagged, and topic rules."""
    text = f"{draft.title}\n{draft.body}"
    scores: dict[str, float] = {}
    codes: dict[str, str | None] = {}
    nodes = archive.tag_tree("topic")
    for node in nodes:
        if (
            node.match_mode
            and node.match_pattern
            and node.match_enabled
            and rule_matches(node.match_mode, node.match_pattern, text)
        ):
            scores[node.name] = 1.0
            codes[node.name] = node.code
    similar = _similar_clipping_ids(archive, draft)
    if similar:
        votes: dict[str, float] = defaultdict(float)
        for rank, summary in enumerate(archive.summaries(similar)):
            for name in summary.topics:
                votes[name] += 1.0 / (1 + rank * 0.2)
        if votes:
            top = max(votes.values())
            for name, vote in votes.items():
                score = round(0.9 * vote / top, 3)
                if score >= MIN_TOPIC_SCORE and score > scores.get(name, 0.0):
                    scores[name] = score
                    codes.setdefault(name, next((n.code for n in nodes if n.name == name), None))
    if not scores:
        return draft
    merged = {s.name: s for s in draft.topics}
    for name, score in scores.items():
        current = merged.get(name)
        if current is None or current.score < score:
            merged[name] = Suggestion(
                name, codes.get(name) or (current.code if current else None), score
            )
    draft.topics = sorted(merged.values(), key=lambda s: (-s.score, s.name))[: MAX_TOPICS + 3]
    return draft


def find_duplicate(archive: Archive, draft: ClippingDraft) -> tuple[int, float] | None:
    """(id, similarity) of the clipping this draft duplicates: exact first, then near."""
    exact = archive.clipping_ids_with_hash(content_hash(draft.body))
    if exact:
        return min(exact), 1.0
    near = archive.near_duplicates(draft.body, limit=1)
    return near[0] if near else None
