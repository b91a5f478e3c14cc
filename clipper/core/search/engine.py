"""Query evaluation over the index's Whoosh segments, a posting list at a time.

Whoosh's matchers step through every matching document with several Python method calls
(`id`, `score`, `next`, plus the scorer's own), and finding the total and facet counts
needs a second full pass. On the synthetic 20k index a common word took 55-145 ms that way.
Here each term's postings are decoded a block at a time (one unpickle for 128 postings) and
scored with BM25F as Whoosh does it, in one dict comprehension; boolean operators are dict
and set operations, phrases check positions only for documents that have every word, and
the full set of matches (the total and the facets) falls out of the same pass.

The files, term tables and columns are Whoosh's; only the walk over them is ours.
Per-segment document arrays (clipping id, date, source, language, tags, field lengths) are
read once per segment and shared by every thread: segments never change once written (a
deletion only hides documents, and the live reader says which).
"""

from __future__ import annotations

import bisect
import calendar
import logging
import math
import sys
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn, RefBytesColumn, VarBytesColumn
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

from clipper.core.search.errors import IndexDamaged
from clipper.core.search.schema import DAY, MONTH, YEAR, positions_mask

log = logging.getLogger(__name__)

# BM25F parameters: Whoosh's defaults, so scores match what its own searcher would give.
K1 = 1.2
B = 0.75
SCORED_FIELDS = ("content", "title", "words", "titlewords", "author", "source")

Scores = dict[int, float]


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
        self.precisions = _numeric(reader.column_reader("dateprec", translate=False), size)
        self.imprecise = any(self.precisions)
        self._date_spans: tuple[array[int], array[int]] | None = None
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
        self._norms: dict[tuple[str, float], list[float]] = {}
        self._docnums: dict[int, int] | None = None
        self._lexicons: dict[str, SegmentLexicon] = {}

    def date_spans(self) -> tuple[array[int], array[int]]:
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
            self._date_spans = firsts, lasts
        return self._date_spans

    def month_of(self, docnum: int) -> int:
        """yyyymm of a document's date, 0 when undated or known only to the year."""
        if self.precisions[docnum] == YEAR:
            return 0
        return self.dates[docnum] // 100

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

    def norms(self, fieldname: str, average_length: float) -> list[float]:
        """BM25's length normalization, K1 * (1 - B + B * length / average), per document."""
        key = (fieldname, round(average_length, 2))
        found = self._norms.get(key)
        if found is None:
            table = [
                K1 * ((1 - B) + B * byte_to_length(code) / average_length) for code in range(256)
            ]
            found = list(map(table.__getitem__, self.lengths[fieldname]))
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
        self._buckets: dict[tuple[str, int], list[tuple[int, str]]] | None = None

    def with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff")
        return self.terms[start:end]

    def within(self, word: str, distance: int) -> list[str]:
        """Terms at most `distance` edits from `word` that share its first letter."""
        if self._buckets is None:
            buckets: dict[tuple[str, int], list[tuple[int, str]]] = {}
            for term in self.terms:
                buckets.setdefault((term[:1], len(term)), []).append((_letters(term), term))
            self._buckets = buckets
        found = []
        first = word[:1]
        letters = _letters(word)
        # One edit changes which letters a word has by two at most: a cheap test that
        # spares the edit distance for most candidates.
        most = 2 * distance
        for length in range(len(word) - distance, len(word) + distance + 1):
            for mask, term in self._buckets.get((first, length), ()):
                if (mask ^ letters).bit_count() <= most and (
                    edit_distance(word, term, distance) <= distance
                ):
                    found.append(term)
        return found


def _letters(word: str) -> int:
    """A bit per letter the word has (letters may share a bit: the test stays safe)."""
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) & 63)
    return mask


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

    def __init__(self) -> None:
        self._by_segment: dict[str, SegmentColumns] = {}
        self._lock = threading.Lock()

    def get(self, reader: Any) -> SegmentColumns:
        segment_id = reader.segment().segment_id()
        found = self._by_segment.get(segment_id)
        if found is None:
            found = SegmentColumns(reader)
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


# -- reading postings -----------------------------------------------------------------------

_EMPTY: tuple[Sequence[int], Sequence[float], Sequence[bytes]] = ((), (), ())


