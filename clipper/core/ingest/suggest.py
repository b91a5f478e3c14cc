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

import regex

from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.paths import RESOURCES_DIR
from clipper.core.regions import (
    CAPITAL,
    CITY,
    DEMONYM,
    Gazetteer,
    Mention,
    load_gazetteer,
    region_matcher,
)
from clipper.core.rule_patterns import MATCH_BUDGET_SECONDS, RuleTimeout, rule_search
from clipper.core.text import content_hash

if TYPE_CHECKING:
    from clipper.core.archive import Archive

log = logging.getLogger(__name__)

TOPICS_PATH = RESOURCES_DIR / "topics.json"
MAX_REGIONS = 8
MAX_TOPICS = 5
MIN_REGION_SCORE = 0.12
MIN_TOPIC_SCORE = 0.2
MIN_TOPIC_KEYWORDS = 2
# A stored clipping is like a new one when it shares this many of its 12 telling words.
MIN_SHARED_WORDS = 3

# A name counts fully; other ways of naming a place say a little less about the story.
_HOW_WEIGHT = {DEMONYM: 0.7, CAPITAL: 0.8, CITY: 0.6}
# Broad regions are named in passing ("in Africa"); a country is what a story is about.
_KIND_WEIGHT = {
    "country": 1.0,
    "state": 1.0,
    "grouping": 0.8,
    "subregion": 0.6,
    "continent": 0.4,
}
# A mention of a US state counts this much for the United States too.
_STATE_TO_COUNTRY = 0.5
_TITLE_WEIGHT = 3.0
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _fold(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()


# -- regions ----------------------------------------------------------------------------------


def suggest_regions(title: str, body: str, gazetteer: Gazetteer | None = None) -> list[Suggestion]:
    """Regions the text is about, best first: mentions weighted by how, where and what; each
    says which words named it."""
    gazetteer = gazetteer or load_gazetteer()
    matcher = region_matcher()
    scores: dict[str, float] = defaultdict(float)
    named: dict[str, Counter[str]] = defaultdict(Counter)
    in_title = matcher.mentions(title)
    mentions = matcher.mentions(body)
    context = _context_regions([*in_title, *mentions], gazetteer)
    length = max(1, len(_WORD.findall(body)))
    weighed = [(m, _TITLE_WEIGHT) for m in in_title] + [
        # The lede says what a story is about; a mention in the last paragraph is context.
        (m, 1.0 + (1.0 - min(1.0, m.start / length)))
        for m in mentions
    ]
    for mention, position in weighed:
        keys = _meant(mention.region_keys, context)
        for key in keys:
            weight = _HOW_WEIGHT.get(mention.how, 1.0) * position / len(keys)
            scores[key] += weight
            named[key][mention.text] += 1
            region = gazetteer.regions.get(key)
            if region is not None and region.kind == "state" and region.parent:
                # A US state's story is also the country's, a little less.
                scores[region.parent] += weight * _STATE_TO_COUNTRY
                named[region.parent][mention.text] += 1
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
        result.append(
            Suggestion(region.name, region.code, round(score / best, 3), _named(named[key]))
        )
    return result


def _context_regions(mentions: list[Mention], gazetteer: Gazetteer) -> set[str]:
    """Regions the text names without doubt (one region per phrase), with their parents:
    what tells which of two regions a shared name means."""
    found: set[str] = set()
    for mention in mentions:
        if len(mention.region_keys) == 1:
            key = mention.region_keys[0]
            found.add(key)
            region = gazetteer.regions.get(key)
            if region is not None and region.parent:
                found.add(region.parent)
    return found


def _meant(keys: tuple[str, ...], context: set[str]) -> tuple[str, ...]:
    """Of the regions a shared name could mean ("Georgia", "Congolese"), those the rest of
    the text names without doubt, itself or by a place within it (Atlanta, Goma); all of
    them when it names none."""
    if len(keys) == 1:
        return keys
    supported = tuple(key for key in keys if key in context)
    return supported or keys


def _named(words: Counter[str]) -> str:
    top = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return "named: " + ", ".join(f"{w} ×{n}" if n > 1 else w for w, n in top)


# -- topics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    code: str
    name: str
    name_fr: str
    words: frozenset[str]
    prefixes: frozenset[str]
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class TopicIndex:
    """Every topic's keywords in one place, so a text's words are looked up once each."""

    topics: tuple[Topic, ...]
    words: dict[str, tuple[str, ...]]  # word -> topic codes
    prefixes: dict[str, tuple[str, ...]]  # prefix -> topic codes
    phrases: re.Pattern[str] | None
    phrase_codes: dict[str, tuple[str, ...]]
    longest_prefix: int


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


@cache
def topic_index(path: Path = TOPICS_PATH) -> TopicIndex:
    topics = load_topics(path)
    words: dict[str, list[str]] = defaultdict(list)
    prefixes: dict[str, list[str]] = defaultdict(list)
    phrase_codes: dict[str, list[str]] = defaultdict(list)
    for topic in topics:
        for word in topic.words:
            words[word].append(topic.code)
        for prefix in topic.prefixes:
            prefixes[prefix].append(topic.code)
        for phrase in topic.phrases:
            phrase_codes[phrase].append(topic.code)
    pattern = (
        re.compile(
            r"\b(?:"
            + "|".join(re.escape(p) for p in sorted(phrase_codes, key=len, reverse=True))
            + r")\b"
        )
        if phrase_codes
        else None
    )
    return TopicIndex(
        topics,
        {k: tuple(v) for k, v in words.items()},
        {k: tuple(v) for k, v in prefixes.items()},
        pattern,
        {k: tuple(v) for k, v in phrase_codes.items()},
        max((len(p) for p in prefixes), default=0),
    )


def _topic_hits(text: str, index: TopicIndex) -> dict[str, Counter[str]]:
    """Per topic code, how often each of its keywords occurs in the text (the evidence)."""
    folded = _fold(text)
    hits: dict[str, Counter[str]] = defaultdict(Counter)
    for token, count in Counter(_WORD.findall(folded)).items():
        matched: dict[str, str] = {}
        for code in index.words.get(token, ()):
            matched[code] = token
        for k in range(3, min(len(token), index.longest_prefix) + 1):
            for code in index.prefixes.get(token[:k], ()):
                matched.setdefault(code, token)
        for code, keyword in matched.items():
            hits[code][keyword] += count
    if index.phrases is not None:
        for m in index.phrases.finditer(folded):
            for code in index.phrase_codes[m.group(0)]:
                hits[code][m.group(0)] += 1
    return hits


def _evidence(keywords: Counter[str]) -> str:
    top = sorted(keywords.items(), key=lambda kv: (-kv[1], kv[0]))[:6]
    return "words: " + ", ".join(f"{w} ×{n}" if n > 1 else w for w, n in top)


def suggest_topics(title: str, body: str) -> list[Suggestion]:
    """Default-vocabulary topics whose words are dense in the text, best first, each with
    the words that were found. One word repeated is not evidence of a topic: a topic needs
    at least MIN_TOPIC_KEYWORDS different keywords."""
    index = topic_index()
    by_code = {t.code: t for t in index.topics}
    hits = _topic_hits(body, index)
    for code, keywords in _topic_hits(title, index).items():
        for keyword, count in keywords.items():
            hits[code][keyword] += int(count * _TITLE_WEIGHT)
    words = max(50, len(_WORD.findall(body)))
    scored = []
    for code, keywords in hits.items():
        count = sum(keywords.values())
        if count < 3 or len(keywords) < MIN_TOPIC_KEYWORDS:
            continue
        # About three keyword hits per hundred words is a story squarely on the topic.
        scored.append((count * 100 / words, code))
    # Ranked by density; the score shown saturates at 1.0 (squarely on the topic).
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [
        Suggestion(by_code[code].name, code, round(min(1.0, density / 3), 3), _evidence(hits[code]))
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
        # Rules are untrusted (one may come from an imported export): each runs under a time
        # budget, and one that spends it is skipped for this article rather than holding it.
        try:
            return rule_search(pattern, text)
        except regex.error:
            log.warning("topic rule %r is not a valid regular expression", pattern)
            return False
        except RuleTimeout:
            log.warning(
                "topic rule “%s” took longer than %.1f s on this article and was skipped",
                pattern,
                MATCH_BUDGET_SECONDS,
            )
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


# Words every story has, in English and French: never evidence that two stories are alike.
_COMMON = frozenset(
    str.split(
        """
    that this with from have were their there which would about after also been they them
    than then when what where will said says more most some such only other into over very
    just like your ours year years week month today told while because could should being
    dans pour avec sont mais plus leur leurs elle elles nous vous cette comme tout tous aussi
    depuis entre sans sous selon apres avant encore deja dont etre fait faire avait avoir
    """
    )
)


def _telling_words(text: str, count: int = 12) -> list[str]:
    """Words frequent here but not everywhere: long ones, repeated, skipping common ones."""
    words = [w for w in _WORD.findall(_fold(text)) if len(w) > 3 and w not in _COMMON]
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w] * math.log(len(w)), w))[:count]


