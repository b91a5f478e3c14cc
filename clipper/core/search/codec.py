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

The codec object is pickled into the index's table of contents with each segment, so this
class must stay importable under this name; changing it means bumping SCHEMA_VERSION.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, W3PostingsWriter

INLINE_LIMIT = 8
COMPRESSION = 1


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


class _PostingsWriter(W3PostingsWriter):
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
