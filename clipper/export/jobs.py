"""One export as plain data (`ExportRequest`) and the function that carries it out, so the
window's Export action runs the same code as `clipper export`, on a worker thread."""

from __future__ import annotations

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
    count = f"{len(ids)} clipping{'s' if len(ids) != 1 else ''}"
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
