"""The process that import workers are forked from (`ingest.pool`), and starting it early.

A fork server is a clean process that imports the readers once (`PRELOAD`) and forks each
worker from itself, so a worker starts in milliseconds instead of paying the imports a
spawned one pays. Those imports take it a second or two, and the first worker cannot start
before they are done: started when the batch first submits a page, the server does them
while the batch waits. `start_early` starts it at once, so that it imports while the batch
process does its own imports and opens the archive, on the other core.

This module imports nothing heavy: the command line reaches it before the archive's imports.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.context
import os
from collections.abc import Sequence

from clipper.core.paths import is_folder

log = logging.getLogger(__name__)

# Below this many items a batch is read in its own process: starting workers costs more.
MIN_ITEMS_FOR_WORKERS = 8


def workers_for(item_count: int, asked: int | None = None) -> int:
    """How many worker processes read a batch: `asked` when given (0 or 1: none), else one
    per core for a batch of MIN_ITEMS_FOR_WORKERS items or more, never more than the items."""
    if asked is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        asked = (cores or os.cpu_count() or 1) if item_count >= MIN_ITEMS_FOR_WORKERS else 0
    workers = min(asked, item_count)
    return workers if workers > 1 else 0


# What a worker needs loaded before its first item: imported once, in the fork server (the
# last one reads a page, loading the models a first page loads).
PRELOAD = [
    "clipper.core.ingest.batch",
    "clipper.core.ingest.html",
    "clipper.core.ingest.text",
    "clipper.core.ingest.warm",
]


def context() -> multiprocessing.context.BaseContext:
    """ "forkserver" where the system has it (with the readers preloaded), "spawn"
    elsewhere (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(PRELOAD)
        return forkserver
    return multiprocessing.get_context("spawn")


def start_early(inputs: Sequence[object], asked: int | None = None) -> bool:
    """Start the fork server now if a batch of these inputs (paths as given, "-" for the
    standard input, or items already read) will likely be read by workers: a folder among
    them (it may hold many), or enough of them (`workers_for`). The pool made later uses
    the running server; one that cannot start is left for the pool to try again. Whether
    it started."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    count = len(inputs)
    if any(isinstance(p, str) and is_folder(p) for p in inputs):
        count = max(count, MIN_ITEMS_FOR_WORKERS)
    if not workers_for(count, asked):
        return False
    context()
    from multiprocessing import forkserver as server

    try:
        server.ensure_running()
    except OSError as exc:  # no socket in a full or read-only temporary folder
        log.debug("the fork server did not start early: %s", exc)
        return False
    return True
