"""The gazetteer: countries, M49 continents and sub-regions, and groupings (Sahel, AES, ECOWAS...)
with their English and French names, demonyms, capitals and major cities, loaded from
`resources/regions.json` (built by tools/build_gazetteer.py).

Regions form a tree through `parent` (Africa > Sub-Saharan Africa > Western Africa > Niger)
and overlapping sets through `members` (Sahel, Alliance of Sahel States, ECOWAS each list
their member countries). `find_mentions` finds every region a text names, by name, alias,
demonym, capital or city.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clipper.core.paths import RESOURCES_DIR
from clipper.core.text import name_key

GAZETTEER_PATH = RESOURCES_DIR / "regions.json"


@dataclass(frozen=True)
class Region:
    key: str
    name: str
    kind: str  # continent | subregion | country | grouping
    name_fr: str | None = None
    parent: str | None = None
    code: str | None = None  # ISO 3166 alpha-2 for countries
    members: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names that identify the region itself
    demonyms: tuple[str, ...] = ()  # English: "Nigerien"
    demonyms_fr: tuple[str, ...] = ()  # French, every gender and number: "nigériennes"
    capitals: tuple[str, ...] = ()  # the capital and its other spellings
    cities: tuple[str, ...] = ()  # major cities (and towns the news names often)
    alpha3: str | None = None
    numeric: str | None = None
    # Abbreviations that are also another country's ISO code ("AU"): found in text, never
    # used to look a tag up.
    abbreviations: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.name_fr, *self.aliases) if n)


class Gazetteer:
    """Regions by key, and lookup of a region by any of its names or its ISO code."""

    def __init__(self, version: int, regions: Iterable[Region]) -> None:
        self.version = version
        self.regions: dict[str, Region] = {r.key: r for r in regions}
        self._by_name: dict[str, str] = {}
        for region in self.regions.values():
            for name in region.names:
                self._by_name.setdefault(name_key(name), region.key)
        for region in self.regions.values():
            if region.code:
                self._by_name.setdefault(name_key(region.code), region.key)

    def lookup(self, name: str) -> Region | None:
        key = self._by_name.get(name_key(name))
        return self.regions[key] if key else None

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions.values())

    def __len__(self) -> int:
        return len(self.regions)


def parse_gazetteer(data: dict[str, object]) -> Gazetteer:
    entries = data["regions"]
    assert isinstance(entries, list)
    regions = [
        Region(
            key=e["key"],
            name=e["name"],
            kind=e["kind"],
            name_fr=e.get("name_fr"),
            parent=e.get("parent"),
            code=e.get("code"),
            members=tuple(e.get("members", ())),
            aliases=tuple(e.get("aliases", ())),
            demonyms=tuple(e.get("demonyms", ())),
            demonyms_fr=tuple(e.get("demonyms_fr", ())),
            capitals=tuple(e.get("capitals", ())),
            cities=tuple(e.get("cities", ())),
            alpha3=e.get("alpha3"),
            numeric=e.get("numeric"),
            abbreviations=tuple(e.get("abbreviations", ())),
        )
        for e in entries
    ]
    version = data["version"]
    assert isinstance(version, int)
    return Gazetteer(version, regions)


@cache
def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    with path.open(encoding="utf-8") as handle:
        return parse_gazetteer(json.load(handle))


# -- finding regions in text ------------------------------------------------------------------

# How a text named a region: by its name, a demonym, its capital or another city.
NAME, DEMONYM, CAPITAL, CITY = "name", "demonym", "capital", "city"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


@dataclass(frozen=True)
class Mention:
    region_keys: tuple[str, ...]  # more than one when a name is shared ("Congolese")
    how: str
    start: int  # token position in the text
    text: str


@dataclass(frozen=True)
class _Phrase:
    region_keys: tuple[str, ...]
    how: str
    case: str  # "exact" (abbreviations), "capital" (names), "any" (French demonyms)
    surface: tuple[str, ...]  # the tokens as written in the gazetteer


def _fold_token(token: str) -> str:
    if token.isascii():
        return token.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFD", token)).lower()


def _phrase_case(text: str, how: str, french: bool) -> str:
    letters = re.sub(r"[^\w]", "", text)
    if letters.isupper() and len(letters) <= 5:
        return "exact"
    if french and how == DEMONYM:
        return "any"
    return "capital"


class RegionMatcher:
    """Finds mentions of regions in text: longest phrase first, case rules per phrase."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        owners: dict[tuple[str, ...], dict[str, tuple[str, str, tuple[str, ...]]]] = {}
        for region in gazetteer.regions.values():
            entries = [(n, NAME, False) for n in (*region.names, *region.abbreviations)]
            entries += [(n, DEMONYM, False) for n in region.demonyms]
            entries += [(n, DEMONYM, True) for n in region.demonyms_fr]
            entries += [(n, CAPITAL, False) for n in region.capitals]
            entries += [(n, CITY, False) for n in region.cities]
            for text, how, french in entries:
                surface = tuple(_TOKEN.findall(text))
                if not surface:
                    continue
                key = tuple(_fold_token(t) for t in surface)
                slot = owners.setdefault(key, {})
                entry = (how, _phrase_case(text, how, french), surface)
                if region.key not in slot:
                    slot[region.key] = entry
                elif slot[region.key][0] == how and _capitals(surface) < _capitals(
                    slot[region.key][2]
                ):
                    # Two spellings of one name ("Guinée Équatoriale", "Guinée équatoriale"):
                    # the text may write either, so ask for the fewer capitals.
                    slot[region.key] = entry
        self._phrases: dict[tuple[str, ...], _Phrase] = {}
        for key, slot in owners.items():
            # A name that is one region's own name beats a city or demonym of another.
            best = min(slot.values(), key=lambda v: (NAME, DEMONYM, CAPITAL, CITY).index(v[0]))
            keys = tuple(sorted(k for k, v in slot.items() if v[0] == best[0]))
            self._phrases[key] = _Phrase(keys, best[0], best[1], best[2])
        # The longest phrase starting with each first word: most words start none.
        self._longest_from: dict[str, int] = {}
        for key in self._phrases:
            self._longest_from[key[0]] = max(self._longest_from.get(key[0], 0), len(key))

    def mentions(self, text: str) -> list[Mention]:
        """Every region the text names, in order, without the names that context shows to be
        something else: a river, a sea or a gulf ("the Niger River", "the Indian Ocean",
        "the Gulf of Guinea"), or a person ("Chad Smith", "Michael Jordan", and the same
        word again later in the text)."""
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        tokens = [text[a:b] for a, b in spans]
        folded = [_fold_token(t) for t in tokens]
        found = self._all_mentions(tokens, folded)
        # Two words are one name only when a single space separates them.
        joined = [text[spans[k][1] : spans[k + 1][0]] == " " for k in range(len(spans) - 1)]
        return _in_context(found, tokens, folded, joined, self._longest_from)

    def _all_mentions(self, tokens: list[str], folded: list[str]) -> list[Mention]:
        found: list[Mention] = []
        i = 0
        longest_from = self._longest_from
        while i < len(tokens):
            longest = longest_from.get(folded[i], 0)
            for length in range(min(longest, len(tokens) - i), 0, -1):
                phrase = self._phrases.get(tuple(folded[i : i + length]))
                if phrase is None or not self._case_ok(phrase, tokens[i : i + length]):
                    continue
                found.append(
                    Mention(phrase.region_keys, phrase.how, i, " ".join(tokens[i : i + length]))
                )
                i += length
                break
            else:
                i += 1
        return found

    @staticmethod
    def _case_ok(phrase: _Phrase, tokens: list[str]) -> bool:
        if phrase.case == "exact":
            return list(phrase.surface) == tokens
        if phrase.case == "capital":
            # Every capitalised word of the name is capitalised in the text too, so that
            # "chad" or "china plates" are not countries, and "Turkey" at a sentence start is.
            return all(
                not written[:1].isupper() or seen[:1].isupper()
                for written, seen in zip(phrase.surface, tokens, strict=True)
            )
        return True


