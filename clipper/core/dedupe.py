"""Near-duplicate detection: word shingles, their MinHash signature, and LSH band keys.

Syndicated wire copy reaches a newsroom through several outlets with small edits (a dateline,
a sentence cut, a headline). Two bodies whose sets of 4-word shingles have a Jaccard
similarity of at least `NEAR_DUPLICATE_JACCARD` are near duplicates. The archive stores 20
band keys per clipping (5 MinHash rows each); a new body's candidates are the clippings that
share a band key, and each candidate is confirmed with the exact Jaccard of the two bodies.
At Jaccard 0.8 a pair shares a band with probability 1 - (1 - 0.8**5)**20 > 0.999.

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


def shingles(text: str) -> set[int]:
    """The crc32 hashes of the text's 4-word windows (the whole text when it is shorter)."""
    tokens = _tokens(text)
    if len(tokens) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(tokens).encode("utf-8"))} if tokens else set()
    return {
        zlib.crc32(" ".join(tokens[i : i + SHINGLE_WORDS]).encode("utf-8"))
        for i in range(len(tokens) - SHINGLE_WORDS + 1)
    }


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS values) of a set of shingle hashes."""
    if not hashes:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))[np.newaxis, :]
    # a < 2**32 and x < 2**32, so a * x + b stays below 2**64: no overflow before the modulo.
    permuted = (_A * values + _B) % _PRIME
    result: np.ndarray = permuted.min(axis=1)
    return result


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per band: the band's number in the high bits, a crc32 of its rows below."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        digest = zlib.crc32(struct.pack(f"<{ROWS}Q", *(int(v) for v in rows)))
        keys.append((band << 32) | digest)
    return keys


def body_band_keys(body: str) -> list[int]:
    """The band keys the archive stores for a body."""
    hashes = shingles(body)
    return band_keys(signature(hashes)) if hashes else []
