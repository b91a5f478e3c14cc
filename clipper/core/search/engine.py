"""Query evaluation over the index's Whoosh segments, a posting list at a time.

Whoosh's matchers step through every matching document with several Python method calls
(`id`, `score`, `next`, plus the scorer's own), and finding the total and facet counts
needs a second full pass. On the synthetic 20k index a common word took 55-145 ms that way.
Here each term's postings are decoded a block at a time (one unpickle for 128 postings)
into arrays, kept in a cache of decoded lists (`PostingsCache`), and scored with BM25F as
Whoosh does it in whole-array operations (numpy); a segment's matches are two arrays over
its documents (`Found`), so boolean operators are array operations, phrases check the
positions of every candidate at once on bit matrices, and the full set of matches (the
total and the facets, counted with `numpy.bincount`) falls out of the same pass.

The files, term tables and columns are Whoosh's; only the walk over them is ours.
Per-segment document arrays (clipping id, date, source, language, tags, field lengths) are
read once per segment and shared by every thread: segments never change once written (a
deletion only hides documents, and the live reader says which).
"""

from __future__ import annotations

import bisect
import calendar
import io
import logging
import math
import pickle
import struct
import sys
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.columns import NumericColumn, RefBytesColumn, VarBytesColumn
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

from clipper.core.search.errors import IndexDamaged
from clipper.core.search.schema import (
    DAY,
    MONTH,
    YEAR,
    PositionValues,
)

log = logging.getLogger(__name__)

# BM25F parameters: Whoosh's defaults, so scores match what its own searcher would give.
K1 = 1.2
B = 0.75
SCORED_FIELDS = ("content", "title", "words", "titlewords", "author", "source")
# How many bytes of decoded posting lists an index keeps (see `PostingsCache`).
POSTINGS_CACHE_BYTES = 16 * 1024 * 1024
# How many term-table entries a segment remembers (see `SegmentColumns.term_info`): a
# search's words and a more-like-this's candidates, a few hundred bytes each.
TERM_MEMO = 2048
# What a segment remembers of a term it does not have.
_ABSENT = None
# How a term-table entry begins (flags, weight, document frequency, ...; see W3TermInfo).
_TERM_ENTRY = W3TermInfo._struct
_DOC_FREQUENCY = 2


class Found:
    """One segment's matching documents and their scores, as two arrays over all its
    documents: `hit` says which match, `score` is each one's score (0 where none matches).
    Whole-array operations (numpy) do a query's work, not a Python step per posting: at
    200,000 clippings a common word has 100,000 postings."""

    __slots__ = ("_docnums", "hit", "score")

    def __init__(self, hit: np.ndarray, score: np.ndarray) -> None:
        self.hit = hit
        self.score = score
        self._docnums: np.ndarray | None = None

    def __len__(self) -> int:
        if self._docnums is not None:
            return len(self._docnums)
        return int(np.count_nonzero(self.hit))

    def __bool__(self) -> bool:
        return len(self) > 0

    def docnums(self) -> np.ndarray:
        """The matching docnums, ascending (asked of a finished result, so kept)."""
        if self._docnums is None:
            self._docnums = np.flatnonzero(self.hit)
        return self._docnums


# -- evaluation plans -----------------------------------------------------------------------


@dataclass(frozen=True)
class TermPlan:
    """Documents with a term; scored with BM25F unless `scored` is false (tags, ids)."""

    field: str
    text: str
    boost: float = 1.0
    scored: bool = True


@dataclass(frozen=True)
class PhrasePlan:
    """Documents where the terms follow each other (each within `slop` of the previous)."""

    field: str
    texts: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class UnionPlan:
    children: tuple[Plan, ...]


@dataclass(frozen=True)
class IntersectPlan:
    """Documents matching every `required` plan and none of the `excluded` ones (with no
    required plan: every document but the excluded ones)."""

    required: tuple[Plan, ...]
    excluded: tuple[Plan, ...] = ()


@dataclass(frozen=True)
class DatePlan:
    """Documents published within [first, last] (yyyymmdd numbers, None for open ends).

    With `within`, a date known only to the month or the year must lie within [first, last]
    as a whole (a clipping of "2023" is not one of January 2023, but is one of 2023);
    without, the stored date (the first day of that month or year) is compared, as the
    archive's own listing filter does."""

    first: int | None
    last: int | None
    within: bool = False


@dataclass(frozen=True)
class IdsPlan:
    """Documents of these clippings."""

    ids: frozenset[int]


@dataclass(frozen=True)
class _Constant:
    everything: bool


EVERYTHING = _Constant(True)
NOTHING = _Constant(False)

Plan = TermPlan | PhrasePlan | UnionPlan | IntersectPlan | DatePlan | IdsPlan | _Constant


# -- per-segment data -----------------------------------------------------------------------


