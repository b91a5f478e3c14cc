"""Faults of the file system for the export tests, patched in for one test: a full disk and a
read-only folder, each limited to one folder so the archive and pytest itself go on as usual.

The tests run as root, where a folder without write permission is still writable, so a
read-only folder is simulated at the calls that create or write files (io.open, os.open,
os.mkdir, os.replace), raising what the system would.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _is_under(path: object, folder: Path) -> bool:
    if isinstance(path, int):
        try:
            path = os.readlink(f"/proc/self/fd/{path}")
        except OSError:
            return False
    if not isinstance(path, str | os.PathLike):
        return False
    resolved = Path(os.fspath(path)).absolute()
    return resolved == folder or folder in resolved.parents


def _writes(mode: str) -> bool:
    return any(flag in mode for flag in "wax+")


class _FullFile:
    """A file whose every write fails as on a full disk (reads and the rest work)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def writelines(self, lines: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def __iter__(self) -> Any:
        return iter(self._real)


def fill_the_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """From now on, writing any file under `folder` fails with ENOSPC (creating it works)."""
    folder = folder.absolute()
    real_open = io.open

    def open_on_a_full_disk(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if _writes(mode) and _is_under(file, folder):
            return _FullFile(handle)
        return handle

    monkeypatch.setattr(io, "open", open_on_a_full_disk)
    monkeypatch.setattr("builtins.open", open_on_a_full_disk)


def make_read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """From now on, nothing under `folder` can be created, written, renamed or removed."""
    folder = folder.absolute()
    denied = OSError(errno.EACCES, os.strerror(errno.EACCES))
    real_open, real_os_open = io.open, os.open
    real_mkdir, real_replace, real_unlink = os.mkdir, os.replace, os.unlink

    def refuse(path: object) -> None:
        if _is_under(path, folder):
            raise PermissionError(denied.errno, denied.strerror, os.fspath(path))  # type: ignore[arg-type]

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if _writes(mode) and not isinstance(file, int):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & WRITE_FLAGS:
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        refuse(path)
        real_mkdir(path, *args, **kwargs)

    def guarded_replace(source: Any, destination: Any, **kwargs: Any) -> None:
        refuse(source)
        refuse(destination)
        real_replace(source, destination, **kwargs)

    def guarded_unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        refuse(path)
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr("builtins.open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    monkeypatch.setattr(os, "replace", guarded_replace)
    monkeypatch.setattr(os, "unlink", guarded_unlink)
