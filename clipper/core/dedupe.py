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

Every hash here is a few whole-array numpy steps a body, because the archive computes the
keys of every clipping it stores (a batch stores a thousand a second): a shingle is a
polynomial hash of its words' bytes (all windows at once, from one running sum of the text),
mixed by MurmurHash3's 64-bit finalizer; the MinHash functions are multiply-add-shift hashes;
a band key mixes its five rows the same way. (The first keys were crc32s of each window and
of each band's bytes, and prime-modulus permutations: three times the time a body; migration
0008 re-keyed the archives stored with them.)

Everything here is deterministic across processes, machines and library versions (fixed
constants, no random generator whose stream could change), because the keys are stored.
"""

from __future__ import annotations

import re
import unicodedata

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
_MASK64 = (1 << 64) - 1


def _splitmix64(seed: int, count: int) -> list[int]:
    """`count` well-mixed 64-bit constants from `seed` (Vigna's SplitMix64, in plain ints:
    the same numbers on every machine and numpy version)."""
    values = []
    state = seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        values.append(z ^ (z >> 31))
    return values


# The MinHash functions h(x) = ((a * x + b) mod 2**64) >> 32 of a 32-bit shingle x: an odd
# multiplier a and an offset b each (Dietzfelbinger's multiply-add-shift, a universal family).
_CONSTANTS = _splitmix64(20231206, 2 * PERMUTATIONS + 2)
_A = np.array([[a | 1] for a in _CONSTANTS[:PERMUTATIONS]], dtype=np.uint64)
_B = np.array([[b] for b in _CONSTANTS[PERMUTATIONS : 2 * PERMUTATIONS]], dtype=np.uint64)
# The base of the shingles' polynomial hash (odd: invertible modulo 2**64) and its inverse,
# and the base that folds a band's five rows into one value.
_BASE = _CONSTANTS[2 * PERMUTATIONS] | 1
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
_ROW_BASE = np.uint64(_CONSTANTS[2 * PERMUTATIONS + 1] | 1)
_ROW_POWERS = np.array(
    [pow(int(_ROW_BASE), ROWS - 1 - row, 1 << 64) for row in range(ROWS)], dtype=np.uint64
)
_FMIX_1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT_32 = np.uint64(32)
_SHIFT_33 = np.uint64(33)
_COMBINING = re.compile(r"[\u0300-\u036f]")
# The words are the text's `\w+` runs, found more cheaply than by `findall` (the archive
# adds a thousand bodies a second in a batch): every character that is not a word character
# becomes a space, so that the words are what `split` leaves. Non-ASCII ones are found by a
# pattern (rarely needed: folded news text is mostly ASCII); ASCII ones by a byte table,
# which also lowers ASCII capitals (for ASCII text, what casefold does).
_NON_ASCII_NON_WORD = re.compile(r"[^\w\x00-\x7f]+")
_FOLD_ASCII = bytes(
    ord(chr(byte).lower())
    if byte < 128 and (chr(byte).isalnum() or byte == ord("_"))
    else byte
    if byte > 127
    else ord(" ")
    for byte in range(256)
)
_SPACE = ord(" ")
_powers: tuple[np.ndarray, np.ndarray] = (np.ones(1, dtype=np.uint64),) * 2
_KEPT_POWERS = 1 << 20  # 8 MB an array: a text of a million bytes


def _folded_words(text: str) -> bytes:
    r"""The text's words (`\w+` runs of the accent- and case-folded text), UTF-8 encoded
    and joined by single spaces: what the shingles are hashes of."""
    if not text.isascii():
        # Accents are taken off (NFD, then the combining marks removed); casefold is needed
        # only when letters beyond ASCII are left, as in "Straße" or "Москва".
        text = _COMBINING.sub("", unicodedata.normalize("NFD", text))
        if not text.isascii():
            text = text.casefold()
            if not text.isascii():
                text = _NON_ASCII_NON_WORD.sub(" ", text)
    return b" ".join(text.encode("utf-8").translate(_FOLD_ASCII).split())


def _base_powers(count: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` (at least) powers, from the 0th, of the polynomial base and of its
    inverse, modulo 2**64. Kept for texts up to `_KEPT_POWERS` bytes (the longest seen so
    far); a longer text's are made for it alone, not kept (8 bytes each, twice)."""
    global _powers
    kept = _powers  # read once: another thread may replace it meanwhile
    if len(kept[0]) >= count:
        return kept
    size = max(count, min(2 * len(kept[0]), _KEPT_POWERS), 1 << 14)
    made = []
    for base in (_BASE, _BASE_INVERSE):
        factors = np.full(size, base, dtype=np.uint64)
        factors[0] = 1
        made.append(np.cumprod(factors))  # uint64 products wrap: modulo 2**64
    powers = (made[0], made[1])
    if size <= _KEPT_POWERS:
        _powers = powers
    return powers