def _similar_clippings(
    archive: Archive, draft: ClippingDraft, limit: int = 20
) -> list[tuple[int, str, list[str]]]:
    """(id, title, shared telling words) of stored clippings that share at least
    MIN_SHARED_WORDS of this draft's telling words, best first.

    The index finds candidates (any telling word); the stored text confirms them, so that a
    clipping sharing one common word ("Google", "Africa") is no evidence of a topic. The
    search index may not exist (a fresh archive, a dry run on a machine without one) or may
    not be built yet: then there are simply no similar clippings to learn from.
    """
    telling = _telling_words(draft.title + " " + draft.body)
    if not telling:
        return []
    query = " OR ".join(telling)
    try:
        # The index as it stands, without catching up first: a batch catches up once at its
        # end (a commit per imported item would cost more than the suggestion is worth).
        # Ids alone: a search's snippets, facets and spelling suggestions were two thirds of
        # what suggesting cost an imported page, and none of them is shown.
        ids = [cid for cid, _score in archive.index.ranked_ids(query, limit=limit)]
        texts = archive.hit_texts(ids)
    except Exception:  # the index is a cache: without it, suggestions are just fewer
        log.warning("no similar clippings for topic suggestions", exc_info=True)
        return []
    found = []
    for cid in ids:
        text = texts.get(cid)
        if text is None:
            continue
        words = set(_WORD.findall(_fold(f"{text.title} {text.standfirst} {text.body}")))
        shared = [w for w in telling if w in words]
        if len(shared) >= MIN_SHARED_WORDS:
            found.append((cid, text.title, shared))
    return found


