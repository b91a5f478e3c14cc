"""Whoosh's segment codec, tuned for this index.

Two measured fixes over the stock `W3Codec` (whoosh-reloaded 2.7.5):

- Its per-document reader asks the file system whether a field-length column exists for
  every posting of a field that has none (word sets, ids, tags), and never remembers the
  answer: flushing 500 articles made a quarter of a million `stat` calls. The reader here
  remembers missing columns.
- Field lengths are read from the length column one posting at a time through a file
  read; the column is small (one byte per document), so it is loaded into memory once.
- `inlinelimit=1` inlines nothing (the test is `len(postings) < inlinelimit`), and raising
  it fails: the writer calls `set_inline`, which does not exist (the method is
  `set_inlined`). So every term, even one seen in a single article, gets its own pickled,
  zlib-compressed block in the postings file. The writer here inlines short posting lists
  into the term table, which makes flushing faster and short lookups cheaper; the reading
  side of inlined postings is Whoosh's own (`ListMatcher`), given bytes values even for
  formats that have none, as its merge requires.

- Posting blocks and inlined postings are pickled with protocol 2, in which every value
  (a document's word positions) becomes a call to `_codecs.encode` on a latin-1 string:
  a block of 128 postings took 44 µs to unpickle and twice the bytes. Protocol 5 stores
  bytes as bytes (5 µs). Readers are Whoosh's own; `pickle.loads` reads any protocol.
- What a block holds is packed (`compact_block`): Whoosh pickles a block's weights as a
  tuple of floats (9 bytes each, and a weight here is a word count), its id gaps as a
  tuple of ints and each value with a memo entry. Here gaps and whole-number weights are
  raw arrays of the smallest integer type, pickled without a memo and given to a function
  registered under a two-byte code (`unpack_block`) that rebuilds the tuple Whoosh's reader
  indexes. A block of 128 postings of positions: 2,361 bytes and 17 µs to read before,
  1,197 bytes and 15 µs now. Blocks written before this read as they always did.

The codec object is pickled into the index's table of contents with each segment, so this
class must stay importable under this name; changing it means bumping SCHEMA_VERSION.
"""

from __future__ import annotations

import copyreg
import io
import itertools
import pickle
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.util.numeric import length_to_byte

INLINE_LIMIT = 8
# zlib on posting blocks halves the postings file but made reading a common word's postings
# two to five times slower (measured on 5,000 synthetic articles: 31 MB and 1.8-4.8 ms per
# common word compressed at level 1, 55 MB and 0.4-0.8 ms raw). Search speed wins.
COMPRESSION = 0
PICKLE_PROTOCOL = 5
# Blocks smaller than this are not worth compressing (when compression is on).
COMPRESS_FROM = 256


# A short code for `unpack_block` in pickles (copyreg's extension registry, codes 240-255
# and above being free for private use): named in full, the function costs some 45 bytes in
# every block, as much as a block of a rare word's postings.
BLOCK_EXTENSION = 0xC11F


def small_ints(numbers: Sequence[int]) -> array[int]:
    """The numbers (none negative) as an array of the smallest unsigned type that holds them."""
    top = max(numbers, default=0)
    typecode = "B" if top < 0x100 else "H" if top < 0x10000 else "I"
    return array(typecode, numbers)


def compact_weights(weights: Sequence[float]) -> Any:
    """A block's weights as Whoosh's reader takes them: None when all are 1, one float when
    all are equal, else a sequence indexed by posting (an integer array when every weight is
    a whole number, which a word count is)."""
    first = weights[0] if weights else 1.0
    if all(w == first for w in weights):
        return None if first == 1.0 else float(first)
    if all(float(w).is_integer() for w in weights) and max(weights) < 0x10000:
        return small_ints([int(w) for w in weights])
    return array("f", weights)


class PackedBlock:
    """One block's (id gaps, weights, values), pickled with the gaps and weights as raw
    arrays; unpickled (`unpack_block`) it is the tuple Whoosh's block reader takes. The
    values stay a sequence of byte strings: joined into one string they were smaller still,
    but cutting them apart again in Python made reading a block three times slower."""

    __slots__ = ("deltas", "values", "weights")

    def __init__(self, deltas: array[int], weights: Any, values: Any) -> None:
        self.deltas = deltas
        self.weights = weights
        self.values = values

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        weights = self.weights
        if isinstance(weights, array):
            weights = (weights.typecode, weights.tobytes())
        return unpack_block, (self.deltas.typecode, self.deltas.tobytes(), weights, self.values)


