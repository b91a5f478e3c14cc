"""The plain-text reader: a title line when the text has one, the rest as paragraphs."""

from __future__ import annotations

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.text import clean_spaces, paragraphs

TITLE_MAX = 100


def decode_text(data: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{label}: not valid UTF-8 text")


def guess_title(first_paragraph: str) -> str:
    """The first sentence, cut at a word under TITLE_MAX characters."""
    sentence = first_paragraph.split(". ")[0].rstrip(".")
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[:TITLE_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def read_text(text: str, label: str, origin: str = "file") -> ClippingDraft:
    paras = paragraphs(clean_spaces(text))
    if not paras:
        raise IngestError(f"{label}: the text is empty")
    first = paras[0]
    # A short first paragraph with no sentence end is a headline.
    if len(paras) > 1 and len(first) <= 200 and not first.endswith((".", "!", "?", ":")):
        return ClippingDraft(title=first, body="\n\n".join(paras[1:]), origin=origin)
    return ClippingDraft(
        title=guess_title(first), title_guessed=True, body="\n\n".join(paras), origin=origin
    )
