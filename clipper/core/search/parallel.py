"""Indexing a big batch of clippings on every core: worker processes that each write segments.

The app is threaded (Qt, a database pool), and forking a threaded process is unsafe, so the
workers are fresh interpreters started with `python -m clipper.core.search.parallel`, not
forks. Each opens the archive itself, reads its share of the clippings, writes segments into
the index folder with `SegmentBuilder`, and hands back the segment descriptions (pickled
Whoosh segment objects) through a file. The caller holds the index's write lock throughout
and commits the segments; if anything fails, the files the workers wrote are removed (and
any left over are cleaned up by Whoosh at the next commit, as files no commit refers to).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from clipper.core.paths import ArchiveLocation
from clipper.core.search.segments import delete_segment_files

log = logging.getLogger(__name__)

# How often a waiting build looks whether it was cancelled, in seconds.
CANCEL_POLL = 0.1


class IndexBuildCancelled(Exception):
    """A rebuild stopped because the archive is being closed; nothing was swapped in."""


class IndexBuildError(RuntimeError):
    """A worker process failed; the message has its error output."""


def worker_count() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def build_segments(
    index_dir: Path,
    indexname: str,
    location: ArchiveLocation,
    ids: Sequence[int],
    workers: int | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[Any]:
    """Index the clippings `ids` into new segments of the index at `index_dir` using worker
    processes; returns the segments (not committed). When `cancelled()` turns true the
    workers are stopped and IndexBuildCancelled is raised."""
    workers = min(workers or worker_count(), max(1, len(ids)))
    share = -(-len(ids) // workers)
    parts = [list(ids[i : i + share]) for i in range(0, len(ids), share)]
    with tempfile.TemporaryDirectory(prefix="clipper-index-") as scratch:
        processes = []
        for number, part in enumerate(parts):
            ids_file = Path(scratch) / f"ids-{number}.json"
            ids_file.write_text(json.dumps(part), encoding="utf-8")
            out_file = Path(scratch) / f"segments-{number}.pickle"
            command = [
                sys.executable,
                "-m",
                "clipper.core.search.parallel",
                "--index",
                str(index_dir),
                "--indexname",
                indexname,
                "--home",
                str(location.home),
                "--database",
                location.database_url,
                "--ids",
                str(ids_file),
                "--out",
                str(out_file),
            ]
            # Errors go to a file, not a pipe: the parent polls (to notice a cancel) instead of
            # reading, and a full pipe would stall the worker.
            err_file = Path(scratch) / f"errors-{number}.txt"
            with err_file.open("w", encoding="utf-8") as errors_out:
                process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors_out)
            processes.append((process, out_file, err_file))
        _wait_or_stop([process for process, _out, _err in processes], cancelled)
        segments: list[Any] = []
        failures = []
        for process, out_file, err_file in processes:
            if process.returncode != 0:
                errors = err_file.read_text(encoding="utf-8", errors="replace")
                failures.append(errors.strip().splitlines()[-1:] or [f"exit {process.returncode}"])
                continue
            with out_file.open("rb") as handle:
                segments += pickle.load(handle)
        if failures:
            delete_segment_files(whoosh_index.open_dir(str(index_dir)).storage, segments)
            raise IndexBuildError(
                "indexing in worker processes failed: "
                + "; ".join(" ".join(lines) for lines in failures)
            )
    log.info("%d worker processes wrote %d segments", len(parts), len(segments))
    return segments


def _wait_or_stop(
    processes: Sequence[subprocess.Popen[bytes]], cancelled: Callable[[], bool]
) -> None:
    """Wait for the workers, or kill them all when the build is cancelled."""
    while any(process.poll() is None for process in processes):
        if cancelled():
            for process in processes:
                process.kill()
            for process in processes:
                process.wait()
            raise IndexBuildCancelled("the search index build was cancelled")
        time.sleep(CANCEL_POLL)


def run_worker(
    index_dir: Path, indexname: str, location: ArchiveLocation, ids: Sequence[int]
) -> list[Any]:
    """The work of one worker process: index these clippings into segments."""
    from clipper.core.archive import Archive
    from clipper.core.search.index import add_documents
    from clipper.core.search.segments import SegmentBuilder

    ix = whoosh_index.open_dir(str(index_dir), indexname=indexname)
    archive = Archive(location)
    builder = SegmentBuilder(ix.storage, indexname, ix.schema)
    try:
        add_documents(builder, archive, ids)
        return builder.finish()
    except BaseException:
        builder.discard()
        raise
    finally:
        archive.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="index clippings into new segments (internal)")
    parser.add_argument("--index", required=True)
    parser.add_argument("--indexname", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--ids", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    ids = json.loads(Path(args.ids).read_text(encoding="utf-8"))
    location = ArchiveLocation(Path(args.home), args.database)
    segments = run_worker(Path(args.index), args.indexname, location, ids)
    with open(args.out, "wb") as handle:
        pickle.dump(segments, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
