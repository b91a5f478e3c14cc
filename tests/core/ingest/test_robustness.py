"""Nothing an editor drops makes a reader crash: arbitrary bytes, and damaged versions of
every format, end as a draft or as an IngestError naming the file, never another exception."""

from __future__ import annotations

import io

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipper.core.ingest.base import IngestError
from clipper.core.ingest.batch import read_bytes
from tests.helpers.documents import ARTICLE, corpus_page, make_email, make_pdf

PREFIXES = [
    b"",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"<!doctype html><html><body><p>",
    b"From: a@b.org\nSubject: x\nDate: Wed, 06 Dec 2023 18:30:00 +0100\n\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"# Heading\n\n",
]


def _read(data: bytes, name: str) -> None:
    try:
        draft = read_bytes(data, name, name)
    except IngestError as exc:
        assert str(exc).startswith(f"{name}: ")
    else:
        assert draft.body.strip() and draft.title.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), payload=st.binary(max_size=3000))
def test_arbitrary_bytes_become_a_draft_or_a_clear_error(prefix: bytes, payload: bytes) -> None:
    _read(prefix + payload, "dropped.bin")


def _docx() -> bytes:
    document = docx.Document()
    for paragraph in ARTICLE:
        document.add_paragraph(" ".join(paragraph))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SAMPLES = {
    "story.pdf": make_pdf(ARTICLE, title="Sahel juntas quit West African bloc"),
    "story.docx": _docx(),
    "story.eml": make_email("Sahel juntas quit", "\n\n".join(" ".join(p) for p in ARTICLE)),
    "story.html": corpus_page("7916ecca")[0].encode(),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(SAMPLES)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_documents_become_a_draft_or_a_clear_error(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(SAMPLES[name][: max(1, int(len(SAMPLES[name]) * cut))])
    for where, value in flips:
        data[min(len(data) - 1, int(where * len(data)))] = value
    _read(bytes(data), name)