def read_postings(
    reader: Any, fieldname: str, text: str | bytes, values: bool = False
) -> tuple[Sequence[int], Sequence[float], Sequence[bytes]]:
    """(docnums, weights, encoded values) of a term in one segment, deleted documents included."""
    btext = text.encode("utf-8") if isinstance(text, str) else text
    try:
        return _read_postings(reader, fieldname, btext, values)
    except TermNotFound:
        return _EMPTY
    except Exception as exc:
        segment = reader.segment().segment_id()
        raise IndexDamaged(
            f"segment {segment}, term {fieldname}:{text!r}: {type(exc).__name__}: {exc}"
        ) from exc


def _read_postings(
    reader: Any, fieldname: str, btext: bytes, values: bool
) -> tuple[Sequence[int], Sequence[float], Sequence[bytes]]:
    terms = reader._terms
    info = terms.term_info(fieldname, btext)
    if info.is_inlined():
        ids, weights, found_values = info.inlined_postings()
        return ids, weights, found_values if values else ()
    offset, length = info.extent()
    fmt = reader.schema[fieldname].format
    matcher = W3LeafMatcher(terms._postfile, offset, length, fmt)
    all_ids: list[int] = []
    all_weights: list[float] = []
    all_values: list[bytes] = []
    while matcher.is_active():
        matcher._read_data()
        block_ids, block_weights, block_values = matcher._data
        all_ids.extend(accumulate(block_ids))
        count = matcher._blocklength
        if block_weights is None:
            all_weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            all_weights.extend([block_weights] * count)
        else:
            all_weights.extend(block_weights)
        if values:
            all_values.extend(block_values)
        matcher._next_block()
    return all_ids, all_weights, all_values


# -- evaluation -----------------------------------------------------------------------------


# Terms whose frequency a view remembers at most (a few megabytes).
MEMO_LIMIT = 50_000


