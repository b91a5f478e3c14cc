"""What every export shares: errors, progress and cancellation, reading clippings, safe writes,
and the one rule for which URLs an export may turn into links."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from clipper.core.archive import Archive, NotFound
from clipper.core.views import ClippingDetail

log = logging.getLogger(__name__)

# (done, total, what is happening): the same shape as the import pipeline's progress.
Progress = Callable[[int, int, str], None]
IsCancelled = Callable[[], bool]


class ExportError(Exception):
    """An export cannot be made; the message says why (shown to the user as is)."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("the export was cancelled")


def no_progress(done: int, total: int, what: str) -> None:
    """The default progress sink: exports called without one report nothing."""


def never_cancelled() -> bool:
    return False


def check_cancelled(is_cancelled: IsCancelled) -> None:
    if is_cancelled():
        raise ExportCancelled


def read_details(
    archive: Archive,
    ids: Sequence[int],
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> list[ClippingDetail]:
    """The full clippings for `ids`, in order; an id that is gone is an error, not a gap."""
    details = []
    total = len(ids)
    for done, clipping_id in enumerate(ids):
        check_cancelled(is_cancelled)
        try:
            details.append(archive.get(clipping_id))
        except NotFound as exc:
            raise ExportError(str(exc)) from exc
        progress(done + 1, total, "reading clippings")
    return details


@contextlib.contextmanager
def atomic_output(path: Path, suffix: str = "") -> Iterator[Path]:
    """A fresh path beside `path` to write to, renamed over `path` only when the block succeeds.

    A failed or cancelled export never leaves half a file, and never destroys the file it
    would have replaced. The temporary file is created by whoever writes it (QPdfWriter,
    zipfile, open), so it gets the user's usual permissions, not mkstemp's owner-only ones.
    An OSError in the block (a full disk, a read-only folder) becomes an ExportError naming
    the file, for the user to read.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    make_folder(path.parent)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix or '.part'}"
    try:
        yield temporary
        if not temporary.exists():
            raise ExportError(f"nothing was written for {path}")
        os.replace(temporary, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {describe_os_error(exc)}") from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def make_folder(folder: Path) -> None:
    """`folder` and its parents, or an ExportError saying why they cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        raise ExportError(
            f"cannot create the folder {folder}: {blocking or 'a part of it'} is a file"
        ) from None
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {describe_os_error(exc)}") from exc


def describe_os_error(exc: OSError) -> str:
    """'No space left on device', 'Permission denied': the system's words, without errno."""
    return exc.strerror or str(exc)


# What may stay as it is in a linked URL: RFC 3986's unreserved and reserved characters and
# the percent sign of escapes already made. Everything else (quotes, angle brackets, spaces,
# backslashes, backticks, controls) is percent-encoded, so no renderer can end the link early.
_URL_SAFE = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
_LINKED_SCHEMES = ("http", "https")


def _url_char(char: str) -> str:
    if char in _URL_SAFE:
        return char
    # Letters of other scripts read better as they are (a renderer encodes them itself);
    # controls, spaces and format characters (a right-to-left override) never stay raw.
    if ord(char) > 0x7F and unicodedata.category(char)[0] not in "CZ":
        return char
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def linkable_url(url: str | None) -> str | None:
    """The URL as an export may link it, or None when it must only ever be shown as text.

    Only http and https are links: `javascript:`, `file:`, `data:` and every other scheme are
    not, in Markdown as in the PDF book. The scheme must open the string itself, so no
    leading space or control character can hide another one from a browser.
    """
    if not url or not url[:8].lower().startswith(tuple(f"{s}://" for s in _LINKED_SCHEMES)):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed host ("http://[::1") is no link
        return None
    if parts.scheme.lower() not in _LINKED_SCHEMES or not host:
        return None
    return "".join(_url_char(char) for char in url)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
