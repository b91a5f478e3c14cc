"""Near-duplicate keys: the fast `dedupe` gives exactly what its first implementation gave.

The band keys are stored in the archive (shingle_bands) and compared with the keys of new
bodies, so one changed value would hide every stored copy of a story. The first
implementation is kept here, unchanged, as the reference.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.bench.corpus import NewsCorpus
from clipper.core import dedupe

# -- the reference: dedupe.py as it was before it was made faster ----------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _reference_tokens(text: str) -> list[str]:
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()
    return _WORD.findall(folded)


def _reference_windows(tokens: list[str]) -> list[int]:
    if len(tokens) < 4:
        return [zlib.crc32(" ".join(tokens).encode("utf-8"))] if tokens else []
    return [zlib.crc32(" ".join(tokens[i : i + 4]).encode("utf-8")) for i in range(len(tokens) - 3)]


def reference_shingles(text: str) -> set[int]:
    return set(_reference_windows(_reference_tokens(text)))


def reference_lead_shingles(text: str) -> set[int]:
    return set(_reference_windows(_reference_tokens(text)[: 60 + 4 - 1]))


def reference_signature(hashes: set[int]) -> np.ndarray:
    if not hashes:
        return np.zeros(100, dtype=np.uint64)
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))[np.newaxis, :]
    permuted = (dedupe._A * values + dedupe._B) % np.uint64(4294967311)
    result: np.ndarray = permuted.min(axis=1)
    return result


def reference_band_keys(sig: np.ndarray, first_band: int = 0) -> list[int]:
    keys = []
    for band in range(20):
        rows = sig[band * 5 : (band + 1) * 5]
        digest = zlib.crc32(struct.pack("<5Q", *(int(v) for v in rows)))
        keys.append(((first_band + band) << 32) | digest)
    return keys


def reference_body_band_keys(body: str) -> list[int]:
    hashes = reference_shingles(body)
    if not hashes:
        return []
    return reference_band_keys(reference_signature(hashes)) + reference_band_keys(
        reference_signature(reference_lead_shingles(body)), 20
    )


# -- the comparison --------------------------------------------------------------------------


def assert_same_as_reference(text: str) -> None:
    assert dedupe.shingles(text) == reference_shingles(text)
    assert dedupe.lead_shingles(text) == reference_lead_shingles(text)
    assert dedupe.body_band_keys(text) == reference_body_band_keys(text)


# Words as newsrooms write them: accents, ligatures, apostrophes and dashes of every kind,
# digits of other scripts, underscores, non-breaking and other Unicode spaces, control
# characters, combining marks in and outside the folded range, and anything else at all.
_PIECES = st.sampled_from(
    [
        "Goïta",
        "SÉCURITÉ",
        "l’armée",
        "d'État",
        "«",
        "»",
        "—",
        "–",
        "-",
        "œuvre",
        "Straße",
        "ﬁn",
        "١٢٣",
        "²",
        "snake_case",
        "e\u0301",
        "a\u0327",
        "\u20dd",
        "\u00a0",
        "\u202f",
        "\u2009",
        "\u3000",
        "\t",
        "\n",
        "\r\n",
        "\x1c",
        "\x00",
        " ",
        "  ",
        ".",
        ",",
        "!",
        "İstanbul",
        "ΣΊΣΥΦΟΣ",
        "日本語",
        "😀",
        "Niamey",
        "wire",
        "copy",
    ]
)
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=80).map("".join),
    st.lists(st.one_of(_PIECES, st.just(" ")), max_size=400).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_keys_are_the_reference_keys_for_any_text(text: str) -> None:
    assert_same_as_reference(text)


def test_the_keys_are_the_reference_keys_at_the_edges() -> None:
    for text in [
        "",
        " ",
        " \n\t\u00a0\u3000 ",
        "...",
        "one",
        "one two",
        "one two three",
        "one two three four",
        "Un deux trois quatre cinq",
        " ".join(f"mot{i}" for i in range(62)),
        " ".join(f"mot{i}" for i in range(63)),
        " ".join(f"mot{i}" for i in range(64)),
        "répété " * 500,
        " ".join(f"mot{i % 997}, é{i}" for i in range(20_000)),
    ]:
        assert_same_as_reference(text)


def test_the_keys_are_the_reference_keys_on_the_bench_corpus() -> None:
    for article in NewsCorpus(7).articles(150):
        assert_same_as_reference(article.draft.body.strip())
        assert_same_as_reference(article.draft.title)


def test_the_signature_and_band_keys_are_the_reference_ones() -> None:
    rng = np.random.default_rng(5)
    for size in (1, 2, 59, 60, 61, 1000):
        hashes = {int(v) for v in rng.integers(0, 2**32, size=size)}
        sig = dedupe.signature(hashes)
        assert np.array_equal(sig, reference_signature(hashes))
        assert dedupe.band_keys(sig, 20) == reference_band_keys(sig, 20)
    assert np.array_equal(dedupe.signature(set()), reference_signature(set()))
