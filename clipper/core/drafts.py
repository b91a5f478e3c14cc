"""`ClippingDraft`: what the import pipeline produces and the archive stores. Plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Suggestion:
    """A suggested region or topic, best first in a draft's lists."""

    name: str
    code: str | None = None
    score: float = 0.0
    # Why it is suggested, for the editor: the words found, the similar clippings, the rule.
    evidence: str = ""


@dataclass
class ClippingDraft:
    """A clipping that is not stored yet: the output of every reader, the input of `Archive.add`."""

    title: str
    body: str
    title_guessed: bool = False
    standfirst: str = ""
    source: str | None = None
    author: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_precision: str = "day"
    language: str | None = None
    origin: str = "file"
    extra: dict[str, object] = field(default_factory=dict)
    # The original bytes and how they came, kept alongside the clean text.
    original: bytes | None = None
    original_filename: str | None = None
    original_media_type: str | None = None
    # Suggestions: shown to the editor, never applied without being asked.
    regions: list[Suggestion] = field(default_factory=list)
    topics: list[Suggestion] = field(default_factory=list)
    related_refs: list[str] = field(default_factory=list)