def unpack_block(
    id_type: str, id_bytes: bytes, weights: Any, values: Any
) -> tuple[array[int], Any, Any]:
    """The tuple a `PackedBlock` stands for (named in every pickled block: keep the name)."""
    if isinstance(weights, tuple):
        weights = array(weights[0], weights[1])
    return array(id_type, id_bytes), weights, values


copyreg.add_extension(__name__, unpack_block.__name__, BLOCK_EXTENSION)


def compact_block(ids: Sequence[int], weights: Sequence[float], values: Any) -> PackedBlock:
    """One block of postings, packed (see the module notes)."""
    deltas = small_ints([ids[0], *[b - a for a, b in itertools.pairwise(ids)]])
    return PackedBlock(deltas, compact_weights(weights), values)


def dumps(data: Any) -> bytes:
    """Pickled without a memo: a memo entry costs a byte for every value, and few values of
    a block are the same object (the index of 2,000 bench articles is 5% smaller without)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, PICKLE_PROTOCOL)
    pickler.fast = True
    pickler.dump(data)
    return out.getvalue()


class _PerDocReader(W3PerDocReader):
    def _cached_reader(self, fieldname: str, column: Any) -> Any:
        if fieldname in self._readers:
            return self._readers[fieldname]
        reader = None
        if self.has_column(fieldname):
            reader = self.column_reader(fieldname, column)
            if column is LENGTHS_COLUMN:
                reader = reader.load()
        self._readers[fieldname] = reader
        return reader


def inlined_entry(
    info: tuple[float, int, int | None, int, float, int | None, int | None],
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes],
) -> bytes:
    """The term-table entry of a posting list kept inside it (fewer than INLINE_LIMIT
    postings): `info` is (total weight, document frequency, shortest and longest field
    length, highest weight, first and last id), as `W3TermInfo` packs them, then the
    postings pickled."""
    weight, df, minlength, maxlength, maxweight, minid, maxid = info
    packed: bytes = W3TermInfo._struct.pack(
        True,
        weight,
        df,
        0 if minlength is None else length_to_byte(minlength),
        length_to_byte(maxlength),
        maxweight,
        0xFFFFFFFF if minid is None else minid,
        0xFFFFFFFF if maxid is None else maxid,
    )
    # Whole-number weights as ints: a pickled float is 9 bytes, a small int 2.
    whole = tuple(int(w) if float(w).is_integer() else w for w in weights)
    return packed + dumps((tuple(ids), whole, tuple(values)))


class _TermInfo(W3TermInfo):
    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return bytes(super().to_bytes())
        info = (
            self._weight,
            self._df,
            self._minlength,
            self._maxlength,
            self._maxweight,
            self._minid,
            self._maxid,
        )
        return inlined_entry(info, *self._inlined)


class _FieldWriter(W3FieldWriter):
    def start_term(self, btext: bytes) -> None:
        if self._postwriter is None:
            raise RuntimeError("start_term called before start_field")
        self._btext = btext
        self._postwriter.start_postings(self._fieldobj.format, _TermInfo())


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        """Whoosh's block layout, pickled with a modern protocol; small blocks stay raw."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        terminfo: Any = self._terminfo
        terminfo.add_block(self)
        ids = self._ids
        databytes = dumps(compact_block(ids, self._weights, self._mini_values()))
        compression = self._compression if len(databytes) >= COMPRESS_FROM else 0
        if compression:
            databytes = zlib.compress(databytes, compression)
        info = pickle.dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            PICKLE_PROTOCOL,
        )
        length = len(info) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(info)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self) -> Any:
        terminfo = self._terminfo  # type: ignore[has-type]
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # Whoosh's list matcher returns "" (text) for a posting without a value, which
            # its own merge then rejects: give every posting its (empty) bytes.
            values = self._values or [b""] * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class ClipperCodec(W3Codec):
    def __init__(self) -> None:
        super().__init__(blocklimit=128, compression=COMPRESSION, inlinelimit=INLINE_LIMIT)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _PerDocReader(storage, segment)
