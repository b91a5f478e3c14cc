"""Near-duplicate detection: word shingles, their MinHash signature, and LSH band keys.

Syndicated wire copy reaches a newsroom through several outlets with small edits (a dateline,
a sentence cut, a headline), and often shortened: an outlet keeps the first half or two
thirds of the story. Two bodies are near duplicates when their sets of 4-word shingles have a
Jaccard similarity of at least `NEAR_DUPLICATE_JACCARD`, or when at least
`NEAR_DUPLICATE_CONTAINMENT` of the shorter one's shingles are in the longer one (the
shortened copy; distinct stories on the same event share a few percent). The archive stores
40 band keys per clipping (5 MinHash rows each): 20 of the whole body's signature and 20 of
its lead's (its first `LEAD_SHINGLES` shingles), because a copy cut to 60% has a Jaccard of
about 0.6 with the whole and would share a band of the whole's signature only by luck, while
its lead is the same. A new body's candidates are the clippings that share a band key, and
each candidate is confirmed with the exact shingles of the two bodies. At 0.8 a pair shares
a band with probability 1 - (1 - 0.8**5)**20 > 0.999.

Everything here is deterministic across processes (crc32, a fixed seed), because the keys
are stored.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib

import numpy as np

NEAR_DUPLICATE_JACCARD = 0.8
NEAR_DUPLICATE_CONTAINMENT = 0.8
# A shorter text than this (in shingles, about as many words) is too short to call a copy of
# a longer one by containment: a quotation or a headline is not a syndicated story.
MIN_CONTAINED_SHINGLES = 40
LEAD_SHINGLES = 60
SHINGLE_WORDS = 4
BANDS = 20
ROWS = 5
PERMUTATIONS = BANDS * ROWS
_PRIME = np.uint64(4294967311)  # the first prime above 2**32
_rng = np.random.default_rng(20231206)
_A = _rng.integers(1, 2**32 - 1, size=(PERMUTATIONS, 1), dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=(PERMUTATIONS, 1), dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


def _tokens(text: str) -> list[str]:
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()
    return _WORD.findall(folded)


def _windows(tokens: list[str]) -> list[int]:
    if len(tokens) < SHINGLE_WORDS:
        return [zlib.crc32(" ".join(tokens).encode("utf-8"))] if tokens else []
    return [
        zlib.crc32(" ".join(tokens[i : i + SHINGLE_WORDS]).encode("utf-8"))
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    ]


def shingles(text: str) -> set[int]:
    """The crc32 hashes of the text's 4-word windows (the whole text when it is shorter)."""
    return set(_windows(_tokens(text)))


def lead_shingles(text: str) -> set[int]:
    """The shingles of the text's first LEAD_SHINGLES windows: what a shortened copy keeps."""
    return set(_windows(_tokens(text)[: LEAD_SHINGLES + SHINGLE_WORDS - 1]))


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def containment(a: set[int], b: set[int]) -> float:
    """The share of the smaller set's shingles found in the larger one."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def similarity(a: set[int], b: set[int]) -> float:
    """How alike two bodies are, as near-duplicate detection judges them: their Jaccard
    similarity when that makes them near duplicates, else the containment of the shorter in
    the longer when that does (and the shorter is long enough), else their Jaccard."""
    alike = jaccard(a, b)
    if alike >= NEAR_DUPLICATE_JACCARD or min(len(a), len(b)) < MIN_CONTAINED_SHINGLES:
        return alike
    contained = containment(a, b)
    return contained if contained >= NEAR_DUPLICATE_CONTAINMENT else alike


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS values) of a set of shingle hashes."""
    if not hashes:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))[np.newaxis, :]
    # a < 2**32 and x < 2**32, so a * x + b stays below 2**64: no overflow before the modulo.
    permuted = (_A * values + _B) % _PRIME
    result: np.ndarray = permuted.min(axis=1)
    return result


def band_keys(sig: np.ndarray, first_band: int = 0) -> list[int]:
    """One key per band: the band's number in the high bits, a crc32 of its rows below."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        digest = zlib.crc32(struct.pack(f"<{ROWS}Q", *(int(v) for v in rows)))
        keys.append(((first_band + band) << 32) | digest)
    return keys


def body_band_keys(body: str) -> list[int]:
    """The band keys the archive stores for a body, and looks up for a new one: the whole
    body's bands (0-19), then its lead's (20-39)."""
    hashes = shingles(body)
    if not hashes:
        return []
    return band_keys(signature(hashes)) + band_keys(signature(lead_shingles(body)), BANDS)
