"""The `clipper` command: the app (no command), and import, search, show, tag, note, link,
reindex, check, export, backup, restore, the benchmarks, and monitoring (feeds, watch, inbox,
saved, digest: see `clipper.monitor_cli`), all over the same `Archive` API.

Exit codes: 0 all good, 1 some inputs failed (or `check` found drift), 2 bad usage or query.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from clipper import __version__
from clipper.cli_json import print_json
from clipper.core.errors import ArchiveDamaged, ArchiveError, ArchiveUnavailable
from clipper.core.paths import resolve_location
from clipper.monitor_cli import MONITOR_COMMANDS, add_monitor_parsers

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# `clipper bench-import --set NAME`: the folder each set lives in under ../shared/corpus.
BENCH_SETS = {"extraction": "article-extraction-benchmark", "peer-eval": "peer-eval"}
# During a long import, the index catches up after this many new clippings.
INDEX_EVERY = 100


class UsageError(Exception):
    """Bad arguments or a malformed query: exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clipper", description="A clipping manager for newsrooms."
    )
    parser.add_argument("--version", action="version", version=f"clipper {__version__}")
    parser.add_argument("--archive", metavar="DIR", help="archive folder (env CLIPPER_HOME)")
    parser.add_argument(
        "--database", metavar="URL", help="SQLAlchemy database URL (env CLIPPER_DATABASE_URL)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="open the desktop app (the default)")

    p = sub.add_parser("import", help="import files, folders, URLs or stdin (-)")
    p.add_argument("inputs", nargs="+", metavar="PATH|URL|-")
    p.add_argument("--tag", action="append", default=[], metavar="KIND:NAME")
    p.add_argument("--dry-run", action="store_true", help="show what would be stored")
    p.add_argument("--json", action="store_true", help="one JSON object per input")
    p.add_argument(
        "--ocr",
        choices=("auto", "force"),
        default="auto",
        help="auto: read scans and PDF pages without text; force: PDF pages with text too",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="processes reading the inputs (default: one per core for 8 inputs or more; "
        "1: all in this process)",
    )

    p = sub.add_parser("search", help="full-text search")
    p.add_argument("query", nargs="+", help="the query (several words are one query)")
    p.add_argument("--limit", type=int, default=20, help="hits per page (20)")
    p.add_argument("--page", type=int, default=1, help="which page of hits (1)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("show", help="show one clipping")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("tag", help="add or remove a tag")
    p.add_argument("id", type=int)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--add", metavar="KIND:NAME")
    group.add_argument("--remove", metavar="KIND:NAME")

    p = sub.add_parser("note", help="add a note to a clipping")
    p.add_argument("id", type=int)
    p.add_argument("text")

    p = sub.add_parser("link", help="link two clippings with a note saying why")
    p.add_argument("ids", type=int, nargs=2, metavar="ID")
    p.add_argument("--note", required=True)
    p.add_argument("--kind", choices=["follow-up", "same-event", "background", "contradicts"])

    sub.add_parser("reindex", help="rebuild the search index from the archive")
    sub.add_parser("check", help="archive integrity and index parity; exit 1 on any drift")

    p = sub.add_parser("export", help="export clippings: a PDF book, JSON, Markdown or CSV")
    p.add_argument("--pdf", metavar="FILE", help="a clipping book (needs a selection)")
    p.add_argument("--json", metavar="FILE", help="everything, re-importable with clipper import")
    p.add_argument("--markdown", metavar="PATH", help="a folder of files (or one file: --one-file)")
    p.add_argument("--csv", metavar="FILE", help="the metadata, one row per clipping")
    selection = p.add_mutually_exclusive_group()
    selection.add_argument("--query", metavar="Q", help="the best hits of a search (see --limit)")
    selection.add_argument("--ids", metavar="1,2,3", help="these clippings, in this order")
    selection.add_argument("--dossier", metavar="NAME", help="a dossier, in its order")
    p.add_argument("--limit", type=int, default=500, help="most hits of --query (500)")
    p.add_argument("--group-by", choices=["region", "topic", "date", "none"], default="none")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4")
    p.add_argument("--title", metavar="TEXT", help="the book's title")
    p.add_argument("--one-file", action="store_true", help="Markdown as one file")

    p = sub.add_parser("backup", help="a consistent snapshot of the archive with its originals")
    p.add_argument("file", metavar="FILE")

    p = sub.add_parser("restore", help="bring a backup back into an archive folder")
    p.add_argument("file", metavar="FILE")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--force", action="store_true", help="replace an archive already in DIR")

    p = sub.add_parser(
        "bench-import",
        help="score the import against the bare libraries on an extraction benchmark folder",
    )
    p.add_argument(
        "folder",
        metavar="DIR",
        nargs="?",
        help="the set's folder (default: ../shared/corpus/<the set's folder>)",
    )
    p.add_argument(
        "--set",
        dest="bench_set",
        choices=sorted(BENCH_SETS),
        default="extraction",
        help="extraction: the HTML reader on the article-extraction-benchmark; peer-eval: the "
        "whole import pipeline on trafilatura's and htmldate's own evaluation pages",
    )
    p.add_argument("--rounds", type=int, default=3, help="timed rounds per extractor (median)")
    p.add_argument("--limit", type=int, help="peer-eval: only the first N pages of each set")

    p = sub.add_parser("bench", help="benchmark import, indexing and search (synthetic corpus)")
    p.add_argument("--size", type=int, default=5000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--queries", type=int, default=200, help="searches per query kind")
    p.add_argument(
        "--startup-runs",
        type=int,
        default=3,
        help="window startups timed on the archive at the end (0: none)",
    )

    add_monitor_parsers(sub)
    return parser


def _fail(message: object, code: int) -> int:
    print(f"clipper: {message}", file=sys.stderr)
    return code


# The global options that take a value, and those of `search` (see `search_arguments`).
GLOBAL_VALUE_OPTIONS = ("--archive", "--database")
SEARCH_OPTIONS = {"--limit": True, "--page": True, "--json": False, "--help": False}


def search_arguments(argv: Sequence[str]) -> list[str]:
    """`argv` with a search's query words after a `--`, so a word starting with a dash
    ("-mali", NOT mali) is read as part of the query and not as an unknown option. (A
    `--word` that is no option of `search` is left to argparse to refuse.)

    Only `search` is touched, and its own options (and their abbreviations, as argparse
    allows them) stay options wherever they are."""
    args = list(argv)
    i = 0
    while i < len(args):  # the global options, up to the command
        arg = args[i]
        if arg == "--" or not arg.startswith("-"):
            break
        i += 2 if arg in GLOBAL_VALUE_OPTIONS else 1
    if i >= len(args) or args[i] != "search":
        return args
    options: list[str] = []
    query: list[str] = []
    rest = args[i + 1 :]
    j = 0
    while j < len(rest):
        arg = rest[j]
        if arg == "--":
            query += rest[j + 1 :]
            break
        name = _search_option(arg)
        if name is None and arg.startswith("--") and len(arg) > 2:
            options.append(arg)  # argparse says it is unknown: likely a mistyped option
        elif name is None:
            query.append(arg)
        else:
            options.append(arg)
            if SEARCH_OPTIONS[name] and "=" not in arg and j + 1 < len(rest):
                j += 1
                options.append(rest[j])
        j += 1
    return [*args[: i + 1], *options, *(["--", *query] if query else [])]


def _search_option(arg: str) -> str | None:
    """The `search` option `arg` names (in full, abbreviated or with =VALUE), or None."""
    if arg in ("-h", "--help"):
        return "--help"
    if not arg.startswith("--") or len(arg) < 3:
        return None
    typed = arg.split("=", 1)[0]
    named = [option for option in SEARCH_OPTIONS if option.startswith(typed)]
    return named[0] if len(named) == 1 else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; whatever goes wrong ends as one line on stderr and an exit code,
    never a traceback (`-v` logs the details)."""
    parser = build_parser()
    args = parser.parse_args(search_arguments(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    command = args.command or "gui"
    try:
        location = resolve_location(args.archive, args.database)
        if command == "gui":
            from clipper.ui.app import run_app

            return run_app(location)
        return COMMANDS[command](args, location)
    except UsageError as exc:
        return _fail(exc, EXIT_USAGE)
    except ArchiveDamaged as exc:
        return _fail(exc, EXIT_FAILED)
    except ArchiveUnavailable as exc:
        # The place is wrong (a file, no permission, no server, not an archive): usage.
        return _fail(exc, EXIT_USAGE)
    except ArchiveError as exc:  # a disk that is full, a read-only archive
        return _fail(exc, EXIT_FAILED)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        log.info("%s failed", command, exc_info=True)
        return _fail(f"{where}{exc.strerror or exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # a bug: one line for the user, the traceback with -v
        log.info("%s failed", command, exc_info=True)
        return _fail(f"{command} failed: {type(exc).__name__}: {exc} (-v shows more)", EXIT_FAILED)


def _open(location: Any) -> Any:
    from clipper.core.archive import Archive

    return Archive(location)


def _tags(specs: Sequence[str]) -> list[tuple[str, str]]:
    from clipper.core.archive import InvalidInput, parse_tag_spec

    try:
        return [parse_tag_spec(spec) for spec in specs]
    except InvalidInput as exc:
        raise UsageError(str(exc)) from exc


def _read_stdin() -> bytes:
    """What was piped in, as bytes: it goes through the decoder files go through, so text in
    any encoding (or invalid UTF-8, refused in one line) is read as a file would be."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream put in place of stdin (an embedding program, a test)
        return sys.stdin.read().encode("utf-8")
    data: bytes = stream.read()
    return data


def cmd_import(args: argparse.Namespace, location: Any) -> int:
    from clipper.core.forkserver import start_early

    # Before the imports and the archive's opening below: the readers' fork server imports
    # its own on the other core meanwhile (about a second off a batch of real pages).
    start_early(args.inputs, args.jobs)
    from clipper.core.ingest import InputItem, import_inputs

    tags = _tags(args.tag)
    inputs: list[Any] = []
    for value in args.inputs:
        if value == "-":
            inputs.append(InputItem(label="-", data=_read_stdin()))
        else:
            inputs.append(value)
    from clipper.export.cli import import_clipper_exports, split_clipper_exports

    # A Clipper JSON export recreates clippings; read as text it would become one.
    exports, inputs = split_clipper_exports(inputs)
    failed = stored = 0
    with _open(location) as archive:
        failed += import_clipper_exports(archive, exports, tags, args.dry_run, args.json)
        for outcome in import_inputs(
            archive, inputs, tags=tags, dry_run=args.dry_run, ocr=args.ocr, workers=args.jobs
        ):
            failed += not outcome.ok
            stored += bool(outcome.created)
            if stored and outcome.created and stored % INDEX_EVERY == 0:
                # A long batch becomes searchable as it goes, not only at the end.
                archive.index.catch_up()
            if args.json:
                print_json(_outcome_json(outcome, args.dry_run))
            elif outcome.ok:
                if args.dry_run:
                    assert outcome.draft is not None
                    print(f"would import {outcome.label}: {outcome.draft.title}")
                elif outcome.created:
                    print(f"imported {outcome.label} as #{outcome.id}")
                else:
                    print(f"{outcome.label} is already in the archive as #{outcome.duplicate_of}")
            else:
                print(f"error: {outcome.error}", file=sys.stderr)
            sys.stdout.flush()
        if not args.dry_run:
            archive.index.catch_up()
    return EXIT_FAILED if failed else EXIT_OK


def _outcome_json(outcome: Any, dry_run: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "path": outcome.label,
        "ok": outcome.ok,
        "id": outcome.id,
        "duplicate_of": outcome.duplicate_of,
        "error": outcome.error,
    }
    if dry_run:
        draft = outcome.draft
        result.update(
            {
                "title": draft.title if draft else None,
                "title_guessed": draft.title_guessed if draft else None,
                "source": draft.source if draft else None,
                "author": draft.author if draft else None,
                "published": draft.published.isoformat() if draft and draft.published else None,
                "language": draft.language if draft else None,
                "standfirst": draft.standfirst if draft else None,
                "body": draft.body if draft else None,
                "regions": [asdict(s) for s in draft.regions] if draft else [],
                "topics": [asdict(s) for s in draft.topics] if draft else [],
                "related_refs": list(draft.related_refs) if draft else [],
                "extra": draft.extra if draft else {},
            }
        )
    result["similarity"] = getattr(outcome, "similarity", None)
    return result


def cmd_search(args: argparse.Namespace, location: Any) -> int:
    from clipper.core.search import QuerySyntaxError

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.page < 1:
        raise UsageError("--page must be at least 1")
    with _open(location) as archive:
        try:
            results = archive.search(" ".join(args.query), page=args.page, page_size=args.limit)
        except QuerySyntaxError as exc:
            raise UsageError(str(exc)) from exc
        if args.json:
            print_json(results.to_json())
            return EXIT_OK
        print(f"{results.total} clipping(s)")
        for hit in results.hits:
            date = hit.published.isoformat() if hit.published else "----------"
            print(f"#{hit.id:<6} {date}  {hit.source or '-'}  {hit.title}")
            if hit.snippet:
                print(f"        {hit.snippet}")
        if results.suggestion:
            print(f"did you mean: {results.suggestion}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, location: Any) -> int:
    from clipper.core.archive import NotFound

    with _open(location) as archive:
        try:
            detail = archive.get(args.id)
        except NotFound as exc:
            raise UsageError(str(exc)) from exc
        if args.json:
            print_json(asdict(detail))
            return EXIT_OK
        print(detail.title + ("  (title guessed)" if detail.title_guessed else ""))
        facts = [detail.source, detail.author, detail.published and detail.published.isoformat()]
        print(" | ".join(str(f) for f in facts if f))
        if detail.url:
            print(detail.url)
        ocr = detail.extra.get("ocr")
        if isinstance(ocr, dict):
            pages = ", ".join(str(p) for p in ocr.get("pages", []))
            print(f"read by OCR ({ocr.get('engine')}, {ocr.get('languages')}, page {pages})")
        for kind in ("region", "topic"):
            names = [t.name for t in detail.tags if t.kind == kind]
            if names:
                print(f"{kind}s: {', '.join(names)}")
        print()
        print(detail.body)
        for note in detail.notes:
            print(f"\nnote #{note.id}: {note.text}")
        for link in detail.links:
            kind = f" [{link.kind}]" if link.kind else ""
            print(f"\nrelated #{link.other_id}{kind}: {link.other_title} — {link.note}")
    return EXIT_OK


def _change(args: argparse.Namespace, location: Any, operation: Any) -> int:
    from clipper.core.archive import ArchiveError, StorageError

    with _open(location) as archive:
        try:
            message = operation(archive)
        except StorageError:
            raise  # the archive could not store it (read-only, disk full): not bad usage
        except ArchiveError as exc:
            raise UsageError(str(exc)) from exc
        archive.index.catch_up()
    print(message)
    return EXIT_OK


def cmd_tag(args: argparse.Namespace, location: Any) -> int:
    kind, name = _tags([args.add or args.remove])[0]

    def operation(archive: Any) -> str:
        if args.add:
            archive.add_tag(args.id, kind, name)
            return f"tagged #{args.id} with {kind}:{name}"
        archive.remove_tag(args.id, kind, name)
        return f"removed {kind}:{name} from #{args.id}"

    return _change(args, location, operation)


def cmd_note(args: argparse.Namespace, location: Any) -> int:
    def operation(archive: Any) -> str:
        note_id, _ = archive.add_note(args.id, args.text)
        return f"note #{note_id} added to #{args.id}"

    return _change(args, location, operation)


def cmd_link(args: argparse.Namespace, location: Any) -> int:
    a, b = args.ids

    def operation(archive: Any) -> str:
        archive.link(a, b, args.note, args.kind)
        return f"linked #{a} and #{b}"

    return _change(args, location, operation)


def cmd_reindex(args: argparse.Namespace, location: Any) -> int:
    with _open(location) as archive:
        count = archive.index.rebuild()
    print(f"indexed {count} clipping(s)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, location: Any) -> int:
    with _open(location) as archive:
        problems = archive.integrity_problems()
        count = archive.count()
        try:
            index = archive.index
            index.catch_up()
            problems += index.parity_problems()
        except (ArchiveError, OSError) as exc:
            # Damage or a full disk met while comparing the index: said, and still exit 1.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            problems.append(f"the search index could not be compared: {reason}")
    for problem in problems:
        print(f"drift: {problem}")
    if problems:
        return EXIT_FAILED
    print(f"ok: {count} clipping(s), archive and index agree")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, location: Any) -> int:
    from clipper.export.cli import export_command

    return export_command(args, location)


def cmd_backup(args: argparse.Namespace, location: Any) -> int:
    from clipper.core.db import is_sqlite

    if not is_sqlite(location.database_url):
        return _server_backup(args, location)
    from clipper.export.cli import backup_command

    return backup_command(args, location)


def cmd_restore(args: argparse.Namespace, location: Any) -> int:
    from clipper.export.server_backup import is_server_backup

    if is_server_backup(args.file):
        return _server_restore(args, location)
    from clipper.export.cli import restore_command

    return restore_command(args)


def _server_backup(args: argparse.Namespace, location: Any) -> int:
    """`clipper backup` of an archive on a server: a JSON snapshot (export/server_backup)."""
    from clipper.export.common import ExportError
    from clipper.export.server_backup import write_server_backup

    try:
        result = write_server_backup(location, args.file)
    except ExportError as exc:
        return _fail(exc, EXIT_FAILED)
    counts = result.manifest["counts"]
    print(
        f"backed up {result.manifest['source']} to {args.file}: {counts['clippings']} "
        f"clipping(s), {counts['originals']} original(s)"
    )
    return EXIT_OK


def _server_restore(args: argparse.Namespace, location: Any) -> int:
    """`clipper restore` of a server archive's backup: into DIR, or the --database given."""
    import os

    from clipper.core.paths import DATABASE_ENV
    from clipper.export.backup import ArchiveExists
    from clipper.export.common import ExportError
    from clipper.export.server_backup import restore_server_backup

    database = args.database or os.environ.get(DATABASE_ENV) or None
    try:
        result = restore_server_backup(args.file, args.folder, database, force=args.force)
    except ArchiveExists as exc:
        return _fail(exc, EXIT_USAGE)
    except ExportError as exc:
        return _fail(exc, EXIT_FAILED)
    for problem in result.problems:
        print(f"warning: {problem}", file=sys.stderr)
    where = f"--archive {result.folder}" + (f" --database {database}" if database else "")
    print(
        f"restored {result.manifest['counts']['clippings']} clipping(s); open it with: "
        f"clipper {where}"
    )
    return EXIT_OK


def cmd_bench_import(args: argparse.Namespace, location: Any) -> int:
    from pathlib import Path

    if args.rounds < 1:
        raise UsageError("--rounds must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    folder = Path(args.folder or Path("..", "shared", "corpus", BENCH_SETS[args.bench_set]))
    if args.bench_set == "peer-eval":
        return _bench_peer_eval(folder, args.rounds, args.limit)
    from clipper.bench.ingest import run

    try:
        results = run(folder, rounds=args.rounds, progress=lambda m: print(m))
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    print(f"{'extractor':<26} {'F1':>6} {'P':>6} {'R':>6} {'acc':>6} {'pages/s':>8} {'empty':>6}")
    for r in results:
        s = r.score
        print(
            f"{r.name:<26} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f} {s.accuracy:6.3f}"
            f" {r.pages_per_second:8.1f} {r.failures:6d}"
        )
    if len(results) == 2:
        base, ours = results
        print(
            f"F1 {ours.score.f1 - base.score.f1:+.3f}; speed "
            f"{ours.pages_per_second / base.pages_per_second:.0%} of {base.name}"
        )
    return EXIT_OK


def _bench_peer_eval(folder: Any, rounds: int, limit: int | None) -> int:
    from clipper.bench.ingest import run_peer_eval

    try:
        results = run_peer_eval(folder, rounds=rounds, progress=lambda m: print(m), limit=limit)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc

    def share(pair: tuple[int, int] | None) -> str:
        return f"{pair[0] / pair[1]:7.3f}" if pair and pair[1] else f"{'-':>7}"

    print(
        f"{'reader':<28} {'F1':>6} {'P':>6} {'R':>6} {'date':>7} {'date-t':>7} {'author':>7}"
        f" {'title':>7} {'pages/s':>8}"
    )
    for r in results:
        s = r.score
        body = f"{s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f}" if s.body else f"{'-':>20}"
        print(
            f"{r.name:<28} {body} {share(s.date_htmldate)} {share(s.date_trafilatura)}"
            f" {share(s.author)} {share(s.title)} {r.pages_per_second:8.1f}"
        )
    print(
        f"pages: {results[0].pages} ({results[0].score.tp + results[0].score.fn} body snippets"
        " to find); date: htmldate's pages, date-t: trafilatura's pages with a date;"
        " author and title: trafilatura's pages that give one"
    )
    return EXIT_OK


def cmd_bench(args: argparse.Namespace, location: Any) -> int:
    from clipper.bench.search import run_bench

    return run_bench(
        location,
        size=args.size,
        seed=args.seed,
        queries=args.queries,
        startup_runs=args.startup_runs,
    )


COMMANDS = {
    "import": cmd_import,
    "search": cmd_search,
    "show": cmd_show,
    "tag": cmd_tag,
    "note": cmd_note,
    "link": cmd_link,
    "reindex": cmd_reindex,
    "check": cmd_check,
    "export": cmd_export,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "bench": cmd_bench,
    "bench-import": cmd_bench_import,
    **MONITOR_COMMANDS,
}
