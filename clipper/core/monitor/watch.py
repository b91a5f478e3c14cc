"""Watch folders: files that appear in a folder (a newsroom's shared "to clip" folder, a
scanner's output) are read into the inbox once, then moved away if the editor asked.

A file is known by its path in the folder, its size and its modification time: the same file
is never read twice, and one that is replaced by a new version is read again. A file changed
less than SETTLE_S seconds ago may still be being written (a scanner, a copy over the
network) and waits for the next poll. Hidden files and folders are left alone, and so is the
move-to folder when it lies inside the watched one.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from clipper.core.archive import Archive
from clipper.core.ingest import IngestError, InputItem, read_item
from clipper.core.ingest.decode import printable
from clipper.core.ingest.suggest import archive_suggestions
from clipper.core.models import utcnow
from clipper.core.monitor.arrivals import arrival_of
from clipper.core.monitor.feeds import entry_key
from clipper.core.monitor.polling import MAX_ATTEMPTS, KnownEntry, PollOutcome
from clipper.core.store.feeds import WatchFolderView
from clipper.core.store.inbox import Arrival

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

SETTLE_S = 2.0
# At most this many files are read from one folder per poll; the rest at the next.
MAX_FILES_PER_POLL = 200


def _files(root: Path, skip: Path | None) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_file():
            found.append(path)
    return found


def file_key(root: Path, path: Path, info: os.stat_result) -> str:
    return entry_key(f"file:{path.relative_to(root).as_posix()}|{info.st_size}|{info.st_mtime_ns}")


def _move(path: Path, folder: Path) -> Path:
    """Move a file into `folder` under its own name (numbered when that name is taken)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    number = 2
    while target.exists():
        target = folder / f"{path.stem} ({number}){path.suffix}"
        number += 1
    shutil.move(str(path), str(target))
    return target


def poll_folders(
    archive: Archive,
    folders: Sequence[WatchFolderView],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    settle_s: float | None = None,
) -> list[PollOutcome]:
    outcomes = []
    for number, folder in enumerate(folders, start=1):
        if cancelled is not None and cancelled():
            break
        if progress is not None:
            progress(number, len(folders), folder.path)
        try:
            outcomes.append(poll_folder(archive, folder, cancelled, settle_s))
        except Exception as exc:  # a bug must not stop the other folders; it is logged in full
            log.exception("polling watch folder %s failed", folder.path)
            archive.stores.watch_folders.record_poll(folder.id, utcnow(), error=str(exc))
            outcomes.append(
                PollOutcome("folder", folder.id, folder.path, error=f"{folder.path}: {exc}")
            )
    return outcomes


def poll_folder(
    archive: Archive,
    folder: WatchFolderView,
    cancelled: Cancelled | None = None,
    settle_s: float | None = None,
) -> PollOutcome:
    """Read the folder's new files into the inbox (see the module notes); a file changed less
    than `settle_s` seconds ago (default SETTLE_S, read at each call) waits."""
    settle = SETTLE_S if settle_s is None else settle_s
    started = utcnow()
    root = Path(folder.path)
    move_to = Path(folder.move_to) if folder.move_to else None
    if not root.is_dir():
        error = f"{root}: the folder is not there (removed, or a drive not mounted)"
        archive.stores.watch_folders.record_poll(folder.id, started, error=error)
        return PollOutcome("folder", folder.id, folder.path, error=error)
    inbox = archive.stores.inbox
    now = time.time()
    candidates: list[tuple[Path, str]] = []
    waiting = 0
    for path in _files(root, move_to):
        try:
            info = path.stat()
        except OSError:
            continue  # gone since the listing
        if now - info.st_mtime < settle:
            waiting += 1
            continue
        candidates.append((path, file_key(root, path, info)))
    seen = inbox.seen([key for _p, key in candidates], watch_id=folder.id)
    arrived: list[int] = []
    known: list[KnownEntry] = []
    failed: list[str] = []
    warnings: list[str] = []
    if waiting:
        warnings.append(f"{waiting} file(s) still being written wait for the next poll")
    to_read = []
    for path, key in candidates:
        before = seen.get(key)
        if before is None or (before.state == "failed" and before.attempts < MAX_ATTEMPTS):
            to_read.append((path, key))
        elif move_to is not None and before.state != "failed":
            # Read before, but the move failed: try the move again.
            warnings.extend(_move_quietly(path, move_to))
    if len(to_read) > MAX_FILES_PER_POLL:
        warnings.append(
            f"{len(to_read)} new files; a poll reads {MAX_FILES_PER_POLL}, the rest at the next"
        )
        to_read = to_read[:MAX_FILES_PER_POLL]
    for path, key in to_read:
        if cancelled is not None and cancelled():
            break
        label = printable(str(path))  # a file name may hold a newline or a bidi override
        try:
            draft = read_item(InputItem(label=label, path=path))
        except IngestError as exc:
            attempts = seen[key].attempts + 1 if key in seen else 1
            failed.append(str(exc))
            inbox.record(Arrival(key, "failed", path.name, note=str(exc)), watch_id=folder.id)
            if attempts >= MAX_ATTEMPTS:
                log.info("giving up on %s after %d attempts", label, attempts)
            continue
        archive_suggestions(archive, draft)
        draft.extra = {**draft.extra, "watch_folder": str(root)}
        arrival = arrival_of(archive, draft, key)
        item_id = inbox.record(arrival, watch_id=folder.id)
        if item_id is None:
            continue
        if arrival.state == "new":
            arrived.append(item_id)
        else:
            known.append(KnownEntry(arrival.title, arrival.duplicate_of))
        if move_to is not None:
            warnings.extend(_move_quietly(path, move_to))
    archive.stores.watch_folders.record_poll(folder.id, started)
    return PollOutcome(
        "folder",
        folder.id,
        folder.path,
        listed=len(candidates),
        arrived=tuple(arrived),
        known=tuple(known),
        failed=tuple(failed),
        warnings=tuple(warnings),
    )


def _move_quietly(path: Path, folder: Path) -> list[str]:
    """Move a file that was read; a failure is a warning (the file is read, not lost)."""
    try:
        _move(path, folder)
    except OSError as exc:
        return [
            f"{printable(str(path))}: read, but it could not be moved to "
            f"{printable(str(folder))} ({exc.strerror or exc})"
        ]
    return []
