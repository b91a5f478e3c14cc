"""Building index segments in bulk, without Whoosh's posting pool.

Whoosh's `SegmentWriter` pushes every posting (one per distinct word per article) through a
general-purpose pool: a tuple per posting, a sort of all of them at commit, then one method
call per posting to write it, each looking up the field length again. Profiling 2,000
synthetic articles put three quarters of the indexing time there. Here postings are grouped
by term as they arrive (a dict of compact arrays), so a flush writes each term's posting
list in one go, in blocks, through Whoosh's own codec writers. The files are ordinary
Whoosh segments: the same readers, matchers and merges work on them.

A builder keeps its postings in memory, so it flushes a segment every `max_postings`
postings; the caller commits the segments (`SearchIndex` does, under the index lock).
`add_documents` feeds a builder from a document source, chunk by chunk.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte

from clipper.core.search.codec import ClipperCodec, inlined_entry
from clipper.core.search.errors import IndexBuildCancelled
from clipper.core.search.ports import DocumentSource
from clipper.core.search.schema import (
    AnalyzedText,
    CompactPositions,
    WordCounts,
    WordSet,
    document_fields,
)
from clipper.core.views import IndexDocument

log = logging.getLogger(__name__)

# About 30 bytes of memory per posting while a segment is built: 8 million postings is
# some 8,000 articles of 900 words (a posting per distinct word and field), about 250 MB
# (peak 323 MB for a process building 8,000 bench articles, 84 MB before).
# Bigger segments mean fewer of them to search and one term table each, not one per few
# thousand articles (at 20,000 articles: 157 MB in one segment, 206 MB in six).
DEFAULT_MAX_POSTINGS = 8_000_000
# Clippings read from the archive at a time while building.
READ_CHUNK = 500
# Most words occur once in an article: their encoded positions are made once, here.
SINGLE_POSITIONS = 4096
SINGLE_POSITION = [CompactPositions().encode([p]) for p in range(SINGLE_POSITIONS)]


class _TermPostings:
    """The postings of one term so far: documents, frequencies and encoded values. Numbers
    are kept in arrays (4 bytes each, not an 8-byte list slot), so a segment can hold more
    articles for the same memory."""

    __slots__ = ("freqs", "ids", "values")

    def __init__(self) -> None:
        self.ids = array("I")
        self.freqs = array("I")
        self.values: list[bytes] = []


class SegmentBuilder:
    """Adds documents (the output of `schema.document_fields`) and writes them as segments.

    Not thread safe; one builder per writer. `segments` lists what was flushed so far.
    """

    def __init__(
        self,
        storage: Storage,
        indexname: str,
        schema: Schema,
        codec: ClipperCodec | None = None,
        max_postings: int = DEFAULT_MAX_POSTINGS,
    ) -> None:
        self.storage = storage
        self.indexname = indexname
        self.schema = schema
        self.codec = codec or ClipperCodec()
        self.max_postings = max_postings
        self.segments: list[Any] = []
        # Short posting lists written straight as their term entries (`_inlined_entry`);
        # False writes them through Whoosh's postings writer, the same bytes more slowly.
        self.inline_directly = True
        self._indexed = [name for name in schema.names() if schema[name].indexed]
        self._positional = {
            name for name in self._indexed if isinstance(schema[name], AnalyzedText)
        }
        self._fast = {
            name
            for name in self._indexed
            if isinstance(schema[name], AnalyzedText | WordCounts | WordSet)
        }
        self._start()

    def _start(self) -> None:
        self._segment = self.codec.new_segment(self.storage, self.indexname)
        self._perdoc = self.codec.per_document_writer(self.storage, self._segment)
        # field -> term -> postings; terms are str for this package's own field types
        # (encoded at flush; UTF-8 sorts like code points) and bytes for Whoosh's.
        self._postings: dict[str, dict[Any, _TermPostings]] = {n: {} for n in self._indexed}
        self._lengths: dict[str, array[int]] = {}
        self._docnum = 0
        self._posting_count = 0

    @property
    def pending(self) -> int:
        """Documents added since the last flush."""
        return self._docnum

    def add_document(self, doc: IndexDocument) -> None:
        self.add(document_fields(doc))

    def add(self, values: dict[str, Any]) -> None:
        schema = self.schema
        perdoc = self._perdoc
        docnum = self._docnum
        perdoc.start_doc(docnum)
        for fieldname in sorted(values):
            value = values[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                table = self._postings[fieldname]
                if isinstance(value, dict) and fieldname in self._positional:
                    # Analyzed text (term -> positions): the hot path, kept flat.
                    encode = field.format.encode
                    single = SINGLE_POSITION
                    for term, positions in value.items():
                        postings = table.get(term)
                        if postings is None:
                            postings = table[term] = _TermPostings()
                        postings.ids.append(docnum)
                        freq = len(positions)
                        postings.freqs.append(freq)
                        if freq == 1 and positions[0] < SINGLE_POSITIONS:
                            postings.values.append(single[positions[0]])
                        else:
                            postings.values.append(encode(positions))
                        length += freq
                    count = len(value)
                elif isinstance(value, dict):
                    # Word counts (word -> count): no value bytes.
                    for term, freq in value.items():
                        postings = table.get(term)
                        if postings is None:
                            postings = table[term] = _TermPostings()
                        postings.ids.append(docnum)
                        postings.freqs.append(freq)
                        length += freq
                    count = len(value)
                else:
                    if fieldname in self._fast:
                        items: Any = field.term_postings(value)
                    else:
                        items = ((t, f, v) for t, f, _w, v in field.index(value))
                    count = 0
                    for term, freq, vbytes in items:
                        postings = table.get(term)
                        if postings is None:
                            postings = table[term] = _TermPostings()
                        postings.ids.append(docnum)
                        postings.freqs.append(freq)
                        if vbytes:
                            postings.values.append(vbytes)
                        length += freq
                        count += 1
                self._posting_count += count
                if field.scorable:
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = array("I")
                    lengths.extend([0] * (docnum + 1 - len(lengths)))
                    # The length as Whoosh reads it back (one lossy byte), for block stats.
                    lengths[docnum] = byte_to_length(length_to_byte(length)) if length else 0
                else:
                    length = 0
            perdoc.add_field(fieldname, field, value if field.stored else None, length)
            if field.column_type is not None:
                perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
        perdoc.finish_doc()
        self._docnum += 1
        if self._posting_count >= self.max_postings:
            self.flush()

    def flush(self) -> Any | None:
        """Write the pending documents as one segment; returns it (None when empty)."""
        if not self._docnum:
            return None
        self._perdoc.close()
        fieldwriter = self.codec.field_writer(self.storage, self._segment)
        blocklimit = self.codec._blocklimit
        inline_below = self.codec._inlinelimit if self.inline_directly else 0
        for fieldname in sorted(self._postings):
            table = self._postings[fieldname]
            if not table:
                continue
            field = self.schema[fieldname]
            lengths = self._lengths.get(fieldname)
            if lengths is not None:
                lengths.extend([0] * (self._docnum - len(lengths)))
            boost = field.format.field_boost
            fieldwriter.start_field(fieldname, field)
            field_key = pack_ushort(fieldwriter._fieldid)
            entries = fieldwriter._tindex
            for term in sorted(table):
                key = term.encode("utf-8") if isinstance(term, str) else term
                postings = table[term]
                if len(postings.ids) < inline_below:
                    entries.add(field_key + key, _inlined_entry(postings, lengths, boost))
                else:
                    _write_term(fieldwriter, key, postings, lengths, boost, blocklimit)
            fieldwriter.finish_field()
        fieldwriter.close()
        segment = self._segment
        segment.set_doc_count(self._docnum)
        self.segments.append(segment)
        log.debug("flushed segment %s: %d documents", segment.segment_id(), self._docnum)
        self._start()
        return segment

    def finish(self) -> list[Any]:
        """Flush what is pending and return every segment written."""
        self.flush()
        self._perdoc.close()
        return self.segments

    def discard(self) -> None:
        """Delete the files of every segment written (the caller will not commit them)."""
        if not self._perdoc.is_closed:
            self._perdoc.close()
        for segment in [*self.segments, self._segment]:
            for name in segment.list_files(self.storage):
                try:
                    self.storage.delete_file(name)
                except OSError:
                    log.warning("could not remove index file %s", name)
        self.segments = []


def _inlined_entry(postings: _TermPostings, lengths: array[int] | None, boost: float) -> bytes:
    """The term-table entry of a posting list short enough to be kept in it: the bytes
    `_write_term` has Whoosh's postings writer and term info make (the figures its
    `add_block` gathers, `_PostingsWriter.finish_postings`' empty values), made directly.
    Most terms of a small segment are such (one article's rare words), and their objects
    and method calls were a third of writing one."""
    ids = postings.ids
    weights = array("f", postings.freqs)
    if boost != 1.0:
        weights = array("f", (w * boost for w in weights))
    if lengths is not None:
        block_lengths = [lengths[d] for d in ids]
        minlength, maxlength = min(block_lengths) or None, max(block_lengths)
    else:
        minlength, maxlength = None, 0
    values = postings.values or [b""] * len(ids)
    info = (sum(weights), len(ids), minlength, maxlength, max(0, max(weights)), ids[0], ids[-1])
    return inlined_entry(info, ids, weights, values)


def _write_term(
    fieldwriter: Any,
    term: bytes,
    postings: _TermPostings,
    lengths: array[int] | None,
    boost: float,
    blocklimit: int,
) -> None:
    """One posting list, written block by block through Whoosh's postings writer."""
    fieldwriter.start_term(term)
    writer = fieldwriter._postwriter
    ids, freqs, values = postings.ids, postings.freqs, postings.values
    count = len(ids)
    for start in range(0, count, blocklimit):
        end = min(start + blocklimit, count)
        block_ids = ids[start:end]
        writer._ids = array("I", block_ids)
        weights = array("f", freqs[start:end])
        if boost != 1.0:
            weights = array("f", (w * boost for w in weights))
        writer._weights = weights
        writer._values = values[start:end] if values else []
        if lengths is not None:
            block_lengths = [lengths[d] for d in block_ids]
            writer._minlength = min(block_lengths) or None
            writer._maxlength = max(block_lengths)
        writer._maxweight = max(weights)
        if end < count:
            writer._write_block()
    fieldwriter.finish_term()


def delete_segment_files(storage: Storage, segments: Sequence[Any]) -> None:
    """Remove the files of segments that were written but will never be committed."""
    for segment in segments:
        for name in segment.list_files(storage):
            try:
                storage.delete_file(name)
            except OSError:
                log.warning("could not remove index file %s", name)


def add_documents(
    builder: SegmentBuilder,
    source: DocumentSource,
    ids: Sequence[int],
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Read the clippings from the archive in chunks and add the live ones to the builder;
    IndexBuildCancelled between clippings when `cancelled()` turns true (a fold in idle time
    stops for a catch-up within a clipping's time, not a chunk's seconds)."""
    added = 0
    for start in range(0, len(ids), READ_CHUNK):
        if cancelled():
            raise IndexBuildCancelled("the search index build was cancelled")
        chunk = ids[start : start + READ_CHUNK]
        documents = source.index_documents(chunk)
        for cid in chunk:
            doc = documents.get(cid)
            if doc is not None:
                if cancelled():
                    raise IndexBuildCancelled("the search index build was cancelled")
                builder.add_document(doc)
                added += 1
    return added
