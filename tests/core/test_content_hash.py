"""The exact-duplicate hash is stored (clippings.content_hash, unique): its normalization
must give what it always gave, whatever the text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from clipper.bench.corpus import NewsCorpus
from clipper.core.text import content_hash, normalize_body

_SPACES = re.compile(r"\s+")


def reference_normalize_body(body: str) -> str:
    """normalize_body as it was first written."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", body).casefold()).strip()


_SPACEY = st.lists(
    st.one_of(
        st.sampled_from(["\u00a0", "\u2009", "\u3000", "\x1c", "\x1f", "\x85", "\u2028", "\t"]),
        st.sampled_from(["\r\n", "\n\n", "  ", "\x0b", "\x0c", "\u200b", "\ufeff", "Ünïcode"]),
        st.text(max_size=4),
    ),
    max_size=60,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), _SPACEY))
def test_the_body_normalizes_as_it_always_did(body: str) -> None:
    assert normalize_body(body) == reference_normalize_body(body)


def test_the_bench_corpus_hashes_as_it_always_did() -> None:
    for article in NewsCorpus(7).articles(100):
        body = article.draft.body
        expected = hashlib.sha256(reference_normalize_body(body).encode("utf-8")).hexdigest()
        assert content_hash(body) == expected
