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
_COMBINING = re.compile(r"[\u0300-\u036f]")
# The words are the text's `\w+` runs, found more cheaply than by `findall` (the archive
# adds a thousand bodies a second in a batch): every character that is not a word character
# becomes a space, so that the words are what `split` leaves. Non-ASCII ones are found by a
# pattern (rarely needed: folded news text is mostly ASCII); ASCII ones by a byte table.
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]+")
_ASCII_NON_WORD_TO_SPACE = bytes(
    byte if byte > 127 or chr(byte).isalnum() or byte == ord("_") else ord(" ")
    for byte in range(256)
)
_SPACE = ord(" ")
_ROW_BYTES = ROWS * 8


def _folded_words(text: str) -> bytes:
    r"""The text's words (`\w+` runs of the accent- and case-folded text), UTF-8 encoded
    and joined by single spaces: what the shingles are crc32s of."""
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", text)).casefold()
    if not folded.isascii():
        folded = _NON_ASCII_NON_WORD.sub(" ", folded)
    return b" ".join(folded.encode("utf-8").translate(_ASCII_NON_WORD_TO_SPACE).split())


def _window_hashes(text: str) -> np.ndarray:
    """The crc32 of each 4-word window of the text, in order (one of the whole text when it
    has fewer words): each window is a slice of the joined words, so nothing is joined again."""
    words = _folded_words(text)
    if not words:
        return np.zeros(0, dtype=np.uint64)
    spaces = np.flatnonzero(np.frombuffer(words, dtype=np.uint8) == _SPACE)
    if len(spaces) < SHINGLE_WORDS - 1:
        return np.array([zlib.crc32(words)], dtype=np.uint64)
    starts = [0, *(spaces[: -(SHINGLE_WORDS - 1)] + 1).tolist()]
    ends = [*spaces[SHINGLE_WORDS - 1 :].tolist(), len(words)]
    crc32 = zlib.crc32
    hashes = [crc32(words[start:end]) for start, end in zip(starts, ends, strict=True)]
    return np.fromiter(hashes, dtype=np.uint64, count=len(hashes))


def shingles(text: str) -> set[int]:
    """The crc32 hashes of the text's 4-word windows (the whole text when it is shorter)."""
    return set(_window_hashes(text).tolist())


def lead_shingles(text: str) -> set[int]:
    """The shingles of the text's first LEAD_SHINGLES windows: what a shortened copy keeps."""
    return set(_window_hashes(text)[:LEAD_SHINGLES].tolist())


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


def _permuted(values: np.ndarray) -> np.ndarray:
    """Each of the PERMUTATIONS hash functions applied to each value (one column a value)."""
    # a < 2**32 and x < 2**32, so a * x + b stays below 2**64: no overflow before the modulo.
    permuted = _A * values[np.newaxis, :]
    permuted += _B
    # x - (x // p) * p is x % p: numpy divides by a constant without a division instruction
    # (libdivide), and its remainder does not; three times faster.
    quotient = permuted // _PRIME
    quotient *= _PRIME
    permuted -= quotient
    return permuted


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS values) of a set of shingle hashes."""
    if not hashes:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    result: np.ndarray = _permuted(values).min(axis=1)
    return result


def band_keys(sig: np.ndarray, first_band: int = 0) -> list[int]:
    """One key per band: the band's number in the high bits, a crc32 of its rows below (the
    rows as little-endian unsigned 64-bit integers)."""
    packed = np.ascontiguousarray(sig, dtype="<u8").tobytes()
    return [
        ((first_band + band) << 32)
        | zlib.crc32(packed[band * _ROW_BYTES : (band + 1) * _ROW_BYTES])
        for band in range(BANDS)
    ]


def body_band_keys(body: str) -> list[int]:
    """The band keys the archive stores for a body, and looks up for a new one: the whole
    body's bands (0-19), then its lead's (20-39).

    Both signatures come from one permuted matrix of the body's windows in order: the lead's
    shingles are its first windows, and a minimum over a window repeated is the same as over
    the set, so the lead's signature is the minimum over the first columns."""
    windows = _window_hashes(body)
    if not len(windows):
        return []
    permuted = _permuted(windows)
    whole = permuted.min(axis=1)
    lead = permuted[:, :LEAD_SHINGLES].min(axis=1)
    return band_keys(whole) + band_keys(lead, BANDS)