class SegmentColumns:
    """The per-document arrays of one segment. Built once from a reader, then read-only."""

    def __init__(self, reader: Any) -> None:
        self.segment_id: str = reader.segment().segment_id()
        try:
            self._load(reader)
            self._check(reader)
        except IndexDamaged:
            raise
        except Exception as exc:
            raise IndexDamaged(f"segment {self.segment_id}: {type(exc).__name__}: {exc}") from exc

    def _check(self, reader: Any) -> None:
        """Columns are bare numbers, so damage would not show: compare a few clipping ids
        with the stored ones."""
        for docnum in {0, self.size // 2, self.size - 1}:
            if 0 <= docnum < self.size and not reader.is_deleted(docnum):
                stored = reader.stored_fields(docnum).get("id")
                if stored is None or int(stored) != self.ids[docnum]:
                    raise IndexDamaged(
                        f"segment {self.segment_id}: document {docnum} is clipping {stored} "
                        f"but its id column says {self.ids[docnum]}"
                    )

    def _load(self, reader: Any) -> None:
        size = reader.doc_count_all()
        self.size = size
        self.ids = _numeric(reader.column_reader("cid", translate=False), size)
        self.dates = _numeric(reader.column_reader("date", translate=False), size)
        self.id_values = np.asarray(self.ids, dtype=np.int64)
        self.date_values = np.asarray(self.dates, dtype=np.int64)
        self.precisions = _numeric(reader.column_reader("dateprec", translate=False), size)
        self.imprecise = any(self.precisions)
        self._date_spans: tuple[np.ndarray, np.ndarray] | None = None
        self.sources = _strings(reader.column_reader("srcname", translate=False), size)
        self.languages = _strings(reader.column_reader("lang", translate=False), size)
        self.topics = _id_tuples(reader.column_reader("topic", translate=False), size)
        self.regions = _id_tuples(reader.column_reader("region", translate=False), size)
        self.lengths: dict[str, array[int]] = {}
        perdoc = reader._perdoc
        for fieldname in SCORED_FIELDS:
            name = _lenfield(fieldname)
            if perdoc.has_column(name):
                self.lengths[fieldname] = _numeric(perdoc.column_reader(name, LENGTHS_COLUMN), size)
            else:
                self.lengths[fieldname] = array("B", bytes(size))
        self._norms: dict[tuple[str, float], np.ndarray] = {}
        self._docnums: dict[int, int] | None = None
        self._lexicons: dict[str, SegmentLexicon] = {}
        self._facet_codes: FacetCodes | None = None
        self.postings_cache: PostingsCache | None = None
        self._term_entries: dict[tuple[str, str], bytes | None] = {}

    def date_spans(self) -> tuple[np.ndarray, np.ndarray]:
        """The first and last day each document's date may be (yyyymmdd; 0 when undated):
        the date itself, or the whole month or year when it is known to that only."""
        if self._date_spans is None:
            firsts, lasts = array("I", self.dates), array("I", self.dates)
            for docnum, precision in enumerate(self.precisions):
                date = self.dates[docnum]
                if precision == DAY or not date:
                    continue
                if precision == YEAR:
                    year = date // 10000
                    firsts[docnum], lasts[docnum] = year * 10000 + 101, year * 10000 + 1231
                elif precision == MONTH:
                    year, month = date // 10000, date // 100 % 100
                    last_day = calendar.monthrange(year, month)[1]
                    firsts[docnum] = year * 10000 + month * 100 + 1
                    lasts[docnum] = year * 10000 + month * 100 + last_day
            self._date_spans = (
                np.asarray(firsts, dtype=np.int64),
                np.asarray(lasts, dtype=np.int64),
            )
        return self._date_spans

    def lexicon(self, reader: Any, fieldname: str) -> SegmentLexicon:
        """The sorted terms of a field (`reader` is any open reader of this segment)."""
        found = self._lexicons.get(fieldname)
        if found is None:
            found = self._lexicons[fieldname] = SegmentLexicon(reader, fieldname)
        return found

    def docnum_of(self, clipping_id: int) -> int | None:
        """Where a clipping is in this segment (deleted or not), or None."""
        if self._docnums is None:
            self._docnums = dict(zip(self.ids, range(self.size), strict=True))
        return self._docnums.get(clipping_id)

    def facet_codes(self) -> FacetCodes:
        if self._facet_codes is None:
            self._facet_codes = FacetCodes(self)
        return self._facet_codes

    def term_info(self, reader: Any, fieldname: str, text: str) -> Any | None:
        """A term's entry in this segment's term table (its document frequency, where its
        postings are, or the postings themselves when few), or None when the segment does
        not have the term."""
        entry = self._term_entry(reader, fieldname, text)
        return None if entry is None else W3TermInfo.from_bytes(entry)

    def doc_frequency(self, reader: Any, fieldname: str, text: str) -> int:
        """In how many documents of this segment the term is, deleted ones included (as
        Whoosh counts it)."""
        entry = self._term_entry(reader, fieldname, text)
        return 0 if entry is None else int(_TERM_ENTRY.unpack_from(entry)[_DOC_FREQUENCY])

    def _term_entry(self, reader: Any, fieldname: str, text: str) -> bytes | None:
        """A term's entry in this segment's term table as stored, remembered (`TERM_MEMO`
        of them). A lookup in Whoosh's hashed term table is half a dozen file reads, and a
        search asks each segment for each of its words twice: how many documents have it
        (for its weight), then its postings. More like this asks every segment about 80
        words of a clipping. A segment's term table never changes once written. The memo
        keeps bytes, not Whoosh's TermInfo objects: 50,000 of those (26 segments at 200,000
        clippings) made every full garbage collection, which lands inside some search, slow
        enough to raise the p95 of single-word searches by a third."""
        key = (fieldname, text)
        memo = self._term_entries
        if key in memo:
            return memo[key]
        terms = reader._terms
        try:
            found = terms._tindex[terms._keycoder(fieldname, text.encode("utf-8"))]
        except KeyError:
            found = _ABSENT
        except Exception as exc:
            raise _damaged(reader, fieldname, text, exc) from exc
        if len(memo) >= TERM_MEMO:
            memo.clear()  # plain dict operations: threads sharing the segment need no lock
        memo[key] = found
        return found

    def postings(self, reader: Any, fieldname: str, text: str) -> Postings:
        """A term's postings here (`reader` is any open reader of this segment), from the
        index's cache of decoded lists when it has them."""
        return self.postings_and_values(reader, fieldname, text, keep_values=False)[0]

    def postings_and_values(
        self, reader: Any, fieldname: str, text: str, keep_values: bool = True
    ) -> tuple[Postings, list[bytes] | None]:
        """A term's postings here, and, when they had to be read (`keep_values`), every
        posting's value, in the postings' order; None when they came from the cache."""
        cache = self.postings_cache
        key = (self.segment_id, fieldname, text)
        found = cache.get(key) if cache is not None else None
        if found is not None:
            return found, None
        info = self.term_info(reader, fieldname, text)
        if info is None:
            return _NO_POSTINGS, []
        values: list[bytes] | None = [] if keep_values else None
        found = read_posting_arrays(reader, fieldname, text, info, values)
        if values is not None and len(values) != len(found[0]):
            missing = LookupError("the postings and their positions do not pair up")
            raise _damaged(reader, fieldname, text, missing)
        if cache is not None:
            cache.put(key, found)
        return found, values

    def norms(self, fieldname: str, average_length: float) -> np.ndarray:
        """BM25's length normalization, K1 * (1 - B + B * length / average), per document."""
        key = (fieldname, round(average_length, 2))
        found = self._norms.get(key)
        if found is None:
            table = [
                K1 * ((1 - B) + B * byte_to_length(code) / average_length) for code in range(256)
            ]
            found = np.asarray(table)[np.asarray(self.lengths[fieldname], dtype=np.intp)]
            if len(self._norms) > 16:
                self._norms.clear()
            self._norms[key] = found
        return found


def _numeric(creader: Any, size: int) -> array[int]:
    """A numeric column as an array, read in one go when it is a plain Whoosh column."""
    if isinstance(creader, NumericColumn.Reader) and creader._typecode in "BHI":
        count = min(creader._count, size)
        raw = creader._dbfile.get(creader._basepos, count * creader._fixedlen)
        values = array(creader._typecode, raw)
        if values.itemsize > 1 and sys.byteorder == "little":
            values.byteswap()  # Whoosh writes network (big-endian) order
        if count < size:
            values.extend([creader._default] * (size - count))
        return values
    return array("I", (int(v) for v in creader))


def _strings(creader: Any, size: int) -> list[str | None]:
    if isinstance(creader, RefBytesColumn.Reader) and not creader._fixedlen:
        decoded = [u.decode("utf-8") or None for u in creader._uniques]
        raw = creader._dbfile.get(creader._basepos, size * creader._itemsize)
        refs = array(creader._typecode, raw)
        if refs.itemsize > 1 and sys.byteorder == "little":
            refs.byteswap()
        return list(map(decoded.__getitem__, refs))
    return [(v.decode("utf-8") if isinstance(v, bytes) else v) or None for v in creader]


def _id_tuples(creader: Any, size: int) -> list[tuple[int, ...]]:
    if isinstance(creader, VarBytesColumn.Reader):
        lengths = creader._lengths
        total = sum(lengths)
        data = creader._dbfile.get(creader._basepos, total) if total else b""
        spans = zip(creader._offsets, lengths, strict=True)
        raws: Iterable[bytes] = (data[o : o + n] for o, n in spans)
    else:
        raws = creader
    parsed: dict[bytes, tuple[int, ...]] = {}
    values = []
    for raw in raws:
        found = parsed.get(raw)
        if found is None:
            found = parsed[raw] = tuple(int(p) for p in raw.split())
        values.append(found)
    values.extend([()] * (size - len(values)))
    return values


class SegmentLexicon:
    """The terms of one field of one segment, sorted, for prefix and fuzzy expansion.

    Whoosh walks its term table through a heap-merged cursor for every expansion, and checks
    fuzzy candidates one by one with a Python edit distance; on a 20k index a fuzzy word took
    0.1-0.3 s that way. Here a prefix is a bisection, and fuzzy candidates are only the terms
    of the right first letter and length.
    """

    def __init__(self, reader: Any, fieldname: str) -> None:
        self.terms: list[str] = sorted(
            t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)
        )
        self._buckets: dict[tuple[str, int], tuple[np.ndarray, list[str]]] | None = None

    def with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff")
        return self.terms[start:end]

    def within(self, word: str, distance: int, judged: dict[str, bool] | None = None) -> list[str]:
        """Terms at most `distance` edits from `word` that share its first letter. `judged`
        remembers the terms whose distance was computed (and whether it was within), to be
        passed to the next segment's lexicon for the same word and distance: most terms are
        in every segment, and the edit distance is most of the time this takes."""
        if self._buckets is None:
            grouped: dict[tuple[str, int], list[str]] = {}
            for term in self.terms:
                grouped.setdefault((term[:1], len(term)), []).append(term)
            self._buckets = {
                key: (np.fromiter(map(_letters, terms), np.uint64, len(terms)), terms)
                for key, terms in grouped.items()
            }
        if judged is None:
            judged = {}
        found = []
        first = word[:1]
        letters = np.uint64(_letters(word))
        # One edit changes which letters a word has by two at most: a cheap test, on every
        # term of a bucket at once, that spares the edit distance for most of them.
        most = 2 * distance
        for length in range(len(word) - distance, len(word) + distance + 1):
            bucket = self._buckets.get((first, length))
            if bucket is None:
                continue
            masks, terms = bucket
            for at in np.flatnonzero(_bit_counts(masks ^ letters) <= most).tolist():
                term = terms[at]
                near = judged.get(term)
                if near is None:
                    near = judged[term] = edit_distance(word, term, distance) <= distance
                if near:
                    found.append(term)
        return found