def _mix(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, in place, then the high 32 bits: every input bit moves
    every output bit (a polynomial's low bits depend on the low bits of its bytes only)."""
    values ^= values >> _SHIFT_33
    values *= _FMIX_1
    values ^= values >> _SHIFT_33
    values *= _FMIX_2
    values ^= values >> _SHIFT_33
    values >>= _SHIFT_32
    return values


def _window_hashes(text: str) -> np.ndarray:
    """The hash of each 4-word window of the text, in order (one of the whole text when it
    has fewer words): the window's bytes as a polynomial in `_BASE` modulo 2**64, mixed.

    With C[i] the sum of the first i bytes each times the inverse base to its position, the
    polynomial of bytes [s, e) is (C[e] - C[s]) * base**(e - 1): one running sum gives every
    window at once."""
    words = _folded_words(text)
    if not words:
        return np.zeros(0, dtype=np.uint64)
    data = np.frombuffer(words, dtype=np.uint8)
    size = len(data)
    spaces = np.flatnonzero(data == _SPACE)
    if len(spaces) < SHINGLE_WORDS - 1:
        starts = np.zeros(1, dtype=np.intp)
        ends = np.full(1, size, dtype=np.intp)
    else:
        starts = np.concatenate(([0], spaces[: -(SHINGLE_WORDS - 1)] + 1))
        ends = np.concatenate((spaces[SHINGLE_WORDS - 1 :], [size]))
    powers, inverse_powers = _base_powers(size + 1)
    sums = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(data * inverse_powers[:size], out=sums[1:])
    hashes = sums[ends]
    hashes -= sums[starts]
    hashes *= powers[ends - 1]
    return _mix(hashes)


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
    permuted = _A * values[np.newaxis, :]  # uint64 products wrap: modulo 2**64
    permuted += _B
    permuted >>= _SHIFT_32
    return permuted


def signature(hashes: set[int]) -> np.ndarray:
    """The MinHash signature (PERMUTATIONS values) of a set of shingle hashes."""
    if not hashes:
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    return _minima(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))[0]


# Values permuted at a time: the matrix is PERMUTATIONS x this many (6.5 MB), however long the
# text (a 10 MB book's windows at once were 1.4 GB).
_PERMUTED_AT_ONCE = 8192


def _minima(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each hash function's minimum over all the values (one or more), and over the first
    LEAD_SHINGLES of them: the MinHash signatures of a body and of its lead (a minimum over
    a window repeated is the same as over the set, so the windows in order will do)."""
    first = _permuted(values[:_PERMUTED_AT_ONCE])
    whole: np.ndarray = first.min(axis=1)
    lead: np.ndarray = first[:, :LEAD_SHINGLES].min(axis=1)
    for start in range(_PERMUTED_AT_ONCE, len(values), _PERMUTED_AT_ONCE):
        np.minimum(
            whole, _permuted(values[start : start + _PERMUTED_AT_ONCE]).min(axis=1), out=whole
        )
    return whole, lead


def band_keys(sig: np.ndarray, first_band: int = 0) -> list[int]:
    """One key per band: the band's number in the high bits, below them its five rows as a
    polynomial in `_ROW_BASE` modulo 2**64, mixed to 32 bits."""
    rows = np.asarray(sig, dtype=np.uint64).reshape(BANDS, ROWS) * _ROW_POWERS
    mixed = _mix(rows.sum(axis=1, dtype=np.uint64))
    mixed |= np.arange(first_band, first_band + BANDS, dtype=np.uint64) << _SHIFT_32
    keys: list[int] = mixed.tolist()
    return keys


def body_band_keys(body: str) -> list[int]:
    """The band keys the archive stores for a body, and looks up for a new one: the whole
    body's bands (0-19), then its lead's (20-39).

    Both signatures come from one pass over the body's windows in order (`_minima`): the
    lead's shingles are its first windows."""
    windows = _window_hashes(body)
    if not len(windows):
        return []
    whole, lead = _minima(windows)
    return band_keys(whole) + band_keys(lead, BANDS)
