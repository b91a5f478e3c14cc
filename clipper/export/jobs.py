"""One export or digest as plain data (`ExportRequest`, `DigestRequest`) and the functions
that carry it out, so the window's Export and Digest run the same code as `clipper export`
and `clipper digest` (in a child process of the app: `clipper.ui.export_worker`)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from clipper.core.archive import Archive
from clipper.export.common import (
    ExportError,
    IsCancelled,
    Progress,
    never_cancelled,
    no_progress,
)

FORMATS = {
    "pdf": "PDF clipping book",
    "json": "JSON (re-importable with Clipper)",
    "markdown-folder": "Markdown, one file per clipping",
    "markdown-file": "Markdown, one file",
    "csv": "CSV of the metadata",
}
EXTENSIONS = {"pdf": ".pdf", "json": ".json", "markdown-folder": "", "markdown-file": ".md",
              "csv": ".csv"}  # fmt: skip


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    path: Path
    clipping_ids: tuple[int, ...]
    title: str
    group_by: str = "none"
    paper: str = "a4"
    # A line for a book's cover (a dossier's description).
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FORMATS:
            raise ValueError(f"unknown export format {self.kind!r}")


@dataclass(frozen=True)
class DigestRequest:
    """A saved search's new clippings in a period, as a PDF book or one HTML page."""

    name: str
    period: str  # "" (since the search was last opened), or what parse_since reads: 7d
    kind: str  # pdf or html
    path: Path
    group_by: str = "region"


@dataclass(frozen=True)
class ExportOutcome:
    """What an export wrote, in words for the user, and how long it took."""

    path: Path
    summary: str
    seconds: float
    pages: int | None = None


def run_export(
    archive: Archive,
    request: ExportRequest,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> ExportOutcome:
    """Carry out one export; raises ExportError (ExportCancelled when cancelled)."""
    if not request.clipping_ids:
        raise ExportError("there is nothing to export")
    started = time.perf_counter()
    ids = list(request.clipping_ids)
    count = _clippings(len(ids))
    pages = None
    if request.kind == "pdf":
        from clipper.export.book import BookOptions
        from clipper.export.pdf import write_pdf_book

        options = BookOptions(
            request.title,
            group_by=request.group_by,
            paper=request.paper,
            description=request.description,
        )
        book = write_pdf_book(archive, ids, request.path, options, progress, is_cancelled)
        pages = book.page_count
        summary = f"{count} ({book.page_count} pages)"
        if book.unprintable:
            scripts = sorted({s for found in book.unprintable.values() for s in found})
            summary += (
                f". {len(book.unprintable)} clipping(s) use characters no installed font can "
                f"show ({', '.join(scripts)}); they print as boxes"
            )
    elif request.kind == "json":
        from clipper.export.json_export import write_json_export

        result = write_json_export(archive, request.path, ids, progress, is_cancelled)
        summary = f"{count}, {result.links} link(s), {result.dossiers} dossier(s)"
    elif request.kind == "csv":
        from clipper.export.csv_export import write_csv

        write_csv(archive, request.path, ids, progress, is_cancelled)
        summary = count
    else:
        from clipper.export import markdown_export

        write = (
            markdown_export.write_markdown_files
            if request.kind == "markdown-folder"
            else markdown_export.write_markdown_book
        )
        write(archive, request.path, ids, request.title, progress, is_cancelled)
        summary = count
    return ExportOutcome(request.path, summary, time.perf_counter() - started, pages)


def write_digest(
    archive: Archive,
    request: DigestRequest,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> ExportOutcome:
    """Select the digest's clippings and write them; ExportError when there is nothing new in
    the period."""
    from clipper.core.monitor import Monitor, parse_since
    from clipper.export.digest import DigestOptions, write_digest_html, write_digest_pdf

    started = time.monotonic()
    monitor = Monitor(archive)
    search = monitor.saved_search(request.name)
    since = parse_since(request.period) if request.period else search.opened_at
    ids = monitor.digest_ids(request.name, since)
    local = since.replace(tzinfo=dt.UTC).astimezone()
    if not ids:
        raise ExportError(
            f"nothing is new in {request.name} since {local:%Y-%m-%d %H:%M}: no digest written"
        )
    options = DigestOptions(
        title=f"{search.name}: digest", since=since, query=search.query, group_by=request.group_by
    )
    if request.kind == "pdf":
        result = write_digest_pdf(archive, ids, request.path, options, progress, is_cancelled)
        summary = f"{_clippings(result.clippings)} ({result.pages} pages)"
    else:
        result = write_digest_html(archive, ids, request.path, options)
        summary = _clippings(result.clippings)
    return ExportOutcome(result.path, summary, time.monotonic() - started, result.pages)


def carry_out(
    archive: Archive,
    request: ExportRequest | DigestRequest,
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> ExportOutcome:
    """An export or a digest, whichever `request` asks for."""
    if isinstance(request, DigestRequest):
        return write_digest(archive, request, progress, is_cancelled)
    return run_export(archive, request, progress, is_cancelled)


def _clippings(count: int) -> str:
    return f"{count:,} clipping{'s' if count != 1 else ''}"