def _letters(word: str) -> int:
    """A bit per letter the word has (letters may share a bit: the test stays safe)."""
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) & 63)
    return mask


def _bit_counts(values: np.ndarray) -> np.ndarray:
    """How many bits each of these 64-bit numbers has set (numpy's own `bitwise_count` is
    from numpy 2.0 on)."""
    v = values - ((values >> np.uint64(1)) & np.uint64(0x5555555555555555))
    v = (v & np.uint64(0x3333333333333333)) + ((v >> np.uint64(2)) & np.uint64(0x3333333333333333))
    v = (v + (v >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (v * np.uint64(0x0101010101010101)) >> np.uint64(56)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts one), or limit + 1
    as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        ca = a[i - 1]
        for j in range(1, len(b) + 1):
            cost = 0 if ca == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def deleted_docnums(reader: Any) -> frozenset[int]:
    """The deleted documents of a segment reader (read fresh: they change, segments do not)."""
    return segment_deletions(reader.segment())


def segment_deletions(segment: Any) -> frozenset[int]:
    """The deleted documents of a segment, as its description holds them now."""
    if not segment.has_deletions():
        return frozenset()
    return frozenset(segment.deleted_docs())


class ColumnsCache:
    """SegmentColumns by segment id, for every segment of the current readers."""

    def __init__(self, postings_budget: int = POSTINGS_CACHE_BYTES) -> None:
        self._by_segment: dict[str, SegmentColumns] = {}
        self._lock = threading.Lock()
        self.postings = PostingsCache(postings_budget)

    def get(self, reader: Any) -> SegmentColumns:
        segment_id = reader.segment().segment_id()
        found = self._by_segment.get(segment_id)
        if found is None:
            found = SegmentColumns(reader)
            found.postings_cache = self.postings
            with self._lock:
                self._by_segment[segment_id] = found
        return found

    def of_segment(self, storage: Any, schema: Any, segment: Any) -> SegmentColumns:
        """A segment's columns, read through a reader of its own only when not cached."""
        found = self._by_segment.get(segment.segment_id())
        if found is not None:
            return found
        reader = SegmentReader(storage, schema, segment)
        try:
            return self.get(reader)
        finally:
            reader.close()

    def keep_only(self, segment_ids: Iterable[str]) -> None:
        keep = set(segment_ids)
        with self._lock:
            for segment_id in list(self._by_segment):
                if segment_id not in keep:
                    del self._by_segment[segment_id]
        self.postings.forget_segments(keep)


class FacetCodes:
    """Each document's facet values of one segment as small integers, so the facets of a
    set of matches are a count of codes (`numpy.bincount`) and a lookup per distinct value:
    the values (tag sets, sources, languages, months) are few, the matches many."""

    def __init__(self, columns: SegmentColumns) -> None:
        self.topics = TagEntries(columns.topics)
        self.regions = TagEntries(columns.regions)
        self.source_names, self.sources = _coded(columns.sources)
        self.language_names, self.languages = _coded(columns.languages)
        # yyyymm of each document's date, 0 when undated or known only to the year.
        months = (columns.date_values // 100).astype(np.int32)
        if columns.imprecise:
            months[np.asarray(columns.precisions, dtype=np.int64) == YEAR] = 0
        self.months = months

    @staticmethod
    def count(
        values: list[Any], codes: np.ndarray, docnums: np.ndarray
    ) -> Iterable[tuple[Any, int]]:
        """(value, how many of `docnums` have it) for each value some of them have."""
        counts = np.bincount(codes[docnums], minlength=len(values))
        return ((values[code], int(counts[code])) for code in np.flatnonzero(counts).tolist())


# Matches below a segment's documents over this count their tags from their own entries.
SPARSE_MATCHES = 8


class TagEntries:
    """The tags of one segment's documents as one flat array (a document's tags side by
    side, documents in order), each entry knowing its document: counting the tags of a set
    of matches is then a few whole-array operations, however many distinct sets of tags
    the matches have (thousands, in a segment of a few thousand clippings)."""

    def __init__(self, tag_sets: Sequence[tuple[int, ...]]) -> None:
        # 32-bit numbers: at 200,000 clippings these are a million entries per kind.
        lengths = np.fromiter(map(len, tag_sets), np.int32, len(tag_sets))
        flat = np.fromiter(chain.from_iterable(tag_sets), np.int64, int(lengths.sum()))
        self.doc_of = np.repeat(np.arange(len(tag_sets), dtype=np.int32), lengths)
        self.lengths = lengths
        self.starts = (np.cumsum(lengths, dtype=np.int64) - lengths).astype(np.int32)
        tag_ids, codes = np.unique(flat, return_inverse=True)
        self.tag_ids, self.codes = tag_ids, codes.astype(np.int32)

    def counts(self, hit: np.ndarray, docnums: np.ndarray) -> dict[int, int]:
        """How many of the documents `hit` marks (`docnums`, the same documents as numbers)
        carry each tag (tags none carry left out)."""
        if len(docnums) * SPARSE_MATCHES < len(self.lengths):
            # A few matches: their own entries, gathered run by run, rather than a pass over
            # every entry of the segment (two words ANDed match a few dozen of thousands).
            lengths = self.lengths[docnums]
            ends = np.cumsum(lengths)
            runs = np.repeat(self.starts[docnums] - (ends - lengths), lengths)
            codes, counts = np.unique(self.codes[runs + np.arange(len(runs))], return_counts=True)
            return dict(zip(self.tag_ids[codes].tolist(), counts.tolist(), strict=True))
        counts = np.bincount(self.codes[hit[self.doc_of]], minlength=len(self.tag_ids))
        present = np.flatnonzero(counts)
        return dict(zip(self.tag_ids[present].tolist(), counts[present].tolist(), strict=True))

    def count_any(self, hit: np.ndarray, tag_ids: Iterable[int]) -> int:
        """How many of the documents `hit` marks carry at least one of `tag_ids`."""
        wanted = np.fromiter(tag_ids, np.int64)
        carried = np.isin(self.tag_ids, wanted)[self.codes]
        docs = self.doc_of[hit[self.doc_of] & carried]
        # Entries run in document order, so each new document starts a new value.
        return int(np.count_nonzero(np.diff(docs))) + 1 if len(docs) else 0


def _coded(values: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct values and, per document, the number of its value among them."""
    numbers: dict[Any, int] = {}
    codes = np.fromiter(
        (numbers.setdefault(v, len(numbers)) for v in values), np.int32, len(values)
    )
    return list(numbers), codes


# -- reading postings -----------------------------------------------------------------------

# A term's postings in one segment as arrays: docnums (ascending) and weights.
Postings = tuple[np.ndarray, np.ndarray]
_NO_POSTINGS: Postings = (np.zeros(0, dtype=np.int32), np.zeros(0))
for _part in _NO_POSTINGS:
    _part.flags.writeable = False


class PostingsCache:
    """The decoded posting lists of the terms searched last, by segment and term, within a
    budget of bytes, least recently used out first.

    Decoding a common word's postings (a pickled block per 128 of them, over every segment)
    is most of what searching it costs: at 200,000 clippings a word in half of them is
    100,000 postings in 800 blocks. An editor's searches come back to the same words (a
    story's names, a query refined a word at a time), and a segment never changes once
    written (a deletion only hides documents, which the evaluator does after), so what was
    decoded once stays right for as long as the segment exists."""

    def __init__(self, budget: int = POSTINGS_CACHE_BYTES) -> None:
        self.budget = budget
        self._lists: OrderedDict[tuple[str, str, str], Postings] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> Postings | None:
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
            return found

    def put(self, key: tuple[str, str, str], postings: Postings) -> None:
        size = postings[0].nbytes + postings[1].nbytes
        if size > self.budget // 4:
            return  # one list may not push every other out
        for part in postings:
            part.flags.writeable = False  # shared by every search that asks for the term
        with self._lock:
            if key in self._lists:
                return
            self._lists[key] = postings
            self._bytes += size
            while self._bytes > self.budget:
                _key, (docnums, weights) = self._lists.popitem(last=False)
                self._bytes -= docnums.nbytes + weights.nbytes

    def forget_segments(self, keep: set[str]) -> None:
        """Drop the lists of segments not in `keep` (merged away or deleted)."""
        with self._lock:
            for key in [k for k in self._lists if k[0] not in keep]:
                docnums, weights = self._lists.pop(key)
                self._bytes -= docnums.nbytes + weights.nbytes


@contextmanager
def _term_postings(
    reader: Any, fieldname: str, text: str, info: Any = None
) -> Iterator[tuple[Any, Iterator[PostingBlock]]]:
    """A term's postings in one segment (`info`: its term-table entry, when looked up
    already): (its inlined (ids, weights, values), no blocks), or (None, its blocks). TermNotFound
    passes through; any other failure, in here or in the caller's walk over the blocks, is
    the segment's damage."""
    try:
        terms = reader._terms
        if info is None:
            info = terms.term_info(fieldname, text.encode("utf-8"))
        if info.is_inlined():
            yield info.inlined_postings(), iter(())
        else:
            offset, length = info.extent()
            # W3TermInfo.from_bytes leaves the length a 1-tuple (its matcher never reads it).
            if isinstance(length, tuple):
                (length,) = length
            yield None, posting_blocks(terms._postfile, offset, length)
    except TermNotFound:
        raise
    except Exception as exc:
        raise _damaged(reader, fieldname, text, exc) from exc


class PostingBlock:
    """One block of a term's postings as Whoosh's writer laid it out (`W3PostingsWriter`):
    its highest document number, and its pickled (ids, weights, values), unpickled when
    asked for (`data`)."""

    __slots__ = ("_buffer", "_compressed", "_end", "_start", "max_id")

    def __init__(self, buffer: bytes, start: int, end: int, max_id: int, compressed: int):
        self._buffer, self._start, self._end = buffer, start, end
        self.max_id = max_id
        self._compressed = compressed

    def data(self) -> tuple[Any, Any, Any]:
        """(id gaps with the first id whole, weights, values): what `W3LeafMatcher` reads."""
        raw = memoryview(self._buffer)[self._start : self._end]
        if self._compressed:
            return pickle.loads(zlib.decompress(raw))
        return pickle.loads(raw)


def posting_blocks(postfile: Any, offset: int, length: int) -> Iterator[PostingBlock]:
    """The blocks of the postings at `offset` in a segment's postings file, read at once
    (`W3LeafMatcher` reads each block's length, header and data apart, a seek and a pickle
    load from the file each: 7% slower on a common word's blocks), each block's data left
    for the caller to unpickle, or to skip by the block's highest id."""
    buffer = postfile.get(offset, length)
    if buffer[: len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no postings header at offset {offset}")
    stream = io.BytesIO(buffer)
    at = len(WHOOSH3_HEADER_MAGIC)
    last = False
    while not last:
        stream.seek(at)
        (size,) = _BLOCK_SIZE.unpack(stream.read(_BLOCK_SIZE.size))
        last = size < 0
        end = at + _BLOCK_SIZE.size + abs(size)
        if end > length:
            raise ValueError(f"a posting block runs past the term's postings at {offset}")
        _count, max_id, _max_weight, compressed, *_lengths = pickle.load(stream)
        yield PostingBlock(buffer, stream.tell(), end, max_id, compressed)
        at = end


# A block's size as the writer writes it (StructFile.write_int: big-endian, signed; negative
# for a term's last block).
_BLOCK_SIZE = struct.Struct("!i")


def _damaged(reader: Any, fieldname: str, text: str, exc: Exception) -> IndexDamaged:
    segment = reader.segment().segment_id()
    return IndexDamaged(
        f"segment {segment}, term {fieldname}:{text!r}: {type(exc).__name__}: {exc}"
    )


def read_posting_arrays(
    reader: Any, fieldname: str, text: str, info: Any = None, values: list[bytes] | None = None
) -> Postings:
    """A term's docnums and weights in one segment as arrays, deleted documents included
    (`info`: the term's entry in the segment's term table, when looked up already). Each
    posting's value (its positions) is added to `values` when given: unpickling a block
    decodes them anyway, and a phrase needs them next."""
    try:
        with _term_postings(reader, fieldname, text, info) as (inlined, blocks):
            if inlined is not None:
                ids, listed_weights, inlined_values = inlined
                if values is not None:
                    values.extend(inlined_values)
                return np.array(ids, np.int32), _narrow(np.array(listed_weights, np.float64))
            gaps: list[np.ndarray] = []
            weights: list[np.ndarray] = []
            for block in blocks:
                block_gaps, block_weights, block_values = block.data()
                if values is not None:
                    values.extend(block_values)
                gaps.append(_numbers(block_gaps))
                count = len(block_gaps)
                if block_weights is None:
                    weights.append(np.ones(count))
                elif isinstance(block_weights, float):
                    weights.append(np.full(count, block_weights))
                else:  # an array of whole numbers (codec.compact_weights), or floats
                    weights.append(_numbers(block_weights))
    except TermNotFound:
        return np.zeros(0, dtype=np.int32), np.zeros(0)
    if not weights:
        return np.zeros(0, dtype=np.int32), np.zeros(0)
    return _docnums(gaps), _narrow(np.concatenate(weights).astype(np.float64))


def _numbers(sequence: Any) -> np.ndarray:
    """A block's ids or weights as an array: without a copy from an `array` (the packed
    layout), through a list from a tuple (Whoosh's own)."""
    if isinstance(sequence, array):
        # numpy's type characters are array's for these C types ("B", "H", "I", "f", ...)
        return np.frombuffer(sequence, np.dtype(sequence.typecode))
    return np.asarray(sequence)


def _docnums(gaps: list[np.ndarray]) -> np.ndarray:
    """The document numbers of consecutive posting blocks from their id gaps (a block's
    first gap is its first id, whole): one running sum over every block, less in each block
    the sum it started from. Summed block by block in Python (`itertools.accumulate`), a
    common word's postings took twice as long to read."""
    if not gaps:
        return np.zeros(0, dtype=np.int32)
    lengths = np.fromiter(map(len, gaps), np.int64, len(gaps))
    sums = np.cumsum(np.concatenate(gaps).astype(np.int64))
    started = np.zeros(len(gaps), np.int64)
    started[1:] = sums[np.cumsum(lengths)[:-1] - 1]
    return (sums - np.repeat(started, lengths)).astype(np.int32)


def _narrow(weights: np.ndarray) -> np.ndarray:
    """Weights as 32-bit floats when that keeps every one exactly (word counts do): half
    the memory in the cache, and the same scores (they are widened back to compute)."""
    narrow = weights.astype(np.float32)
    return narrow if np.array_equal(narrow, weights) else weights


def read_values(
    reader: Any, fieldname: str, text: str, wanted: np.ndarray, info: Any = None
) -> PositionValues:
    """The encoded values (positions) of a term's postings for the documents `wanted`
    (ascending docnums, every one of them with the term), in that order, in one segment
    (`info`: the term's entry in its term table, when looked up already). Blocks holding
    none of them are skipped unread: a phrase of a rare and a common word reads a few of
    the common word's blocks, not all."""
    try:
        with _term_postings(reader, fieldname, text, info) as (inlined, blocks):
            if inlined is not None:
                ids, _weights, values = inlined
                docnums = np.array(ids, np.int32)
                all_values = list(values)
            else:
                gaps: list[np.ndarray] = []
                all_values = []
                at, end = 0, len(wanted)
                for block in blocks:
                    if at == end:
                        break
                    if wanted[at] <= block.max_id:
                        block_gaps, _block_weights, block_values = block.data()
                        gaps.append(_numbers(block_gaps))
                        all_values.extend(block_values)
                        at = int(np.searchsorted(wanted, block.max_id, side="right"))
                docnums = _docnums(gaps)
    except TermNotFound as exc:  # every candidate has the word: its absence is damage
        raise _damaged(reader, fieldname, text, exc) from exc
    rows = np.searchsorted(docnums, wanted)
    if len(rows) and (int(rows[-1]) >= len(docnums) or not np.array_equal(docnums[rows], wanted)):
        missing = LookupError("a document listed with the word has no positions for it")
        raise _damaged(reader, fieldname, text, missing)
    return PositionValues(list(map(all_values.__getitem__, rows.tolist())))


# -- evaluation -----------------------------------------------------------------------------


# Terms whose frequency a view remembers at most (a few megabytes).
MEMO_LIMIT = 50_000


class Statistics:
    """Collection-wide numbers for scoring (they span every segment), cached per searcher.
    `segments` are the searcher's segments, each an open reader with its columns."""

    def __init__(self, searcher: Any, segments: Sequence[tuple[Any, SegmentColumns]]) -> None:
        self.searcher = searcher
        self.segments = segments
        self.doc_count = searcher.doc_count_all()
        self._frequency: dict[tuple[str, str], int] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._average: dict[str, float] = {}

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """In how many documents of every segment the term is (a lookup in each segment's
        term table: 26 of them at 200,000 clippings, so asked once a view)."""
        key = (fieldname, text)
        found = self._frequency.get(key)
        if found is None:
            if len(self._frequency) >= MEMO_LIMIT:
                self._frequency.clear()  # a view open for a long session asks many words
            found = self._frequency[key] = sum(
                columns.doc_frequency(reader, fieldname, text) for reader, columns in self.segments
            )
        return found

    def idf(self, fieldname: str, text: str) -> float:
        key = (fieldname, text)
        found = self._idf.get(key)
        if found is None:
            frequency = self.doc_frequency(fieldname, text)
            found = math.log(self.doc_count / (frequency + 1)) + 1 if self.doc_count else 1.0
            self._idf[key] = found
        return found

    def average_length(self, fieldname: str) -> float:
        found = self._average.get(fieldname)
        if found is None:
            found = self.searcher.avg_field_length(fieldname, 1.0) or 1.0
            self._average[fieldname] = found
        return found


class SegmentEvaluator:
    """Evaluates plans in one segment: which live documents match, with their scores."""

    def __init__(self, reader: Any, columns: SegmentColumns, stats: Statistics) -> None:
        self.reader = reader
        self.columns = columns
        self.stats = stats
        self.deleted = deleted_docnums(reader)

    def run(self, plan: Plan) -> Found:
        found = self.evaluate(plan)
        if self.deleted:
            gone = np.fromiter(self.deleted, np.int64, len(self.deleted))
            found.hit[gone] = False
            found.score[gone] = 0.0
        return found

    def evaluate(self, plan: Plan) -> Found:
        if isinstance(plan, TermPlan):
            return self.term(plan)
        if isinstance(plan, UnionPlan):
            return self.union(plan)
        if isinstance(plan, IntersectPlan):
            return self.intersect(plan)
        if isinstance(plan, PhrasePlan):
            return self.phrase(plan)
        if isinstance(plan, DatePlan):
            return self._unscored(self._dated(plan))
        if isinstance(plan, IdsPlan):
            wanted = np.fromiter(plan.ids, np.int64, len(plan.ids))
            return self._unscored(np.isin(self.columns.id_values, wanted))
        if plan is EVERYTHING:
            return self._unscored(np.ones(self.columns.size, dtype=bool))
        return self._unscored(np.zeros(self.columns.size, dtype=bool))

    def _unscored(self, hit: np.ndarray) -> Found:
        return Found(hit, np.zeros(self.columns.size))

    def postings(self, fieldname: str, text: str) -> Postings:
        return self.columns.postings(self.reader, fieldname, text)

    def term(self, plan: TermPlan) -> Found:
        found = self._unscored(np.zeros(self.columns.size, dtype=bool))
        postings = {id(plan): self.postings(plan.field, plan.text)}
        self._add_terms([plan], postings, found.hit, found.score)
        return found

    def union(self, plan: UnionPlan) -> Found:
        # A term's postings are added straight in (a prefix or a tag with what is under it
        # is a union of hundreds of terms, most of them rare: an array over the segment for
        # each would cost more than its postings). The parts are added in the order scores
        # were always summed, the most matches first, so a score is the same float.
        parts: list[tuple[int, Found | TermPlan]] = []
        postings: dict[int, Postings] = {}
        for child in plan.children:
            if isinstance(child, TermPlan):
                postings[id(child)] = self.postings(child.field, child.text)
                parts.append((len(postings[id(child)][0]), child))
            else:
                found = self.evaluate(child)
                parts.append((len(found), found))
        parts.sort(key=lambda part: part[0], reverse=True)
        hit = np.zeros(self.columns.size, dtype=bool)
        score = np.zeros(self.columns.size)
        terms: list[TermPlan] = []
        for _count, part in [*parts, (0, None)]:
            if isinstance(part, TermPlan):
                terms.append(part)
                continue
            if terms:  # the terms since the last other part, all at once
                self._add_terms(terms, postings, hit, score)
                terms = []
            if isinstance(part, Found):
                hit |= part.hit
                score += part.score
        return Found(hit, score)

    def _add_terms(
        self,
        terms: list[TermPlan],
        postings: dict[int, Postings],
        hit: np.ndarray,
        score: np.ndarray,
    ) -> None:
        """The terms' matches and scores added to `hit` and `score`, term after term in this
        order, in one pass over all their postings: a prefix is hundreds of rare terms, and
        a few numpy calls a term were most of its time. A term's score is BM25F's, computed
        for every posting at once (a weight widened to float64, or the score would be
        float32), and `np.add.at` adds them in order, so the sums are the same floats as a
        term at a time."""
        lists = [postings[id(term)] for term in terms]
        hit[np.concatenate([docnums for docnums, _weights in lists])] = True
        scored = [
            (term, docnums, weights)
            for term, (docnums, weights) in zip(terms, lists, strict=True)
            if len(docnums) and term.scored and term.field in SCORED_FIELDS
        ]
        if not scored:
            return
        docnums = np.concatenate([docnums for _term, docnums, _weights in scored])
        wide = np.concatenate([weights for _term, _docnums, weights in scored]).astype(np.float64)
        idf = np.repeat(
            [self.stats.idf(term.field, term.text) * term.boost * (K1 + 1) for term, *_ in scored],
            [len(found) for _term, found, _weights in scored],
        )
        fields = {term.field for term, *_ in scored}
        if len(fields) == 1:
            (field,) = fields
            norms = self.columns.norms(field, self.stats.average_length(field))[docnums]
        else:
            norms = np.concatenate(
                [
                    self.columns.norms(term.field, self.stats.average_length(term.field))[found]
                    for term, found, _weights in scored
                ]
            )
        np.add.at(score, docnums, idf * wide / (wide + norms))

    def intersect(self, plan: IntersectPlan) -> Found:
        filters = [p for p in plan.required if isinstance(p, DatePlan | IdsPlan)]
        others = [p for p in plan.required if not isinstance(p, DatePlan | IdsPlan)]
        if others:
            parts = sorted((self.evaluate(child) for child in others), key=len)
            hit, score = parts[0].hit.copy(), parts[0].score.copy()
            for part in parts[1:]:
                hit &= part.hit
                score += part.score
        else:
            hit = np.ones(self.columns.size, dtype=bool)
            score = np.zeros(self.columns.size)
        for flt in filters:
            hit &= self.evaluate(flt).hit
        for child in plan.excluded:
            if not hit.any():
                break
            hit &= ~self.evaluate(child).hit
        score[~hit] = 0.0
        return Found(hit, score)

    def _dated(self, plan: DatePlan) -> np.ndarray:
        first = plan.first if plan.first is not None else 1
        last = plan.last if plan.last is not None else 99_999_999
        if plan.within and self.columns.imprecise:
            firsts, lasts = self.columns.date_spans()
            return (first <= firsts) & (lasts <= last)
        dates = self.columns.date_values
        return (first <= dates) & (dates <= last)

    def phrase(self, plan: PhrasePlan) -> Found:
        """Documents with the phrase, scored as Whoosh's `Phrase` query scores them: the sum
        of the BM25F scores of its terms (Whoosh wraps the intersection of the terms'
        matchers and keeps its score; how often the phrase itself occurs does not count)."""
        found = self._unscored(np.zeros(self.columns.size, dtype=bool))
        lists: list[Postings] = []
        decoded: dict[str, list[bytes]] = {}  # the values of the words read just now
        for text in plan.texts:
            postings, values = self.columns.postings_and_values(self.reader, plan.field, text)
            lists.append(postings)
            if values is not None:
                decoded[text] = values
        if any(not len(docnums) for docnums, _weights in lists):
            return found
        candidates = np.ones(self.columns.size, dtype=bool)
        for docnums, _weights in lists:
            has = np.zeros(self.columns.size, dtype=bool)
            has[docnums] = True
            candidates &= has
        wanted = np.flatnonzero(candidates)
        if not len(wanted):
            return found
        # A word whose postings were read just now has its values from that same read; for
        # one that came from the cache, only the posting blocks that hold a candidate are
        # read for their positions. A word the phrase repeats ("de de") is read once.
        read = {}
        for text, (docnums, _weights) in zip(plan.texts, lists, strict=True):
            if text in read:
                continue
            if text in decoded:
                rows = np.searchsorted(docnums, wanted).tolist()
                read[text] = PositionValues(list(map(decoded[text].__getitem__, rows)))
            else:
                info = self.columns.term_info(self.reader, plan.field, text)
                read[text] = read_values(self.reader, plan.field, text, wanted, info)
        words = [read[text] for text in plan.texts]
        slop = max(plan.slop, 1)
        highest = max(int(values.highest().max()) for values in words)
        width = (highest + slop) // 8 + 2
        if len(wanted) * width <= PHRASE_MATRIX_BYTES:
            wanted = wanted[_phrase_rows(words, width, slop)]
        else:
            wanted = _phrase_documents(wanted, words, slop)
        if not len(wanted):
            return found
        at = wanted
        found.hit[at] = True
        if plan.field not in SCORED_FIELDS:
            return found
        norms = self.columns.norms(plan.field, self.stats.average_length(plan.field))[at]
        score = np.zeros(len(at))
        for text, (docnums, weights) in zip(plan.texts, lists, strict=True):
            idf = self.stats.idf(plan.field, text) * plan.boost * (K1 + 1)
            weight = weights[np.searchsorted(docnums, at)].astype(np.float64)
            score += idf * weight / (weight + norms)
        found.score[at] = score
        return found


# The bit matrix a phrase is checked on in one segment (a row of bits per candidate, as wide
# as its longest text) at most; past that (an article of tens of thousands of words among
# thousands of candidates), the sorted keys of `_phrase_documents`.
PHRASE_MATRIX_BYTES = 8 * 1024 * 1024


def _phrase_rows(words: list[PositionValues], width: int, slop: int) -> np.ndarray:
    """Which candidates (rows) have the phrase, each word's positions in them given by
    `words` (one value per candidate). The positions of each word are a bit matrix, a row
    per candidate; where the phrase can have got to after its first word is that word's;
    after each next word, the next word's positions within `slop` after one of those: the
    matrix shifted a bit at a time, OR-ed over the slop, AND-ed with the next word's. Every
    way through the positions is tried at once (choosing the nearest next word, as a walk
    would, misses "the army, army chief Goïta" for "the army Goïta"~1), and every candidate
    at once: a phrase of common words ("de la") is thousands of candidates, stored as
    bitmaps already."""
    rows = np.arange(len(words[0]))
    reach = words[0].bitmaps(width)
    for values in words[1:]:
        step = reach
        ahead = np.zeros_like(reach)
        for _ in range(slop):
            step = _shifted_one(step)
            ahead |= step
        reach = ahead & values.bitmaps(width, rows)
        alive = reach.any(axis=1)
        rows, reach = rows[alive], reach[alive]
        if not len(rows):
            break
    return rows


def _shifted_one(bits: np.ndarray) -> np.ndarray:
    """Each row's bits moved one position up (bit p to p + 1, across bytes)."""
    moved = bits << 1
    moved[:, 1:] |= bits[:, :-1] >> 7
    return moved


def _phrase_documents(documents: np.ndarray, words: list[PositionValues], slop: int) -> np.ndarray:
    """`_phrase_rows` on sorted keys (document << 32 | position) instead of a bit matrix,
    for candidates too long for one: the documents (of `documents`) with the phrase. The
    nearest key before each of the next word's is found by a search in the sorted keys;
    being within `slop` of that one is being within `slop` of any."""
    reach = words[0].keys(documents)
    for values in words[1:]:
        keys = values.keys(documents)
        before = np.searchsorted(reach, keys) - 1
        near = before >= 0
        near[near] = keys[near] - reach[before[near]] <= slop
        reach = keys[near]
        if not len(reach):
            break
    return np.unique(reach >> 32)
