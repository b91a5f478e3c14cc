"""The Whoosh schema of the index and how an `IndexDocument` becomes index fields.

Only the clipping id and a fingerprint of the indexed fields are stored; titles, snippets and
everything shown comes from the archive. Text fields take pre-analyzed values (see
`analysis`), so Whoosh's own analyzer chain never runs: `content` and `title` hold the
language-tagged stems with their positions (words, phrases), `words` and `titlewords` the
folded words themselves with their counts (prefixes, fuzzy words, "did you mean"). Tag
fields hold tag ids, so renaming or moving a tag needs no reindex beyond what the archive
logs. Per-document columns (id, date and its precision, source, language, tags) feed
facets, filters and the empty-query listing without touching stored fields.

Bump SCHEMA_VERSION whenever the fields or the analysis change: an index built with an
older version is rebuilt on open.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from whoosh import columns, fields, formats

from clipper.core.search.analysis import analyze, plain_positions, stem_language
from clipper.core.text import name_key
from clipper.core.views import IndexDocument

SCHEMA_VERSION = 4

# Fields searched by a word without a field name; title matches count extra.
TITLE_BOOST = 2.0


class CompactPositions(formats.Positions):
    """Word positions, compact and quick to decode, instead of Whoosh's count plus a pickled
    list of deltas (pickling took a fifth of the indexing time):

    - "H" or "I" then an array of 16-bit (32-bit past position 65,535) integers: a word seen
      once costs 3 bytes instead of about 8;
    - "B" then a bitmap (bit p set for position p), for a word that occurs MANY_TIMES or
      more in an article ("de", "the"): a phrase of such words is then checked with a
      shift and an AND of two big integers instead of a set per occurrence.

    Native byte order: the index is a local cache, rebuilt rather than moved."""

    def encode(self, poslist: list[int]) -> bytes:
        if len(poslist) >= MANY_TIMES:
            bitmap = bytearray((poslist[-1] >> 3) + 1)
            for position in poslist:
                bitmap[position >> 3] |= 1 << (position & 7)
            return b"B" + bytes(bitmap)
        if poslist[-1] < 65536:
            return b"H" + array("H", poslist).tobytes()
        return b"I" + array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        if valuestring[:1] == b"B":
            mask = int.from_bytes(valuestring[1:], "little")
            return [p for p in range(mask.bit_length()) if mask >> p & 1]
        return positions_array(valuestring).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        tag = valuestring[:1]
        if tag == b"B":
            return int.from_bytes(valuestring[1:], "little").bit_count()
        return (len(valuestring) - 1) // (2 if tag == b"H" else 4)


# From this many occurrences in an article on, a word's positions are stored as a bitmap.
MANY_TIMES = 24


class PositionValues:
    """A word's encoded positions (`CompactPositions` values, never empty) in several
    documents, decoded for all of them at once: a phrase of common words checks thousands
    of documents, and a Python step per value (slicing, padding, grouping by form) was most
    of its time. The values are kept as they were read, and as one buffer of their bytes
    with each value's place in it."""

    __slots__ = ("data", "sizes", "starts", "values")

    def __init__(self, values: list[bytes]) -> None:
        self.values = values
        self.sizes = np.fromiter(map(len, values), np.int64, len(values))
        self.starts = np.cumsum(self.sizes) - self.sizes  # each value's tag byte, in `data`
        self.data = np.frombuffer(b"".join(values), np.uint8)

    def __len__(self) -> int:
        return len(self.values)

    def keys(self, docnums: Sequence[int] | np.ndarray) -> np.ndarray:
        """Every position of the word in these documents (`docnums[i]` being value i's) as
        one sorted array of keys, document << 32 | position: a phrase is then checked over
        every document at once (see `engine.SegmentEvaluator.phrase`)."""
        documents = np.asarray(docnums, np.int64)
        parts = []
        for tag, rows in self._forms():
            if tag == _BITMAP:
                payload, sizes = self._payload(rows)
                bits = np.unpackbits(payload, bitorder="little")
                starts = np.cumsum(sizes * 8) - sizes * 8
                at = np.flatnonzero(bits)
                owner = np.searchsorted(starts, at, side="right") - 1
                positions = at - starts[owner]
                owners = documents[rows][owner]
            else:
                which, positions = self._array_positions(tag, rows)
                owners = documents[rows[which]]
            parts.append(owners << 32 | positions)
        if not parts:
            return np.zeros(0, dtype=np.int64)
        keys = np.concatenate(parts)
        keys.sort()
        return keys

    def bitmaps(self, width: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The positions of these values (`rows` of this one, in that order; all of them
        when None) as one packed bit matrix, row i with bit p (byte p >> 3, bit p & 7) set
        for each position p of value `rows[i]`, `width` bytes a row. `width` must hold
        every row's positions (see `highest`)."""
        if rows is None:
            rows = np.arange(len(self))
        forms = self._forms(rows)
        if len(forms) == 1 and forms[0][0] == _BITMAP:
            return self._rows(rows, width)  # a bitmap is the start of its row already
        matrix = np.zeros((len(rows), width), np.uint8)
        for tag, at in forms:
            if tag == _BITMAP:
                matrix[at] = self._rows(rows[at], width)
            else:
                which, positions = self._array_positions(tag, rows[at])
                owners = at[which]
                bits = np.left_shift(1, positions & 7).astype(np.uint8)
                np.bitwise_or.at(matrix.reshape(-1), owners * width + (positions >> 3), bits)
        return matrix

    def highest(self) -> np.ndarray:
        """For each value, a position no lower than its highest (a bitmap's last bit, an
        array's last entry)."""
        highest = np.zeros(len(self), np.int64)
        for tag, rows in self._forms():
            if tag == _BITMAP:
                highest[rows] = (self.sizes[rows] - 1) * 8 - 1
            else:  # an array's last entry, read from its last bytes
                dtype = _ARRAY_TYPES[tag]
                ends = self.starts[rows] + self.sizes[rows]
                last = self.data[ends[:, np.newaxis] - np.arange(dtype.itemsize, 0, -1)]
                highest[rows] = np.ascontiguousarray(last).view(dtype).ravel()
        return highest

    def _rows(self, rows: np.ndarray, width: int) -> np.ndarray:
        """These values' bytes after their tag, a row each, `width` bytes (no fewer than the
        longest of them) with zeros after the value's end. The values are joined with
        `width` zero bytes between them, and every row is copied at once from a sliding
        view of that: a row then holds its value's bytes and zeros, never the next one's."""
        values = self.values
        if not np.array_equal(rows, np.arange(len(values))):  # some, or in another order
            values = list(map(values.__getitem__, rows.tolist()))
        gap = bytes(width)
        joined = np.frombuffer(gap.join([*values, b""]), np.uint8)  # a gap after the last too
        steps = self.sizes[rows] + width
        starts = np.cumsum(steps) - steps + 1
        return np.lib.stride_tricks.sliding_window_view(joined, width)[starts]

    def _array_positions(self, tag: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(i, position) for every position of these array-form values (`rows[i]` being
        the value's row), as two arrays, value by value and each one's positions in order."""
        dtype = _ARRAY_TYPES[tag]
        counts = (self.sizes[rows] - 1) // dtype.itemsize
        table = self._rows(rows, int(counts.max()) * dtype.itemsize).view(dtype)
        present = np.arange(table.shape[1]) < counts[:, np.newaxis]
        which, _column = np.nonzero(present)
        return which, table[present].astype(np.int64)

    def _forms(self, rows: np.ndarray | None = None) -> list[tuple[int, np.ndarray]]:
        """The values (`rows` of this one; all of them when None) grouped by their form (tag
        byte): (tag, where they are in `rows`)."""
        tags = self.data[self.starts if rows is None else self.starts[rows]]
        forms = np.unique(tags).tolist()
        if len(forms) == 1:
            return [(forms[0], np.arange(len(tags)))]
        return [(tag, np.flatnonzero(tags == tag)) for tag in forms]

    def _payload(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The bytes after the tag of these values, one after another (a copy), and each
        one's length: bitmaps to unpack for `keys`."""
        sizes = self.sizes[rows] - 1
        return self.data[_spans(self.starts[rows] + 1, sizes)], sizes


def _spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indexes start, start + 1, ..., start + length - 1 of each span, one after another."""
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(
        starts - (ends - lengths), lengths
    )


def positions_array(valuestring: bytes) -> array[int]:
    """The positions of an array-form CompactPositions value (no list of ints made)."""
    return array(_TYPECODES[valuestring[0]], valuestring[1:])


_BITMAP = ord("B")
# Native byte order, as `CompactPositions.encode` writes them (array's).
_ARRAY_TYPES: dict[int, np.dtype[Any]] = {
    ord("H"): np.dtype(np.uint16),
    ord("I"): np.dtype(np.uint32),
}


_TYPECODES = {ord("H"): "H", ord("I"): "I"}


class AnalyzedText(fields.FieldType):
    """Positions of words (stemmed and tagged with the language, or folded only). The value
    is (language, section, section, ...), or a mapping of term -> positions that
    `document_fields` analyzed already."""

    def __init__(self, stemmed: bool = True) -> None:
        super().__init__(CompactPositions(), analyzer=None, scorable=True)
        self.stemmed = stemmed

    def term_postings(self, value: Any) -> Iterator[tuple[str, int, bytes]]:
        """(term, frequency, encoded positions) for each distinct term of the value."""
        if isinstance(value, dict):
            positions = value
        else:
            language, *sections = value
            if self.stemmed:
                positions = analyze(sections, stem_language(language))[0]
            else:
                positions, _next = plain_positions(sections)
        encode = self.format.encode
        return ((term, len(poslist), encode(poslist)) for term, poslist in positions.items())

    def index(self, value: Any, **_kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for term, freq, vbytes in self.term_postings(value):
            yield term.encode("utf-8"), freq, float(freq), vbytes

    def self_parsing(self) -> bool:
        return True


class Counted(formats.Existence):
    """Postings with a count and nothing else: the count is the posting's weight (which is
    what Whoosh's BM25F reads), no value bytes are stored."""


class WordCounts(fields.FieldType):
    """Which folded words a document has and how often, without positions. The value is a
    mapping of word -> count."""

    def __init__(self) -> None:
        super().__init__(Counted(), analyzer=None, scorable=True)

    def term_postings(self, value: Any) -> Iterator[tuple[str, int, bytes]]:
        return ((word, count, b"") for word, count in value.items())

    def index(self, value: Any, **_kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for word, count in value.items():
            yield word.encode("utf-8"), count, float(count), b""

    def self_parsing(self) -> bool:
        return True


class WordSet(fields.FieldType):
    """Which words (or ids) a document has, without counts or positions."""

    def __init__(self, column: columns.Column | None = None) -> None:
        super().__init__(formats.Existence(), analyzer=None, scorable=False)
        if column is not None:
            self.set_sortable(column)

    def term_postings(self, value: Any) -> Iterator[tuple[str, int, bytes]]:
        return ((word, 1, b"") for word in set(value))

    def index(self, value: Any, **_kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        for word in set(value):
            yield word.encode("utf-8"), 1, 1.0, b""

    def to_column_value(self, value: Any) -> bytes:
        return " ".join(sorted(set(value), key=_numeric_first)).encode("utf-8")

    def self_parsing(self) -> bool:
        return True


def _numeric_first(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


class ColumnOnly(fields.FieldType):
    """A per-document value kept only as a column (not searchable, not stored)."""

    indexed = False

    def __init__(self, column: columns.Column) -> None:
        super().__init__(None, analyzer=None)
        self.set_sortable(column)

    def to_column_value(self, value: Any) -> Any:
        return value.encode("utf-8") if isinstance(value, str) else value


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        fp=fields.STORED(),
        cid=ColumnOnly(columns.NumericColumn("I")),
        title=AnalyzedText(),
        content=AnalyzedText(),
        titlewords=WordCounts(),
        words=WordCounts(),
        author=AnalyzedText(stemmed=False),
        source=AnalyzedText(stemmed=False),
        srckey=fields.ID(),
        srcname=ColumnOnly(columns.RefBytesColumn()),
        lang=fields.ID(sortable=columns.RefBytesColumn()),
        date=ColumnOnly(columns.NumericColumn("I")),
        dateprec=ColumnOnly(columns.NumericColumn("B")),
        topic=WordSet(columns.VarBytesColumn()),
        region=WordSet(columns.VarBytesColumn()),
    )


# The folded-word field that goes with each stemmed field.
WORDS_FIELD = {"content": "words", "title": "titlewords"}
# How precisely a clipping's date is known, as the `dateprec` column stores it.
PRECISION_CODES = {"day": 0, "month": 1, "year": 2}
DAY, MONTH, YEAR = 0, 1, 2


def date_number(day: dt.date) -> int:
    """The index's form of a date: 2023-12-06 -> 20231206 (sorts and ranges like the date)."""
    return day.year * 10000 + day.month * 100 + day.day


def number_date(value: int) -> dt.date | None:
    if not value:
        return None
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def document_fields(doc: IndexDocument) -> dict[str, Any]:
    """The keyword arguments of `writer.add_document` (or `SegmentBuilder.add`) for one
    clipping."""
    language = stem_language(doc.language)
    author = doc.author or ""
    texts = (doc.title, doc.standfirst, doc.body, *doc.notes, *doc.tag_names, author)
    content, counts = analyze(texts, language)
    title, title_counts = analyze((doc.title,), language)
    values: dict[str, Any] = {
        "id": str(doc.id),
        "fp": doc.fingerprint,
        "cid": doc.id,
        "title": title,
        "titlewords": title_counts,
        "content": content,
        "words": counts,
        "topic": [str(t) for t in doc.topic_ids],
        "region": [str(t) for t in doc.region_ids],
        "date": date_number(doc.published) if doc.published else 0,
        "dateprec": PRECISION_CODES.get(doc.published_precision, DAY),
    }
    if author:
        values["author"] = ("", author)
    if doc.source:
        values["source"] = ("", doc.source)
        values["srckey"] = name_key(doc.source)
        values["srcname"] = doc.source
    if doc.language:
        values["lang"] = primary_language(doc.language)
    return values


def primary_language(code: str) -> str:
    """ "fr-FR", "FR" and "fr_CA" are all "fr": what lang: and the language facet use."""
    return code.strip().lower().replace("_", "-").split("-")[0]
