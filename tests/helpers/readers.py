"""Readers for the reading pool's tests: module-level functions, so the pool's worker
processes (started with "spawn") can import them by name."""

from __future__ import annotations

import os

from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import InputItem
from clipper.core.ingest.batch import read_item


def dying_reader(item: InputItem, ocr: str) -> ClippingDraft:
    """`read_item`, except that an item labelled with "die" ends its process at once, as a
    reader crashing the interpreter or the system killing it for memory would."""
    if "die" in item.label:
        os._exit(70)
    return read_item(item, ocr)