class Statistics:
    """Collection-wide numbers for scoring (they span every segment), cached per searcher."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.doc_count = searcher.doc_count_all()
        self._frequency: dict[tuple[str, str], int] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._average: dict[str, float] = {}

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """In how many documents of every segment the term is (a lookup in each segment's
        term table: 30 of them at 200,000 clippings, so asked once a view)."""
        key = (fieldname, text)
        found = self._frequency.get(key)
        if found is None:
            if len(self._frequency) >= MEMO_LIMIT:
                self._frequency.clear()  # a view open for a long session asks many words
            found = self._frequency[key] = int(self.searcher.doc_frequency(fieldname, text))
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
    """Evaluates plans in one segment: docnum -> score for every matching live document."""

    def __init__(self, reader: Any, columns: SegmentColumns, stats: Statistics) -> None:
        self.reader = reader
        self.columns = columns
        self.stats = stats
        self.deleted = deleted_docnums(reader)

    def run(self, plan: Plan) -> Scores:
        scores = self.evaluate(plan)
        if self.deleted and scores:
            for docnum in self.deleted.intersection(scores):
                del scores[docnum]
        return scores

    def evaluate(self, plan: Plan) -> Scores:
        if isinstance(plan, TermPlan):
            return self.term(plan)
        if isinstance(plan, UnionPlan):
            return self.union(plan)
        if isinstance(plan, IntersectPlan):
            return self.intersect(plan)
        if isinstance(plan, PhrasePlan):
            return self.phrase(plan)
        if isinstance(plan, DatePlan):
            return dict.fromkeys(self._dated(range(self.columns.size), plan), 0.0)
        if isinstance(plan, IdsPlan):
            return dict.fromkeys(self._with_ids(range(self.columns.size), plan), 0.0)
        if plan is EVERYTHING:
            return dict.fromkeys(range(self.columns.size), 0.0)
        return {}

    def term(self, plan: TermPlan) -> Scores:
        ids, weights, _values = read_postings(self.reader, plan.field, plan.text)
        if not ids:
            return {}
        if not plan.scored or plan.field not in SCORED_FIELDS:
            return dict.fromkeys(ids, 0.0)
        idf = self.stats.idf(plan.field, plan.text) * plan.boost * (K1 + 1)
        norms = self.columns.norms(plan.field, self.stats.average_length(plan.field))
        return {d: idf * w / (w + norms[d]) for d, w in zip(ids, weights, strict=True)}

    def union(self, plan: UnionPlan) -> Scores:
        parts = sorted((self.evaluate(child) for child in plan.children), key=len, reverse=True)
        if not parts:
            return {}
        result = dict(parts[0])
        for part in parts[1:]:
            get = result.get
            for docnum, score in part.items():
                result[docnum] = get(docnum, 0.0) + score
        return result

    def intersect(self, plan: IntersectPlan) -> Scores:
        # Filters on columns (dates, ids) narrow what the other parts found, rather than
        # scanning every document.
        filters = [p for p in plan.required if isinstance(p, DatePlan | IdsPlan)]
        others = [p for p in plan.required if not isinstance(p, DatePlan | IdsPlan)]
        if others:
            parts = sorted((self.evaluate(child) for child in others), key=len)
            result = parts[0]
            for part in parts[1:]:
                if not result:
                    break
                result = {d: s + part[d] for d, s in result.items() if d in part}
        elif filters:
            result = self.evaluate(filters.pop())
        else:
            result = self.evaluate(EVERYTHING)
        for flt in filters:
            if isinstance(flt, DatePlan):
                keep: Iterable[int] = self._dated(list(result), flt)
            else:
                keep = self._with_ids(list(result), flt)
            result = {d: result[d] for d in keep}
        for child in plan.excluded:
            if not result:
                break
            excluded = self.evaluate(child)
            for docnum in excluded.keys() & result.keys():
                del result[docnum]
        return result

    def _dated(self, docnums: Iterable[int], plan: DatePlan) -> list[int]:
        first = plan.first if plan.first is not None else 1
        last = plan.last if plan.last is not None else 99_999_999
        if plan.within and self.columns.imprecise:
            firsts, lasts = self.columns.date_spans()
            return [d for d in docnums if first <= firsts[d] and lasts[d] <= last]
        dates = self.columns.dates
        return [d for d in docnums if first <= dates[d] <= last]

    def _with_ids(self, docnums: Iterable[int], plan: IdsPlan) -> list[int]:
        ids = self.columns.ids
        wanted = plan.ids
        return [d for d in docnums if ids[d] in wanted]

    def phrase(self, plan: PhrasePlan) -> Scores:
        """Documents with the phrase, scored as Whoosh's `Phrase` query scores them: the sum
        of the BM25F scores of its terms (Whoosh wraps the intersection of the terms'
        matchers and keeps its score; how often the phrase itself occurs does not count)."""
        lists = [read_postings(self.reader, plan.field, t, values=True) for t in plan.texts]
        if any(not ids for ids, _w, _v in lists):
            return {}
        order = sorted(range(len(lists)), key=lambda i: len(lists[i][0]))
        candidates = set(lists[order[0]][0])
        for i in order[1:]:
            candidates.intersection_update(lists[i][0])
            if not candidates:
                return {}
        # dict(zip()) runs in C; filtering to the candidates in Python would not.
        position_maps = [dict(zip(ids, vals, strict=True)) for ids, _w, vals in lists]
        # The positions of each word as a bitmap (bit p for position p). The positions where
        # the phrase can have got to after its first word are that word's; after each next
        # word, those of the next word within `slop` after one of them: shift, spread over
        # the slop, AND. Every way through the positions is tried at once (choosing the
        # nearest next word, as a walk would, misses "the army, army chief Goïta" for
        # "the army Goïta"~1), in a few big-integer operations per article whatever the
        # slop, which matters for phrases of common words ("de la"), found in thousands of
        # articles many times each (those are stored as bitmaps already).
        mask = positions_mask
        slop = plan.slop
        first_map, rest_maps = position_maps[0], position_maps[1:]
        matched = []
        for docnum in candidates:
            reach = mask(first_map[docnum])
            for positions in rest_maps:
                reach = _spread(reach << 1, slop) & mask(positions[docnum])
                if not reach:
                    break
            if reach:
                matched.append(docnum)
        if not matched or plan.field not in SCORED_FIELDS:
            return dict.fromkeys(matched, 0.0)
        norms = self.columns.norms(plan.field, self.stats.average_length(plan.field))
        scores = dict.fromkeys(matched, 0.0)
        for text, (ids, weights, _values) in zip(plan.texts, lists, strict=True):
            idf = self.stats.idf(plan.field, text) * plan.boost * (K1 + 1)
            weight_of = dict(zip(ids, weights, strict=True))
            for docnum in matched:
                weight = weight_of[docnum]
                scores[docnum] += idf * weight / (weight + norms[docnum])
        return scores


def _spread(bits: int, width: int) -> int:
    """`bits` OR-ed with itself shifted by 1 .. width - 1: each set bit p becomes the run
    p .. p + width - 1 (by doubling: a few operations for any width)."""
    covered = 1
    while covered < width:
        step = min(covered, width - covered)
        bits |= bits << step
        covered += step
    return bits
