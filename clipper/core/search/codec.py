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

The codec object is pickled into the index's table of contents with each segment, so this
class must stay importable under this name; changing it means bumping SCHEMA_VERSION.
"""

from __future__ import annotations

import itertools
import pickle
import zlib
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


class _TermInfo(W3TermInfo):
    def to_bytes(self) -> bytes:
        if not self.is_inlined():
            return bytes(super().to_bytes())
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        minid = 0xFFFFFFFF if self._minid is None else self._minid
        maxid = 0xFFFFFFFF if self._maxid is None else self._maxid
        packed: bytes = self._struct.pack(
            True,
            self._weight,
            self._df,
            minlength,
            length_to_byte(self._maxlength),
            self._maxweight,
            minid,
            maxid,
        )
        return packed + pickle.dumps(self._inlined, PICKLE_PROTOCOL)


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
        deltas = (ids[0], *[b - a for a, b in itertools.pairwise(ids)])
        data = (deltas, self._mini_weights(), self._mini_values())
        databytes = pickle.dumps(data, PICKLE_PROTOCOL)
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
