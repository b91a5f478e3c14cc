"""The import pipeline: sniff what came in, read it into a `ClippingDraft`, clean it, suggest
tags, and store it. `import_inputs` is the one batch driver behind `clipper import` and the
window's drop target.
"""

from __future__ import annotations

from clipper.core.ingest.base import MAX_INPUT_BYTES, ImportOutcome, IngestError, InputItem
from clipper.core.ingest.batch import expand_inputs, import_inputs, read_item

__all__ = [
    "MAX_INPUT_BYTES",
    "ImportOutcome",
    "IngestError",
    "InputItem",
    "expand_inputs",
    "import_inputs",
    "read_item",
]
