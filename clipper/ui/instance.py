"""One window per archive: a lock file in the archive folder refuses a second instance, and a
local socket lets that second instance bring the open window forward instead.

QLockFile records the owner's process id and host, so a lock left by a crash is recognised
as stale and taken over, while a live owner keeps it. The owner also listens on a local
socket named after the archive folder; a second `clipper` on the same archive asks it to
raise its window and leaves. When nobody answers (the owner is on another machine sharing
the folder, or busy for seconds), the second instance is refused with a message instead.
"""

from __future__ import annotations

import hashlib
import logging

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from clipper.core.paths import ArchiveLocation

log = logging.getLogger(__name__)

LOCK_FILENAME = "clipper-window.lock"
RAISE_REQUEST = b"raise\n"
RAISE_ANSWER = b"raised\n"
ANSWER_WAIT_MS = 3000


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


def server_name(location: ArchiveLocation) -> str:
    """The local socket's name: short (socket paths are limited to about 100 bytes) and
    the same for every spelling of the archive folder."""
    digest = hashlib.sha256(str(location.home.resolve()).encode("utf-8")).hexdigest()
    return f"clipper-{digest[:24]}"


class WindowServer(QObject):
    """Listens, for the window that holds an archive's lock, for requests to come forward.

    Signals:
        raise_requested(): another `clipper` was started on this archive.
    """

    raise_requested = Signal()

    def __init__(self, location: ArchiveLocation, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(location)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        # We hold the archive's lock, so a socket left under this name is a crashed owner's.
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning(
                "a second Clipper on this archive will be refused, not brought here: %s",
                self._server.errorString(),
            )

    def close(self) -> None:
        self._server.close()

    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_request(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_request(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE_REQUEST.strip()):
            self.raise_requested.emit()
            socket.write(RAISE_ANSWER)
            socket.flush()


def ask_open_window_to_raise(location: ArchiveLocation, wait_ms: int = ANSWER_WAIT_MS) -> bool:
    """Ask the window that has this archive open to come forward; True when it answered."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(location))
    try:
        if not socket.waitForConnected(wait_ms):
            return False
        socket.write(RAISE_REQUEST)
        if not socket.waitForBytesWritten(wait_ms):
            return False
        answer = b""
        while not answer.endswith(b"\n") and socket.waitForReadyRead(wait_ms):
            answer += bytes(socket.readAll().data())
        return answer == RAISE_ANSWER
    finally:
        socket.abort()
