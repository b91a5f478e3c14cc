"""The import pipeline: sniff what came in, read it into a `ClippingDraft`, clean it, suggest
tags, and store it. `import_inputs` is the one batch driver behind `clipper import` and the
window's drop target.

The batch names are loaded on first use, so that the archive can use the pure modules here
(`minhash`) without importing itself back through `batch`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clipper.core.ingest.base import MAX_INPUT_BYTES, ImportOutcome, IngestError, InputItem

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name in ("expand_inputs", "import_inputs", "read_item"):
        from clipper.core.ingest import batch

        return getattr(batch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
