"""Checksums of the index's segment files, so `clipper check` sees damage that reading
would not: a damaged term table mostly gives wrong answers, not errors.

Segment files never change once written (deletions live in the table of contents), so each
file's digest is recorded when its segment is committed and compared by `damaged_files`.
The checksum file is written, atomically, before the table of contents that names the new
segments, under the index's write lock: whoever reads a table of contents finds the
checksums of every file it names. Entries of files that are gone are dropped then too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CHECKSUMS_FILENAME = "clipper-index-checksums.json"


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def segment_files(storage: Any, segments: Iterable[Any]) -> list[str]:
    """The names of the files of these segments."""
    return [name for segment in segments for name in segment.list_files(storage)]


def read_checksums(index_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((index_dir / CHECKSUMS_FILENAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("unreadable index checksums in %s: %s", index_dir, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(name): str(digest) for name, digest in data.items()}


def record_checksums(index_dir: Path, storage: Any, segments: Iterable[Any]) -> None:
    """Add the digests of these (new) segments' files to the checksum file, and drop those
    of files that no longer exist. Call before committing the table of contents."""
    present = set(os.listdir(index_dir))  # one listing, not a stat a file of every segment
    sums = {name: digest for name, digest in read_checksums(index_dir).items() if name in present}
    for name in segment_files(storage, segments):
        if name not in sums:
            sums[name] = file_digest(index_dir / name)
    target = index_dir / CHECKSUMS_FILENAME
    temporary = index_dir / f".{CHECKSUMS_FILENAME}.{os.getpid()}"
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(sums, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def damaged_files(index_dir: Path, storage: Any, segments: Iterable[Any]) -> list[str]:
    """What is wrong with these segments' files, one line each: reading every byte."""
    sums = read_checksums(index_dir)
    problems = []
    segments = list(segments)
    present = set(segment_files(storage, segments))
    prefixes = tuple(f"{segment.segment_id()}." for segment in segments)
    for name in sorted(present | {n for n in sums if n.startswith(prefixes)}):
        expected = sums.get(name)
        if expected is None:
            problems.append(f"the index file {name} has no checksum")
        elif name not in present:
            problems.append(f"the index file {name} is missing")
        elif file_digest(index_dir / name) != expected:
            problems.append(f"the index file {name} changed since it was written: it is damaged")
    return problems
