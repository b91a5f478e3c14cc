"""The batch driver: expand inputs (folders recursively), read each into a draft and store it.

A bad input becomes a per-item error and never stops the batch; each stored clipping is
committed on its own, so whatever returned is kept even if the process dies later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from clipper.core.archive import Archive, ArchiveError
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import MAX_INPUT_BYTES, ImportOutcome, IngestError, InputItem
from clipper.core.ingest.text import decode_text, read_text

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def expand_inputs(inputs: Iterable[str | Path | InputItem]) -> list[InputItem]:
    """Paths, URLs and items as a flat list; folders become their files, sorted, recursively."""
    items: list[InputItem] = []
    for value in inputs:
        if isinstance(value, InputItem):
            items.append(value)
            continue
        text = str(value)
        if text.startswith(("http://", "https://")):
            items.append(InputItem(label=text, url=text))
            continue
        path = Path(value)
        if path.is_dir():
            items.extend(
                InputItem(label=str(p), path=p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".")
            )
        else:
            items.append(InputItem(label=text, path=path))
    return items


def _read_bytes(item: InputItem) -> bytes:
    assert item.path is not None
    try:
        size = item.path.stat().st_size
    except FileNotFoundError:
        raise IngestError(f"{item.label}: no such file") from None
    except OSError as exc:
        raise IngestError(f"{item.label}: cannot read ({exc.strerror})") from None
    if size > MAX_INPUT_BYTES:
        raise IngestError(
            f"{item.label}: {size / 2**20:.0f} MB is over the {MAX_INPUT_BYTES // 2**20} MB limit"
        )
    if size == 0:
        raise IngestError(f"{item.label}: the file is empty")
    try:
        return item.path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{item.label}: cannot read ({exc.strerror})") from None


def read_item(item: InputItem) -> ClippingDraft:
    """Turn one input into a draft, or raise IngestError saying why it cannot be."""
    if item.text is not None:
        return read_text(item.text, item.label, origin="paste")
    if item.url is not None:
        raise IngestError(f"{item.label}: importing URLs is not supported yet")
    data = item.data if item.data is not None else _read_bytes(item)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(f"{item.label}: this is binary data, not text")
    draft = read_text(decode_text(data, item.label), item.label)
    draft.original = data
    draft.original_filename = item.path.name if item.path else None
    draft.original_media_type = "text/plain"
    return draft


def import_inputs(
    archive: Archive,
    inputs: Iterable[str | Path | InputItem],
    tags: Iterable[tuple[str, str]] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[ImportOutcome]:
    """Import each input in turn, yielding its outcome as soon as it is stored."""
    items = expand_inputs(inputs)
    tags = list(tags)
    for number, item in enumerate(items, start=1):
        if cancelled is not None and cancelled():
            return
        if progress is not None:
            progress(number, len(items), item.label)
        try:
            draft = read_item(item)
            if dry_run:
                yield ImportOutcome(item.label, ok=True, draft=draft)
                continue
            result = archive.add(draft, tags=tags)
        except (IngestError, ArchiveError) as exc:
            yield ImportOutcome(item.label, ok=False, error=str(exc))
            continue
        except Exception as exc:  # a reader bug must not stop the batch; it is logged in full
            log.exception("importing %s failed", item.label)
            yield ImportOutcome(item.label, ok=False, error=f"{item.label}: {exc}")
            continue
        yield ImportOutcome(
            item.label,
            ok=True,
            id=result.id,
            duplicate_of=result.duplicate_of,
            draft=draft,
            created=result.created,
        )
