"""One window per archive: a lock file in the archive folder refuses a second instance.

QLockFile records the owner's process id and host, so a lock left by a crash is recognised
as stale and taken over, while a live owner keeps it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLockFile

from clipper.core.paths import ArchiveLocation

log = logging.getLogger(__name__)

LOCK_FILENAME = "clipper-window.lock"


class ArchiveInUse(Exception):
    """Another Clipper window has this archive open; the message says which process."""


def lock_archive(location: ArchiveLocation, wait_ms: int = 200) -> QLockFile:
    """Take the window lock of an archive, or raise ArchiveInUse."""
    location.home.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(location.home / LOCK_FILENAME))
    lock.setStaleLockTime(0)  # only a dead owner makes it stale, never its age
    if lock.tryLock(wait_ms):
        return lock
    info = lock.getLockInfo()  # (pid, host, app) in PySide6; empty values when unreadable
    pid, host = (info[-3], info[-2]) if isinstance(info, tuple) and len(info) >= 3 else (0, "")
    owner = f" by process {pid} on {host}" if pid else ""
    raise ArchiveInUse(
        f"The archive in {location.home} is already open in another Clipper window{owner}.\n\n"
        "Switch to that window, or close it and try again. Two windows on one archive are "
        "refused so that nothing can be written twice."
    )
