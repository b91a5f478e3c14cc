"""Indexing a big batch of clippings on every core: worker processes that each write segments.

The app is threaded (Qt, a database pool), and forking a threaded process is unsafe, so the
workers are fresh interpreters started with `python -m clipper.core.index_worker`, not
forks. Each opens the archive's database for reading only, reads its share of the
clippings, writes segments into the index folder with `SegmentBuilder`, and hands back the
segment descriptions (pickled Whoosh segment objects) through a file. The caller holds the
index's write lock throughout and commits the segments; if anything fails, the files the
workers wrote are removed (and any left over are cleaned up by Whoosh at the next commit,
as files no commit refers to).
"""

from __future__ import annotations

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
from clipper.core.search.errors import IndexBuildCancelled, IndexBuildError
from clipper.core.search.segments import delete_segment_files

log = logging.getLogger(__name__)

# How often a waiting build looks whether it was cancelled, in seconds.
CANCEL_POLL = 0.1


# The worker's module: a string, not an import, so search never depends on the store.
WORKER_MODULE = "clipper.core.index_worker"


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
                WORKER_MODULE,
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


__all__ = ["IndexBuildCancelled", "IndexBuildError", "build_segments", "worker_count"]
