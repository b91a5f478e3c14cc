"""Near-duplicate keys: the fast `dedupe` gives exactly what its definition gives.

The band keys are stored in the archive (shingle_bands) and compared with the keys of new
bodies, so one changed value would hide every stored copy of a story. The definition is
written out here in plain Python integers, one byte and one value at a time, as the
reference; a few keys are pinned as numbers, so that the two cannot change together.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.bench.corpus import NewsCorpus
from clipper.core import dedupe

# -- the reference: the keys' definition, one step at a time ----------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_M = (1 << 64) - 1


def _splitmix64(seed: int, count: int) -> list[int]:
    out, state = [], seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _M
        z = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M
        out.append(z ^ (z >> 31))
    return out


_K = _splitmix64(20231206, 202)
_MULTIPLIERS = [a | 1 for a in _K[:100]]
_OFFSETS = _K[100:200]
_BASE = _K[200] | 1
_ROW_BASE = _K[201] | 1


def _fmix_high(value: int) -> int:
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & _M
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & _M
    value ^= value >> 33
    return value >> 32


def _polynomial(data: bytes | list[int], base: int) -> int:
    value = 0
    for item in data:
        value = (value * base + item) & _M
    return value


def _reference_tokens(text: str) -> list[str]:
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()
    return _WORD.findall(folded)


def _window(words: list[str]) -> int:
    return _fmix_high(_polynomial(" ".join(words).encode("utf-8"), _BASE))


def _reference_windows(tokens: list[str]) -> list[int]:
    if len(tokens) < 4:
        return [_window(tokens)] if tokens else []
    return [_window(tokens[i : i + 4]) for i in range(len(tokens) - 3)]


def reference_shingles(text: str) -> set[int]:
    return set(_reference_windows(_reference_tokens(text)))


def reference_lead_shingles(text: str) -> set[int]:
    return set(_reference_windows(_reference_tokens(text)[: 60 + 4 - 1]))


def reference_signature(hashes: set[int]) -> np.ndarray:
    if not hashes:
        return np.zeros(100, dtype=np.uint64)
    functions = zip(_MULTIPLIERS, _OFFSETS, strict=True)
    return np.array(
        [min(((a * x + b) & _M) >> 32 for x in hashes) for a, b in functions], dtype=np.uint64
    )


def reference_band_keys(sig: np.ndarray, first_band: int = 0) -> list[int]:
    keys = []
    for band in range(20):
        rows = [int(v) for v in sig[band * 5 : (band + 1) * 5]]
        keys.append(((first_band + band) << 32) | _fmix_high(_polynomial(rows, _ROW_BASE)))
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


def test_the_keys_of_a_text_are_the_numbers_the_archive_stored() -> None:
    # Pinned, as an archive stores them: a change here makes every stored key useless
    # (migration 0008 re-keyed archives the last time the definition changed).
    short = dedupe.body_band_keys("Niger's junta receives a Russian delegation in Niamey.")
    assert short[:2] + short[20:22] == [119434176, 6475050684, 86018780096, 92374396604]
    long = dedupe.body_band_keys(" ".join(f"word{i}" for i in range(100)))
    assert long[:2] + long[20:22] == [3665324832, 8325060781, 86534365980, 94224406701]


def test_a_long_text_has_the_reference_keys(monkeypatch) -> None:
    # The powers of a text longer than _KEPT_POWERS bytes are made for it alone, and its
    # windows are permuted _PERMUTED_AT_ONCE at a time (small here: many chunks, a short last).
    monkeypatch.setattr(dedupe, "_KEPT_POWERS", 1 << 14)
    monkeypatch.setattr(dedupe, "_PERMUTED_AT_ONCE", 1000)
    monkeypatch.setattr(dedupe, "_powers", (np.ones(1, dtype=np.uint64),) * 2)
    long = " ".join(f"mot{i % 991} é{i}" for i in range(3_000))  # about 30,000 bytes
    assert_same_as_reference(long)
    assert len(dedupe._powers[0]) <= 1 << 14
    assert_same_as_reference("A short text after it, with the powers kept.")
    assert len(dedupe._powers[0]) == 1 << 14
