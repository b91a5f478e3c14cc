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
                if region.key not in slot:
                    slot[region.key] = (how, _phrase_case(text, how, french), surface)
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
        tokens = _TOKEN.findall(text)
        folded = [_fold_token(t) for t in tokens]
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


@cache
def region_matcher(path: Path = GAZETTEER_PATH) -> RegionMatcher:
    return RegionMatcher(load_gazetteer(path))
