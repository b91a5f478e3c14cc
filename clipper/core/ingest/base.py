"""The vocabulary of the import pipeline: an input item, an error a person can act on, and
the outcome of importing one item."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clipper.core.drafts import ClippingDraft
from clipper.core.views import OpChanges

# Nothing a newsroom clips is this big; a larger input is refused before it is read.
MAX_INPUT_BYTES = 50 * 1024 * 1024


class IngestError(Exception):
    """An input that cannot become a clipping; the message names the reason."""


@dataclass(frozen=True)
class InputItem:
    """One thing to import: a file, a URL, or text (pasted or dropped) with a label."""

    label: str
    path: Path | None = None
    url: str | None = None
    text: str | None = None
    data: bytes | None = None
    media_type: str | None = None
    # A scan's region to read (left, top, right, bottom in its pixels), cropped in the window.
    crop: tuple[int, int, int, int] | None = None


@dataclass
class ImportOutcome:
    """What became of one input: stored (or matched an existing clipping), or why not."""

    label: str
    ok: bool
    id: int | None = None
    duplicate_of: int | None = None
    error: str | None = None
    draft: ClippingDraft | None = None
    created: bool = False
    # How alike the body is to `duplicate_of`: 1.0 for an exact duplicate (same normalized
    # body), at least dedupe.NEAR_DUPLICATE_JACCARD for a near one (syndicated copy).
    similarity: float | None = None
    # What storing it changed in the archive (nothing for a dry run or a failure).
    changes: OpChanges = field(default_factory=OpChanges)