def _capitals(surface: tuple[str, ...]) -> int:
    return sum(1 for token in surface if token[:1].isupper())


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words after a place's name that make it a feature of the land or the sea, not the country.
_FEATURE_AFTER = _word_set("river rivers ocean sea basin valley gulf bight fleuve bassin golfe")
# Words before it that do the same ("River Niger", "fleuve Niger"), and "Gulf of Guinea".
_FEATURE_BEFORE = _word_set("river fleuve")
_FEATURE_OF = _word_set("gulf bight golfe")
# Capitalised words that follow or precede a place's name without making it a person's:
# titles, institutions, kinds of places, and the words that start sentences.
_NOT_A_NAME = _word_set(
    """
    president prime minister ministers foreign defence defense interior finance
    government army armed forces military junta police national state states federal
    republic kingdom king queen prince emir emirate sultan parliament senate assembly
    congress ministry embassy ambassador consulate court supreme constitution cup open
    league football federation team squad airways airlines air post times news radio
    television tv agency bank central university college city county province region
    regional district island islands capital airport port highway street road bridge
    dam lake mount mountains north south east west northern southern eastern western
    upper lower new greater old african arab islamic democratic people peoples united
    the a an in on at of from to for with by and or but as near across both neighbouring
    neighboring nearby while when after before during since into over under between
    against than like if so also even then this that these those its his her their our
    my your le la les de des du en au aux et dans pour sur par avec un une monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue wed thu fri sat sun reuters afp ap
    """
)


