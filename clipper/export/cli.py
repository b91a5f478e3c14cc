"""The command-line side of exports: `clipper export`, `backup`, `restore`, and importing a
Clipper JSON export through `clipper import`. Called from `clipper.cli`, which owns the parser.

Exit codes as in `clipper.cli`: 0 done, 1 the export or restore failed, 2 bad usage (no such
dossier, bad ids, malformed query, an archive that would be overwritten without --force).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from clipper.core.archive import Archive, ArchiveError
from clipper.core.paths import ArchiveLocation, is_file
from clipper.export.common import ExportError, Progress
from clipper.export.selection import (
    DEFAULT_QUERY_LIMIT,
    Selection,
    parse_ids,
    select_all,
    select_dossier,
    select_ids,
    select_query,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

log = logging.getLogger(__name__)


def _fail(message: str, code: int) -> int:
    print(f"clipper: {message}", file=sys.stderr)
    return code


def _terminal_progress() -> Progress:
    """A progress line on stderr when someone watches; silent in scripts and pipes."""
    if not sys.stderr.isatty():
        return lambda done, total, what: None

    def show(done: int, total: int, what: str) -> None:
        end = "\n" if done == total and what == "writing pages" else ""
        print(f"\r{what}: {done}/{total}\033[K", end=end, file=sys.stderr, flush=True)

    return show


def _selection(args: argparse.Namespace, archive: Archive) -> Selection | None:
    if args.ids:
        return select_ids(archive, parse_ids(args.ids))
    if args.dossier:
        return select_dossier(archive, args.dossier)
    if args.query:
        if args.limit < 1:
            raise ExportError("--limit must be at least 1")
        return select_query(archive, args.query, args.limit)
    return None


def export_command(args: argparse.Namespace, location: ArchiveLocation) -> int:
    """`clipper export`: any of --pdf, --json, --markdown, --csv over one selection."""
    for option in ("pdf", "json", "markdown", "csv"):
        # An empty name would mean the current folder, or be skipped without a word.
        if getattr(args, option) is not None and not getattr(args, option).strip():
            return _fail(f"--{option} needs a file name", EXIT_USAGE)
    if not (args.pdf or args.json or args.markdown or args.csv):
        return _fail("say what to write: --pdf FILE, --json FILE, --markdown PATH or --csv FILE", 2)
    if args.pdf and not (args.ids or args.dossier or args.query):
        return _fail("a PDF book needs --query, --ids or --dossier", 2)
    progress = _terminal_progress()
    with Archive(location) as archive:
        try:
            chosen = _selection(args, archive)
        except ExportError as exc:
            return _fail(str(exc), EXIT_USAGE)
        selection = chosen or select_all(archive)
        title = args.title or selection.title
        try:
            if args.json:
                from clipper.export.json_export import write_json_export

                # No selection: the whole archive, trash and tag trees included.
                ids = None if chosen is None else selection.ids
                result = write_json_export(archive, args.json, ids, progress)
                print(
                    f"wrote {args.json}: {result.clippings} clipping(s), {result.links} link(s), "
                    f"{result.dossiers} dossier(s), {result.tags} tag(s)"
                )
            if args.csv:
                from clipper.export.csv_export import write_csv

                rows = write_csv(archive, args.csv, selection.ids, progress).rows
                print(f"wrote {args.csv}: {rows} row(s)")
            if args.markdown:
                from clipper.export import markdown_export

                write = (
                    markdown_export.write_markdown_book
                    if args.one_file
                    else markdown_export.write_markdown_files
                )
                written = write(archive, args.markdown, selection.ids, title, progress)
                print(f"wrote {args.markdown}: {written.clippings} clipping(s)")
            if args.pdf:
                from clipper.export.book import BookOptions
                from clipper.export.pdf import write_pdf_book

                options = BookOptions(
                    title=title,
                    group_by=args.group_by,
                    paper=args.paper,
                    description=selection.description,
                )
                book = write_pdf_book(archive, selection.ids, args.pdf, options, progress)
                for clipping_id, scripts in book.unprintable.items():
                    print(
                        f"warning: clipping #{clipping_id} has characters no installed font can "
                        f"show ({', '.join(scripts)}); they print as boxes",
                        file=sys.stderr,
                    )
                print(
                    f"wrote {args.pdf}: {book.clipping_count} clipping(s), "
                    f"{book.page_count} page(s) in {book.seconds:.1f}s"
                )
        except ExportError as exc:
            return _fail(str(exc), EXIT_FAILED)
    return EXIT_OK


def backup_command(args: argparse.Namespace, location: ArchiveLocation) -> int:
    from clipper.export.backup import write_backup

    if not args.file.strip():
        return _fail("give the backup a file name (FILE is empty)", EXIT_USAGE)
    try:
        result = write_backup(location, args.file)
    except ExportError as exc:
        return _fail(str(exc), EXIT_FAILED)
    counts = result.manifest.get("counts", {})
    print(
        f"backed up {location.home} to {args.file}: {counts.get('clippings', 0)} clipping(s), "
        f"{counts.get('originals', 0)} original(s)"
    )
    return EXIT_OK


def restore_command(args: argparse.Namespace) -> int:
    from clipper.export.backup import ArchiveExists, restore_backup

    if not args.folder.strip():
        # Path("") is the current folder: an archive would land wherever the shell stands.
        return _fail("give the folder to restore into (DIR is empty)", EXIT_USAGE)
    try:
        result = restore_backup(args.file, args.folder, force=args.force)
    except ArchiveExists as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ExportError as exc:
        return _fail(str(exc), EXIT_FAILED)
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    # What the restored database holds, read from it; the manifest only claims.
    counts = result.counts
    claimed = result.manifest.get("counts")
    if isinstance(claimed, dict) and any(
        claimed.get(table) != counts.get(table) for table in ("clippings", "originals")
    ):
        print(
            f"warning: the backup's manifest claims {str(claimed.get('clippings'))[:20]} "
            f"clipping(s) and {str(claimed.get('originals'))[:20]} original(s); the database "
            "holds what is said below",
            file=sys.stderr,
        )
    print(
        f"restored {counts.get('clippings', 0)} clipping(s), {counts.get('originals', 0)} "
        f"original(s) into {result.folder}; open it with: clipper --archive {result.folder}"
    )
    return EXIT_OK


def split_clipper_exports(inputs: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """Separate Clipper JSON exports (recognised by content) from ordinary inputs."""
    from clipper.export.json_export import is_clipper_export

    exports, others = [], []
    for value in inputs:
        if isinstance(value, str) and is_file(value) and is_clipper_export(value):
            exports.append(value)
        else:
            others.append(value)
    return exports, others


def import_clipper_exports(
    archive: Archive,
    paths: Sequence[str],
    tags: Sequence[tuple[str, str]],
    dry_run: bool,
    as_json: bool,
) -> int:
    """Import each export (or, with dry_run, only check it); returns how many failed.

    One export that fails says so in one line and the others go on; its import is one
    transaction, so nothing of it is stored.
    """
    from clipper.export.json_export import import_export, read_export

    failed = 0
    for path in paths:
        summary: dict[str, object]
        reason: str | None = None
        try:
            export = read_export(path)
            if dry_run:
                summary = {
                    "clippings": len(export.clippings),
                    "links": len(export.links),
                    "dossiers": len(export.dossiers),
                }
                message = (
                    f"would import {path} (Clipper export): {summary['clippings']} clipping(s)"
                )
            else:
                report = import_export(archive, export, tags=tags)
                new_ids = sorted(set(report.ids.values()))
                summary = {
                    "created": report.created,
                    "merged": report.merged,
                    "notes": report.notes,
                    "links": report.links,
                    "dossiers": report.dossiers,
                    "ids": new_ids,
                }
                message = f"imported {path} (Clipper export): {report.summary()}"
        except (ExportError, ArchiveError) as exc:
            reason = str(exc)
        except Exception as exc:
            # A case the reader's checks missed: still one line, and the batch goes on.
            log.info("importing %s failed", path, exc_info=True)
            detail = (str(exc).splitlines() or [""])[0]
            reason = f"cannot import it, nothing was imported ({type(exc).__name__}: {detail})"
        if reason is not None:
            failed += 1
            if as_json:
                error = f"{path}: {reason}"  # as the article readers word theirs
                print(json.dumps({"path": path, "ok": False, "error": error}, ensure_ascii=False))
            else:
                print(f"error: {path}: {reason}", file=sys.stderr)
            continue
        if as_json:
            print(json.dumps({"path": path, "ok": True, "format": "clipper-export", **summary}))
        else:
            print(message)
        sys.stdout.flush()
    return failed


__all__ = [
    "DEFAULT_QUERY_LIMIT",
    "backup_command",
    "export_command",
    "import_clipper_exports",
    "restore_command",
    "split_clipper_exports",
]
