"""The batch driver: expand inputs (folders recursively), read each into a draft, add the
archive's suggestions and duplicate checks, and store it.

A bad input becomes a per-item error and never stops the batch; each stored clipping is
committed on its own, so whatever returned is kept even if the process dies later.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import clipper.core.ingest.sniff as sniffing
from clipper.core.archive import Archive, ArchiveError
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.base import MAX_INPUT_BYTES, ImportOutcome, IngestError, InputItem
from clipper.core.ingest.decode import decode_bytes, printable
from clipper.core.ingest.pool import Read, read_in_order, workers_for
from clipper.core.ingest.suggest import archive_suggestions, find_duplicate, suggest
from clipper.core.paths import is_folder
from clipper.core.text import content_hash

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
_SURROGATES = re.compile("[\ud800-\udfff]")

_MEDIA_TYPE_OF_KIND = {
    sniffing.TEXT: "text/plain",
    sniffing.MARKDOWN: "text/markdown",
    sniffing.HTML: "text/html",
    sniffing.EMAIL: "message/rfc822",
    sniffing.PDF: "application/pdf",
    sniffing.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def expand_inputs(inputs: Iterable[str | Path | InputItem]) -> list[InputItem]:
    """Paths, URLs and items as a flat list; folders become their files, sorted, recursively.

    Labels are what messages print, so a name's newlines, escape sequences and right-to-left
    overrides are escaped in them (the path itself is untouched)."""
    items: list[InputItem] = []
    for value in inputs:
        if isinstance(value, InputItem):
            label = printable(value.label)
            items.append(value if label == value.label else replace(value, label=label))
            continue
        text = str(value)
        if text.startswith(("http://", "https://")):
            items.append(InputItem(label=printable(text), url=text))
            continue
        path = Path(value)
        if is_folder(path):
            items.extend(
                InputItem(label=printable(str(p)), path=p)
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            items.append(InputItem(label=printable(text), path=path))
    return items


def _read_bytes(item: InputItem) -> bytes:
    assert item.path is not None
    try:
        size = item.path.stat().st_size
    except FileNotFoundError:
        raise IngestError(f"{item.label}: no such file") from None
    except OSError as exc:
        raise IngestError(f"{item.label}: cannot read ({exc.strerror})") from None
    except ValueError:  # a NUL byte: no file can have that name
        raise IngestError(f"{item.label}: not a file name") from None
    if not item.path.is_file():
        raise IngestError(f"{item.label}: not a file")
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


def read_bytes(
    data: bytes,
    label: str,
    name: str | None = None,
    media_type: str | None = None,
    url: str | None = None,
    origin: str = "file",
    ocr: str = "auto",
    crop: tuple[int, int, int, int] | None = None,
) -> ClippingDraft:
    """Sniff the bytes and hand them to the reader for their kind; `ocr` "force" reads the
    scans of PDF pages that have a text layer too; `crop` is the region of a scan to read."""
    from clipper.core.ingest.documents import read_docx, read_pdf
    from clipper.core.ingest.email import read_email
    from clipper.core.ingest.html import read_html
    from clipper.core.ingest.ocr import read_image
    from clipper.core.ingest.text import read_text

    if not data.strip():
        raise IngestError(f"{label}: the file is empty")
    if len(data) > MAX_INPUT_BYTES:
        raise IngestError(f"{label}: over the {MAX_INPUT_BYTES // 2**20} MB limit")
    try:
        kind = sniffing.sniff(data, name, media_type)
    except sniffing.Refused as exc:
        raise IngestError(f"{label}: {exc}") from None
    if kind == sniffing.PDF:
        draft = read_pdf(data, label, force_ocr=ocr == "force")
    elif kind == sniffing.IMAGE:
        draft = read_image(data, label, crop=crop)
    elif kind == sniffing.DOCX:
        draft = read_docx(data, label)
    elif kind == sniffing.EMAIL:
        draft = read_email(data, label)
    elif kind == sniffing.HTML:
        draft = read_html(data, label, url=url, origin=origin)
    else:
        text = decode_bytes(data, label)
        draft = read_text(text, label, origin=origin, markdown=True if kind == "markdown" else None)
    if origin != "file" and draft.origin == "file":
        draft.origin = origin
    if url and not draft.url:
        draft.url = url
    draft.original = data
    # A name with bytes that are not UTF-8 (os.fsdecode's surrogates) cannot be stored as
    # text: those bytes become U+FFFD in the stored name.
    draft.original_filename = _SURROGATES.sub("\ufffd", name) if name else name
    draft.original_media_type = (
        _MEDIA_TYPE_OF_KIND.get(kind) or draft.original_media_type or media_type
    )
    return draft


def read_item(item: InputItem, ocr: str = "auto") -> ClippingDraft:
    """Turn one input into a draft with its suggestions, or raise IngestError saying why not."""
    from clipper.core.ingest.html import read_html
    from clipper.core.ingest.text import read_text
    from clipper.core.ingest.url import fetch

    media_type = (item.media_type or "").split(";")[0].strip().lower() or None
    if item.text is not None and item.data is None:
        if not item.text.strip():
            raise IngestError(f"{item.label}: the text is empty")
        if media_type in ("text/html", "application/xhtml+xml"):
            draft = read_html(item.text, item.label, url=item.url, origin="paste")
            draft.original_media_type = "text/html"
        else:
            draft = read_text(item.text, item.label, origin="paste")
            draft.original_media_type = "text/plain"
        draft.original = item.text.encode("utf-8")
    elif item.data is not None:
        if item.path is None and not item.data.strip():
            raise IngestError(f"{item.label}: the text is empty")  # as for pasted text
        draft = read_bytes(
            item.data,
            item.label,
            item.path.name if item.path else None,
            media_type,
            url=item.url,
            origin="paste" if item.path is None else "file",
            ocr=ocr,
            crop=item.crop,
        )
    elif item.path is not None:
        draft = read_bytes(
            _read_bytes(item), item.label, item.path.name, media_type, ocr=ocr, crop=item.crop
        )
    elif item.url is not None:
        fetched = fetch(item.url)
        name = fetched.url.rstrip("/").rsplit("/", 1)[-1] or None
        draft = read_bytes(
            fetched.data,
            item.label,
            name,
            fetched.media_type,
            url=fetched.url,
            origin="url",
            ocr=ocr,
        )
        draft.url = item.url if draft.url is None else draft.url
    else:
        raise IngestError(f"{item.label}: nothing to import")
    suggest(draft)
    return draft


def import_inputs(
    archive: Archive,
    inputs: Iterable[str | Path | InputItem],
    tags: Iterable[tuple[str, str]] = (),
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    ocr: str = "auto",
    workers: int | None = None,
) -> Iterator[ImportOutcome]:
    """Import each input in turn, yielding its outcome as soon as it is stored. `ocr`: "auto"
    reads scans and the PDF pages without text, "force" every PDF page's scans too.
    `workers`: processes reading inputs ahead of the one being stored (None: one per core
    for a batch of a few items or more; 0: none, everything in this process)."""
    items = expand_inputs(inputs)
    tags = list(tags)
    count = workers_for(len(items), workers)
    reads: Generator[tuple[InputItem, Read | None], None, None] = (
        read_in_order(items, read_item, ocr, count) if count else ((i, None) for i in items)
    )
    with contextlib.closing(reads):
        for number, (item, read) in enumerate(reads, start=1):
            if cancelled is not None and cancelled():
                return
            if progress is not None:
                progress(number, len(items), item.label)
            yield _import_one(archive, item, read, tags, dry_run, ocr)


def _import_one(
    archive: Archive,
    item: InputItem,
    read: Read | None,
    tags: list[tuple[str, str]],
    dry_run: bool,
    ocr: str,
) -> ImportOutcome:
    """One input's outcome: its draft (read here, or by a worker: `read`) checked against
    the archive and stored."""
    if read is not None and read.draft is None:
        if read.trace:
            log.error("importing %s failed\n%s", item.label, read.trace)
        return ImportOutcome(item.label, ok=False, error=read.error)
    try:
        draft = read.draft if read is not None and read.draft else read_item(item, ocr=ocr)
        archive_suggestions(archive, draft)
        duplicate = find_duplicate(archive, draft)
        if dry_run:
            return ImportOutcome(
                item.label,
                ok=True,
                draft=draft,
                duplicate_of=duplicate[0] if duplicate else None,
                similarity=duplicate[1] if duplicate else None,
            )
        result = archive.add(draft, tags=tags)
    except (IngestError, ArchiveError) as exc:
        return ImportOutcome(item.label, ok=False, error=str(exc))
    except Exception as exc:  # a reader bug must not stop the batch; it is logged in full
        log.exception("importing %s failed", item.label)
        return ImportOutcome(item.label, ok=False, error=f"{item.label}: {exc}")
    duplicate_of, similarity = result.duplicate_of, None
    if duplicate_of is not None:
        similarity = 1.0
    elif duplicate is not None:
        duplicate_of, similarity = duplicate
    return ImportOutcome(
        item.label,
        ok=True,
        id=result.id,
        duplicate_of=duplicate_of,
        draft=draft,
        created=result.created,
        similarity=similarity,
        changes=result.changes,
    )


def exact_duplicate(archive: Archive, body: str) -> int | None:
    ids = archive.clipping_ids_with_hash(content_hash(body))
    return min(ids) if ids else None
