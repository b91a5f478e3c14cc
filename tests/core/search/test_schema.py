"""The index's own encodings: word positions (arrays and bitmaps, decoded as keys, bit
matrices and highest positions) and language codes."""

from __future__ import annotations

import numpy as np
import pytest

from clipper.core.archive import Archive
from clipper.core.search.schema import (
    MANY_TIMES,
    CompactPositions,
    PositionValues,
    primary_language,
)
from clipper.core.views import ClippingFilter
from tests.helpers.archives import add, ids


@pytest.mark.parametrize(
    "positions",
    [[0], [7], [3, 90, 65535], [5, 70_000], list(range(0, 3 * MANY_TIMES, 3)), [2, 4]],
)
def test_positions_round_trip_in_every_form(positions: list[int]) -> None:
    fmt = CompactPositions()
    value = fmt.encode(positions)
    assert value[:1] == (
        b"B" if len(positions) >= MANY_TIMES else b"H" if positions[-1] < 65536 else b"I"
    )
    assert fmt.decode_positions(value) == positions
    assert fmt.decode_frequency(value) == len(positions)
    decoded = PositionValues([value])
    assert decoded.keys([3]).tolist() == [3 << 32 | p for p in positions]
    assert decoded.highest().tolist() >= [positions[-1]]
    if len(positions) < MANY_TIMES:  # an array's highest is its last entry, exactly
        assert decoded.highest().tolist() == [positions[-1]]
    bits = np.unpackbits(decoded.bitmaps(positions[-1] // 8 + 1)[0], bitorder="little")
    assert np.flatnonzero(bits).tolist() == positions


def test_position_keys_of_many_documents_in_every_form_are_sorted() -> None:
    fmt = CompactPositions()
    wide = list(range(1, 4 * MANY_TIMES, 4))  # a bitmap
    docs = {0: [5, 9], 2: wide, 7: [70_000], 9: [0, 31], 12: [8, *range(40, 40 + MANY_TIMES)]}
    values = PositionValues([fmt.encode(positions) for positions in docs.values()])
    keys = values.keys(list(docs))
    assert keys.tolist() == sorted(d << 32 | p for d, positions in docs.items() for p in positions)
    # The bit matrix and the highest positions of the same values, and of some of them.
    for rows in ([0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 0, 2, 4, 3], [4, 1], [3], [2, 0], [1, 4, 1]):
        chosen = [list(docs.values())[row] for row in rows]
        highest = values.highest()[rows]
        assert all(h >= positions[-1] for h, positions in zip(highest, chosen, strict=True))
        matrix = values.bitmaps(int(highest.max()) // 8 + 1, np.array(rows))
        assert matrix.shape[0] == len(rows)
        for row, positions in zip(matrix, chosen, strict=True):
            assert np.flatnonzero(np.unpackbits(row, bitorder="little")).tolist() == positions


def test_bitmaps_of_common_words_in_any_order_of_rows() -> None:
    fmt = CompactPositions()
    docs = [list(range(start, 6 * MANY_TIMES, 5)) for start in range(4)]
    values = PositionValues([fmt.encode(positions) for positions in docs])
    for rows in ([3, 2, 1, 0], [1, 0, 3, 2], [0, 1, 2, 3]):
        matrix = values.bitmaps(int(values.highest().max()) // 8 + 1, np.array(rows))
        for row, at in zip(matrix, rows, strict=True):
            assert np.flatnonzero(np.unpackbits(row, bitorder="little")).tolist() == docs[at]


def test_phrases_of_very_common_words_are_found_and_counted(archive: Archive) -> None:
    # "de la" many times over (bitmaps) next to a text where both words occur apart.
    together = add(archive, "Together", " ".join(["de la mer"] * (MANY_TIMES + 5)), language="fr")
    apart = add(archive, "Apart", " ".join(["la mer de"] * (MANY_TIMES + 5)) + " la", language="fr")
    once = add(archive, "Once", "La fin de la route.", language="fr")
    found = archive.search('"de la"').hits
    assert {h.id for h in found} == {together, apart, once}  # "de la" across "de / la"
    assert found[0].id in (together, apart)
    assert ids(archive, '"la mer de la"') == {together, apart}
    assert ids(archive, '"mer la"') == set()


def test_a_phrase_is_found_in_short_and_long_texts_alike(archive: Archive) -> None:
    # Every candidate's row of position bits is as wide as the longest one's: texts of 4 and
    # of 3,000 words, the phrase at either end, and the words apart in both.
    filler = " ".join(["mot"] * 3000)
    short = add(archive, "Short", "La junte de Niamey.", language="fr")
    long = add(archive, "Long", f"{filler} la junte de Niamey", language="fr")
    first = add(archive, "First", f"La junte de Niamey {filler}", language="fr")
    add(archive, "Apart", f"junte {filler} la", language="fr")
    add(archive, "Medium", f"{' '.join(['mot'] * 300)} junte la", language="fr")
    assert ids(archive, '"la junte"') == {short, long, first}
    assert ids(archive, '"la junte"~3') == {short, long, first}


def test_language_codes_are_reduced_to_their_primary_tag(archive: Archive) -> None:
    french = add(archive, "Fr", "Bonjour Niamey.", language="fr-FR")
    english = add(archive, "En", "Hello Niamey.", language="en_GB")
    assert primary_language(" FR_ca ") == "fr"
    assert ids(archive, "lang:fr") == {french}
    assert ids(archive, "lang:fr-BE") == {french}
    assert ids(archive, "niamey", flt=ClippingFilter(language="en-US")) == {english}
    assert dict(archive.search("niamey").facets["language"]) == {"fr": 1, "en": 1}