def _is_name_word(token: str) -> bool:
    """A capitalised word that could be part of a person's name."""
    return (
        len(token) > 1
        and token[:1].isupper()
        and not token.isupper()
        and _fold_token(token) not in _NOT_A_NAME
    )


def _in_context(
    found: list[Mention],
    tokens: list[str],
    folded: list[str],
    joined: list[bool],
    starts: dict[str, int],
) -> list[Mention]:
    # Headlines in title case capitalise every word: the person rules would see names
    # everywhere, so they only read running text.
    capitalised = sum(1 for t in tokens if t[:1].isupper())
    running_text = capitalised <= 0.5 * len(tokens)
    person_words: set[str] = set()
    kept: list[Mention] = []
    for mention in found:
        start = mention.start
        end = start + len(_TOKEN.findall(mention.text))
        after = folded[end] if end < len(tokens) else ""
        before = folded[start - 1] if start > 0 else ""
        if after in _FEATURE_AFTER or before in _FEATURE_BEFORE:
            continue
        if start >= 2 and before == "of" and folded[start - 2] in _FEATURE_OF:
            continue
        if running_text and end - start == 1 and mention.how != "demonym":
            word = folded[start]
            # A dateline's place in capitals ("NIAMEY, Jan 28") is never a person.
            spelled = tokens[start]
            next_is_name = (
                end < len(tokens)
                and not spelled.isupper()
                and joined[end - 1]
                and _is_name_word(tokens[end])
                and after not in starts
                and (end + 1 >= len(tokens) or not _is_name_word(tokens[end + 1]))
            )
            previous_is_name = (
                start > 0
                and not spelled.isupper()
                and joined[start - 1]
                and _is_name_word(tokens[start - 1])
                and before not in starts
                and not tokens[start - 1].endswith(("ing", "ed"))
            )
            if next_is_name or previous_is_name:
                person_words.add(word)
            if word in person_words:
                continue
        kept.append(mention)
    if person_words:
        # "Jordan said" after "Michael Jordan": the same person, wherever it stands.
        kept = [
            m
            for m in kept
            if not (len(_TOKEN.findall(m.text)) == 1 and folded[m.start] in person_words)
        ]
    return kept


@cache
def region_matcher(path: Path = GAZETTEER_PATH) -> RegionMatcher:
    return RegionMatcher(load_gazetteer(path))
