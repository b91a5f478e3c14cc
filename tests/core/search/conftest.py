"""Helpers for the search tests: clippings made in a line, and a small newsroom archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import pytest

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location


def add(
    archive: Archive,
    title: str,
    body: str | None = None,
    tags: Iterable[tuple[str, str]] = (),
    **fields: object,
) -> int:
    """Store a clipping and return its id."""
    draft = ClippingDraft(title=title, body=body or f"{title}.", **fields)  # type: ignore[arg-type]
    return archive.add(draft, tags).id


def ids(archive: Archive, query: str, **kwargs: object) -> set[int]:
    """The ids a search finds (every page)."""
    results = archive.search(query, page_size=1000, **kwargs)  # type: ignore[arg-type]
    assert results.total == len(results.hits)
    return {hit.id for hit in results.hits}


NEWSROOM = [
    # (title, body, tags, fields)
    (
        "Niger junta receives a Russian delegation",
        "General Abdourahamane Tiani welcomed Yevkurov, the Russian deputy defence minister, "
        "in Niamey. The junta signed a defence cooperation agreement.",
        [("region", "Niger"), ("topic", "Security")],
        {"source": "Le Monde", "author": "Morgane Le Cam", "language": "en",
         "published": dt.date(2023, 12, 6)},
    ),
    (
        "Mali : l'armée reprend Kidal",
        "L'armée malienne est entrée à Kidal. Le colonel Assimi Goïta salue une victoire "
        "des forces armées et promet la sécurité du nord.",
        [("region", "Mali"), ("topic", "Security")],
        {"source": "RFI", "author": "Jean Dupont", "language": "fr",
         "published": dt.date(2023, 11, 14)},
    ),
    (
        "Burkina Faso : les élections reportées",
        "Le capitaine Ibrahim Traoré a annoncé que les élections présidentielles n'auront pas "
        "lieu en 2024. La transition est prolongée.",
        [("region", "Burkina Faso"), ("topic", "Elections")],
        {"source": "Jeune Afrique", "language": "fr", "published": dt.date(2024, 1, 10)},
    ),
    (
        "Senegal elections: opposition protests in Dakar",
        "Thousands protested in Dakar after the presidential election was postponed.",
        [("region", "Senegal"), ("topic", "Elections")],
        {"source": "Reuters", "language": "en", "published": dt.date(2024, 2, 5)},
    ),
    (
        "Uranium exports from Niger halted",
        "Orano said uranium exports were halted after the border with Benin closed.",
        [("region", "Niger"), ("topic", "Mining")],
        {"source": "Reuters", "language": "en", "published": dt.date(2023, 8, 1)},
    ),
    (
        "Gold rush in the north of Mali",
        "Artisanal gold sites multiply while the state tries to collect royalties.",
        [("region", "Mali"), ("topic", "Mining")],
        {"source": "AFP", "language": "en", "published": dt.date(2022, 5, 3)},
    ),
    (
        "La sécurité alimentaire au Tchad",
        "Les réfugiés soudanais arrivent par milliers; le Programme alimentaire mondial "
        "s'inquiète de la soudure.",
        [("region", "Tchad"), ("topic", "Food security")],
        {"source": "Le Monde", "language": "fr", "published": dt.date(2023, 12, 20)},
    ),
    (
        "Wagner mercenaries extend their reach",
        "The mercenaries of the Wagner group now guard mines across the Central African "
        "Republic.",
        [("region", "Central African Republic"), ("topic", "Security")],
        {"source": "AFP", "language": "en", "published": dt.date(2023, 3, 1)},
    ),
]  # fmt: skip


def fill_newsroom(archive: Archive) -> dict[int, int]:
    """Store the eight NEWSROOM clippings; returns {1..8: id}."""
    made = {}
    for number, (title, body, tags, fields) in enumerate(NEWSROOM, start=1):
        made[number] = add(archive, title, body, tags, **fields)
    return made


@pytest.fixture
def newsroom(archive: Archive) -> dict[int, int]:
    """The NEWSROOM clippings in the test's own archive (for tests that change it)."""
    return fill_newsroom(archive)


@pytest.fixture(scope="module")
def newsroom_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One NEWSROOM archive shared by a module's read-only tests."""
    with Archive(resolve_location(tmp_path_factory.mktemp("newsroom") / "archive")) as opened:
        fill_newsroom(opened)
        yield opened
