"""The bulk segment builder writes what Whoosh's own writer would: the same documents, terms,
postings and scores through Whoosh's own searcher. This pins down the private Whoosh APIs the
builder and the codec use (whoosh-reloaded is pinned to 2.7.5)."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.query import And, Phrase, Term

from clipper.bench.corpus import TOPICS, NewsCorpus
from clipper.core.search.analysis import WORDS, words
from clipper.core.search.codec import (
    INLINE_LIMIT,
    ClipperCodec,
    compact_block,
    compact_weights,
    dumps,
)
from clipper.core.search.engine import read_posting_arrays, read_values
from clipper.core.search.schema import build_schema, document_fields
from clipper.core.search.segments import SegmentBuilder
from clipper.core.views import IndexDocument


def documents(count: int) -> list[IndexDocument]:
    corpus = NewsCorpus(seed=3, tail_words=2000)
    made = []
    for number, article in enumerate(corpus.articles(count), start=1):
        draft = article.draft
        made.append(
            IndexDocument(
                id=number,
                title=draft.title,
                standfirst=draft.standfirst,
                body=draft.body,
                source=draft.source,
                author=draft.author,
                published=draft.published,
                language=draft.language,
                topic_ids=tuple(TOPICS.index(n) + 1 for k, n in article.tags if k == "topic"),
                region_ids=tuple(100 + len(n) for k, n in article.tags if k == "region"),
                tag_names=tuple(n for _k, n in article.tags),
                notes=("a note about Goïta",) if number % 7 == 0 else (),
            )
        )
    return made


@pytest.mark.slow
def test_the_builder_writes_what_whooshs_writer_writes(tmp_path: Path) -> None:
    docs = documents(150)
    (tmp_path / "writer").mkdir()
    (tmp_path / "builder").mkdir()
    by_writer = whoosh_index.create_in(str(tmp_path / "writer"), build_schema())
    writer = by_writer.writer(codec=ClipperCodec())
    for doc in docs:
        writer.add_document(**document_fields(doc))
    writer.commit()

    by_builder = whoosh_index.create_in(str(tmp_path / "builder"), build_schema())
    # A small flush threshold, so several segments are written and merged by Whoosh below.
    builder = SegmentBuilder(by_builder.storage, by_builder.indexname, by_builder.schema,
                             max_postings=20_000)  # fmt: skip
    for doc in docs:
        builder.add_document(doc)
    segments = builder.finish()
    assert len(segments) > 1
    commit = by_builder.writer(codec=ClipperCodec())
    commit._close_segment()
    commit._commit_toc(segments)
    commit._finish()

    rng = random.Random(5)
    with by_writer.searcher() as expected, by_builder.searcher() as actual:
        assert actual.doc_count() == expected.doc_count() == len(docs)
        assert set(actual.lexicon("content")) == set(expected.lexicon("content"))
        assert set(actual.lexicon("words")) == set(expected.lexicon("words"))
        assert set(actual.lexicon("titlewords")) == set(expected.lexicon("titlewords"))
        for _ in range(120):
            doc = rng.choice(docs)
            found = words(doc.body)
            i = rng.randrange(len(found) - 2)
            lang = "fr" if doc.language == "fr" else "en"
            stems = [WORDS.term(w, lang) for w in found[i : i + 2]]
            for query in (
                Term("content", stems[0]),
                Phrase("content", stems),
                Term("words", found[i]),
                And([Term("content", stems[0]), Term("topic", str(doc.topic_ids[0]))]),
                Term("srckey", (doc.source or "").lower()),
            ):
                want = expected.search(query, limit=None)
                got = actual.search(query, limit=None)
                assert sorted(h["id"] for h in got) == sorted(h["id"] for h in want), query
                assert sorted(round(h.score, 4) for h in got) == sorted(
                    round(h.score, 4) for h in want
                ), query

    # Merging the builder's segments with Whoosh's own merge keeps everything.
    merger = by_builder.writer(codec=ClipperCodec())
    merger.commit(optimize=True)
    with by_builder.searcher() as merged:
        assert merged.doc_count() == len(docs)
        assert len(merged.search(Term("content", WORDS.term("goita", "fr")), limit=None)) > 0


def test_short_posting_lists_are_inlined_and_read_back(tmp_path: Path) -> None:
    docs = documents(40)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    builder = SegmentBuilder(ix.storage, ix.indexname, ix.schema)
    for doc in docs:
        builder.add_document(doc)
    segments = builder.finish()
    writer = ix.writer(codec=ClipperCodec())
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        rare = [t for t in reader.lexicon("content") if reader.doc_frequency("content", t) == 1]
        common = [
            t
            for t in reader.lexicon("content")
            if reader.doc_frequency("content", t) > INLINE_LIMIT
        ]
        assert rare and common
        for term in (rare[0], common[0]):
            info = reader._terms.term_info("content", term)
            assert info.is_inlined() == (term in rare)
            hits = searcher.search(Term("content", term.decode()), limit=None)
            assert len(hits) == reader.doc_frequency("content", term)
            assert all(h["id"] for h in hits)


def test_short_posting_lists_written_directly_are_the_bytes_whooshs_writer_makes(
    tmp_path: Path,
) -> None:
    """`_inlined_entry` makes an inlined term's entry without Whoosh's postings writer: every
    file of the segment is the same, byte for byte, as through the writer."""
    docs = documents(60)
    files: dict[bool, dict[str, bytes]] = {}
    for directly in (True, False):
        folder = tmp_path / str(directly)
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema())
        builder = SegmentBuilder(ix.storage, ix.indexname, ix.schema)
        builder.inline_directly = directly
        for doc in docs:
            builder.add_document(doc)
        (segment,) = builder.finish()
        prefix = segment.segment_id()
        files[directly] = {
            path.name.removeprefix(prefix): path.read_bytes()
            for path in folder.iterdir()
            if path.name.startswith(prefix)
        }
    assert ".trm" in files[True] and len(files[True]) > 3
    assert files[True] == files[False]


def test_packed_blocks_read_back_as_whooshs_own_blocks(tmp_path: Path) -> None:
    """Every posting (id, weight, positions) of the packed blocks reads back through
    Whoosh's own matchers as the stock codec's blocks do, in much less room."""
    docs = documents(300)
    (tmp_path / "stock").mkdir()
    (tmp_path / "packed").mkdir()
    stock = whoosh_index.create_in(str(tmp_path / "stock"), build_schema())
    writer = stock.writer(codec=W3Codec(compression=0))
    for doc in docs:
        writer.add_document(**document_fields(doc))
    writer.commit()
    packed = whoosh_index.create_in(str(tmp_path / "packed"), build_schema())
    builder = SegmentBuilder(packed.storage, packed.indexname, packed.schema)
    for doc in docs:
        builder.add_document(doc)
    commit = packed.writer(codec=ClipperCodec())
    commit._close_segment()
    commit._commit_toc(builder.finish())
    commit._finish()

    def postings(reader: object, field: str, term: bytes) -> list[tuple[int, float, bytes]]:
        matcher = reader.postings(field, term)  # type: ignore[attr-defined]
        found = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
        return found

    many_blocks = False
    with stock.reader() as want, packed.reader() as got:
        for field in ("content", "words", "title", "titlewords", "topic"):
            terms = list(want.lexicon(field))
            assert terms and terms == list(got.lexicon(field))
            for term in terms:
                expected = postings(want, field, term)
                actual = postings(got, field, term)
                assert [(d, w) for d, w, _v in actual] == [(d, w) for d, w, _v in expected]
                if field in ("content", "title"):
                    assert [v for *_dw, v in actual] == [v for *_dw, v in expected]
                # The engine's own block reader takes both layouts alike (an index keeps its
                # older blocks until they are rebuilt).
                text = term.decode("utf-8")
                ids, weights = read_posting_arrays(got, field, text)
                want_ids, want_weights = read_posting_arrays(want, field, text)
                assert ids.tolist() == want_ids.tolist() == [d for d, _w, _v in expected]
                assert weights.tolist() == want_weights.tolist() == [w for _d, w, _v in expected]
                if field in ("content", "title"):
                    values = read_values(got, field, text, ids)
                    assert values.values == [v for *_dw, v in expected]
                    # Asked for some documents, the blocks of the others may go unread.
                    some = read_values(got, field, text, ids[::7])
                    assert some.values == [v for *_dw, v in expected[::7]]
                    # The last two only: a word in more than a block skips the blocks before.
                    for reader in (got, want):
                        tail = read_values(reader, field, text, ids[-2:])
                        assert tail.values == [v for *_dw, v in expected[-2:]]
                    many_blocks = many_blocks or len(ids) > 128
    assert many_blocks  # the corpus has a word in several blocks
    size = {name: sum(p.stat().st_size for p in (tmp_path / name).iterdir()) for name in
            ("stock", "packed")}  # fmt: skip
    assert size["packed"] < 0.6 * size["stock"], size


def test_block_parts_pack_and_unpack() -> None:
    assert compact_weights([1.0, 1.0]) is None
    assert compact_weights([3.0, 3.0]) == 3.0
    counts = compact_weights([1.0, 2.0, 300.0])
    assert counts.typecode == "H" and list(counts) == [1, 2, 300]
    assert list(compact_weights([1.0, 2.5])) == [1.0, 2.5]
    values = tuple(bytes([n]) * (n % 5) for n in range(40))
    block = compact_block(list(range(5, 45)), [float(n % 3 + 1) for n in range(40)], values)
    deltas, weights, read = pickle.loads(dumps(block))
    assert deltas.typecode == "B" and list(deltas) == [5] + [1] * 39
    assert list(weights) == [n % 3 + 1 for n in range(40)]
    assert read == values
    # Far ids take a wider type; fixed-size formats' values (None, or bytes) pass through.
    deltas, weights, read = pickle.loads(dumps(compact_block([7, 70_000], [1.0, 1.0], None)))
    assert deltas.typecode == "I" and list(deltas) == [7, 69_993]
    assert weights is None and read is None
    # The function is named by a two-byte code, not by its module and name.
    assert b"unpack_block" not in dumps(block)
