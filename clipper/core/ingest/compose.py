"""From cleaned text and whatever metadata a reader found to a `ClippingDraft`: the title
(found, or guessed from the first sentence and marked so), source, author, date, language.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.clean import CleanResult, fold, is_prose, name_key, words

log = logging.getLogger(__name__)

TITLE_MAX = 100
# A text without one sentence of prose is still an article when it is this long: a list of
# links a blogger annotated, a programme, a poem. Shorter, it is a page's leftover chrome.
MIN_WORDS_WITHOUT_PROSE = 50
_SENTENCE = re.compile(r"(?<=[.!?])[\"”»’)]*\s+(?=[\"“«‘(]?[A-ZÀ-Ý0-9])")
_CONSENT = re.compile(
    r"\b(?:cookies?|consent|consentement|privacy (?:settings|policy|preferences)|accept all"
    r"|reject all|tout accepter|tout refuser|accepter|personaliser|personnaliser|partners?"
    r"|partenaires|tracking|traceurs|gdpr|rgpd|vendors?)\b"
)


@dataclass
class Metadata:
    """What a reader learned outside the text itself (page metadata, e-mail headers)."""

    title: str | None = None
    source: str | None = None
    author: str | None = None
    published: dt.date | None = None
    language: str | None = None
    url: str | None = None
    standfirst: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def guess_title(first_paragraph: str) -> str:
    """The first sentence, cut at a word to stay under TITLE_MAX characters."""
    sentence = _SENTENCE.split(first_paragraph.strip(), maxsplit=1)[0].strip()
    sentence = sentence.rstrip(".")
    if len(sentence) < TITLE_MAX:
        return sentence
    cut = sentence[: TITLE_MAX - 2]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def detect_language(text: str) -> str | None:
    """The language of a text as an ISO 639-1 code, or None when it is too short to tell."""
    sample = text[:3000]
    if len(words(sample)) < 5:
        return None
    import py3langid  # loads its model on first use; keep it off the import path

    language, _score = py3langid.classify(sample)
    return str(language)


def is_consent_wall(paragraphs: list[str]) -> bool:
    """A 'page' that is only a cookie or consent banner."""
    text = " ".join(paragraphs)
    count = len(words(text))
    hits = len(_CONSENT.findall(fold(text)))
    return count < 400 and hits >= 3 and hits * 12 >= count


def build_draft(
    cleaned: CleanResult, label: str, origin: str, meta: Metadata | None = None
) -> ClippingDraft:
    """The draft for an article, or IngestError when there is no article in it."""
    meta = meta or Metadata()
    paragraphs = list(cleaned.paragraphs)
    title = meta.title or cleaned.title
    if title:
        title = " ".join(title.split())
        key = name_key(title)
        # Extractors often keep the headline as the body's first line.
        while paragraphs and name_key(paragraphs[0]) == key:
            paragraphs.pop(0)
    standfirst = meta.standfirst or cleaned.standfirst
    if standfirst:
        standfirst_key = name_key(standfirst)
        if paragraphs and name_key(paragraphs[0]) == standfirst_key:
            paragraphs.pop(0)
    if not paragraphs:
        raise IngestError(f"{label}: no article text found")
    if is_consent_wall(paragraphs):
        raise IngestError(f"{label}: the page is only a cookie or consent notice, no article")
    if not any(is_prose(p) for p in paragraphs) and len(words(" ".join(paragraphs))) < (
        MIN_WORDS_WITHOUT_PROSE
    ):
        raise IngestError(f"{label}: no article text found (only short lines, no prose)")
    body = "\n\n".join(paragraphs)
    guessed = False
    if not title:
        title = guess_title(paragraphs[0])
        guessed = True
    extra = dict(cleaned.extra)
    extra.update(meta.extra)
    # A wire dateline ("LONDON (AP) —") names who wrote the story; the site that carried it
    # (or the aggregator the text was copied from) is kept beside it.
    source = cleaned.wire_source or meta.source or cleaned.source
    carrier = meta.source or cleaned.source
    if cleaned.wire_source and carrier and carrier != source:
        extra.setdefault("published_by", carrier)
    return ClippingDraft(
        title=title,
        title_guessed=guessed,
        body=body,
        standfirst=standfirst,
        source=source,
        author=meta.author or cleaned.author,
        url=meta.url,
        published=meta.published or cleaned.published,
        language=meta.language or detect_language(body),
        origin=origin,
        extra=extra,
        related_refs=_unique(cleaned.references),
    )


def _unique(headlines: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for headline in headlines:
        key = name_key(headline)
        if key and key not in seen:
            seen.add(key)
            result.append(headline)
    return result
