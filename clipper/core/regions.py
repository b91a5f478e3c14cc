"""The gazetteer: countries, M49 continents and sub-regions, and groupings (Sahel, AES, ECOWAS...)
with their English and French names, loaded from `resources/regions.json`.

Regions form a tree through `parent` (Africa > Western Africa > Niger) and overlapping sets
through `members` (Sahel, Alliance of Sahel States, ECOWAS each list their member countries).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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

    def __iter__(self) -> Iterable[Region]:  # type: ignore[override]
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