def archive_suggestions(archive: Archive, draft: ClippingDraft) -> ClippingDraft:
    """Add topics from the archive: topic rules that are on, and how clippings that share
    this draft's telling words were tagged; each says what it rests on."""
    text = f"{draft.title}\n{draft.body}"
    scores: dict[str, float] = {}
    codes: dict[str, str | None] = {}
    evidence: dict[str, str] = {}
    for rule in archive.topic_rules():
        if rule_matches(rule.mode, rule.pattern, text):
            scores[rule.name] = 1.0
            codes[rule.name] = rule.code
            evidence[rule.name] = f"the topic's rule matches ({rule.mode}: {rule.pattern})"
    similar = _similar_clippings(archive, draft)
    if similar:
        votes: dict[str, float] = defaultdict(float)
        voters: dict[str, list[tuple[int, str, list[str]]]] = defaultdict(list)
        summaries = {s.id: s for s in archive.summaries([cid for cid, _t, _w in similar])}
        for rank, (cid, title, shared) in enumerate(similar):
            summary = summaries.get(cid)
            for name in summary.topics if summary else ():
                votes[name] += 1.0 / (1 + rank * 0.2)
                voters[name].append((cid, title, shared))
        if votes:
            top = max(votes.values())
            for name, vote in votes.items():
                score = round(0.9 * vote / top, 3)
                if score >= MIN_TOPIC_SCORE and score > scores.get(name, 0.0):
                    scores[name] = score
                    if name not in codes:
                        tag = archive.find_tag("topic", name)
                        codes[name] = tag.code if tag else None
                    cid, title, shared = voters[name][0]
                    more = len(voters[name]) - 1
                    evidence[name] = (
                        f"tagged so on #{cid} “{title}”"
                        + (f" and {more} more" if more else "")
                        + f", which shares: {', '.join(shared[:6])}"
                    )
    if not scores:
        return draft
    merged = {s.name: s for s in draft.topics}
    for name, score in scores.items():
        current = merged.get(name)
        if current is None or current.score < score:
            merged[name] = Suggestion(
                name,
                codes.get(name) or (current.code if current else None),
                score,
                evidence.get(name, ""),
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
