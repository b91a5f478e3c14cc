"""Fetching a URL: one deadline for the whole fetch, a size cap, a length check and a
content-type check before any reader sees it; redirects only to web addresses; a
conditional GET (ETag / Last-Modified) for callers that poll the same address (feeds).

Every way a fetch can fail (no such host, a refused connection, a server that is not
speaking HTTP, a body cut short, a server dripping bytes) is one IngestError with one
plain line.
"""

from __future__ import annotations

import errno
import http.client
import io
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from clipper import __version__
from clipper.core.ingest.base import IngestError
from clipper.core.ingest.decode import printable

log = logging.getLogger(__name__)

FETCH_TIMEOUT_S = 15.0
MAX_PAGE_BYTES = 10 * 1024 * 1024
ACCEPTED_TYPES = {
    "text/html": "text/html",
    "application/xhtml+xml": "text/html",
    "text/plain": "text/plain",
    "text/markdown": "text/markdown",
    "application/pdf": "application/pdf",
}
_USER_AGENT = f"Clipper/{__version__} (newsroom clipping manager)"
_WEB_SCHEMES = ("http", "https")


def human_size(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.0f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    data: bytes
    media_type: str
    charset: str | None
    status: int = 200
    # The validators the server sent, for the next conditional GET of the same address.
    etag: str | None = None
    last_modified: str | None = None


class _Refusal(Exception):
    """A fetch stopped on purpose inside urllib's machinery; the message is the reason."""


# -- one deadline for the whole fetch --------------------------------------------------------
#
# A socket timeout bounds each read, not the fetch: a server sending a byte every 2 s never
# trips a 15 s timeout. The connections below give every connect, send and read only the
# time left until one deadline, so the fetch as a whole ends on time.


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the fetch's deadline passed")
    return left


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes, each read given only the time left until the deadline."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock = self._owner.sock
        sock.settimeout(_time_left(self._owner.deadline))
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.reader_closed()
        super().close()


class _DeadlineSocket:
    """A connected socket as http.client uses it (sendall, makefile, close), held to a
    deadline. Like a real socket, it stays open while a reader made by makefile() is open:
    urllib closes the connection's socket before the response body is read."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self._readers = 0
        self._closed = False

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def sendall(self, data: bytes) -> None:
        self.sock.settimeout(_time_left(self.deadline))
        self.sock.sendall(data)

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self.sock.close()

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self.sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class _DeadlineHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        self.timeout = _time_left(self._deadline)
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _DeadlineHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, deadline: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def connect(self) -> None:
        # The TLS handshake happens inside; its reads are bounded by the time left now.
        self.timeout = _time_left(self._deadline)
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self._deadline)


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_DeadlineHTTPConnection, deadline=self._deadline), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        # No context given: http.client's default (certificates checked, as urllib does).
        return self.do_open(partial(_DeadlineHTTPSConnection, deadline=self._deadline), req)


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed to http and https addresses only (urllib also follows ftp)."""

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
    ) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location:
            target = urljoin(req.full_url, location.strip())
            if urlsplit(target).scheme.lower() not in _WEB_SCHEMES:
                fp.close()
                raise _Refusal(
                    f"the address redirects to {printable(target)}, which is not a web address "
                    "(only http and https redirects are followed)"
                )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


# -- errors in plain words -------------------------------------------------------------------

_LOOKUP_FAILED = {
    socket.EAI_NONAME: "the address could not be found (no such site)",
    getattr(
        socket, "EAI_NODATA", socket.EAI_NONAME
    ): "the address could not be found (no such site)",
    socket.EAI_AGAIN: "the address could not be looked up (no answer from the name server: "
    "is the network down?)",
}
_SOCKET_ERRNOS = {
    errno.ECONNREFUSED: "the server refused the connection",
    errno.ECONNRESET: "the server broke off the connection",
    errno.ECONNABORTED: "the connection was broken off",
    errno.EPIPE: "the server broke off the connection",
    errno.ENETUNREACH: "the network is unreachable (is this computer offline?)",
    errno.EHOSTUNREACH: "the server cannot be reached",
    errno.EHOSTDOWN: "the server cannot be reached",
    errno.ENETDOWN: "the network is down",
}


def _plain_reason(exc: BaseException) -> str:
    """Why a fetch failed, in words an editor can act on (never "[Errno -2] ...")."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        return _plain_reason(exc.reason)
    if isinstance(exc, urllib.error.URLError):
        return f"cannot fetch ({exc.reason})"
    if isinstance(exc, socket.gaierror):
        return _LOOKUP_FAILED.get(exc.errno or 0, "the address could not be looked up")
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(exc, http.client.BadStatusLine):
        return "the server's answer is not HTTP (bad status line)"
    if isinstance(exc, http.client.LineTooLong):
        # Its message is "got more than 65536 bytes when reading header line".
        what = str(exc).rpartition("when reading ")[2] or "line"
        return f"the server's answer is not HTTP (its {what} is too long)"
    if isinstance(exc, http.client.IncompleteRead):
        return "the page was cut short (the answer stops in the middle or is garbled)"
    if isinstance(exc, http.client.InvalidURL):
        return "this is not a valid web address"
    if isinstance(exc, http.client.HTTPException):
        message = str(exc)
        if message.startswith("got more than"):
            return f"the server's answer is not HTTP (it sent {message.removeprefix('got ')})"
        return "the server's answer is not HTTP"
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or "not trusted"
        return f"the site's security certificate could not be verified ({detail})"
    if isinstance(exc, ssl.SSLError):
        return "the secure connection failed (TLS error)"
    if isinstance(exc, UnicodeError):
        return "this is not a valid web address"
    if isinstance(exc, OSError):
        known = _SOCKET_ERRNOS.get(exc.errno or 0)
        if known:
            return known
        return f"cannot fetch ({exc.strerror or exc})"
    return f"cannot fetch ({exc})"


def _timed_out(url: str, timeout: float, started_body: bool) -> IngestError:
    if started_body:
        return IngestError(
            f"{url}: the page did not arrive in full within {timeout:g} s (timed out)"
        )
    return IngestError(f"{url}: no answer within {timeout:g} s (timed out)")


def _is_timeout(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.URLError):
        return isinstance(exc.reason, TimeoutError)
    return isinstance(exc, TimeoutError)


# -- the fetch -------------------------------------------------------------------------------


def fetch(
    url: str,
    timeout: float | None = None,
    max_bytes: int | None = None,
    *,
    accept: Mapping[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """The page at `url`, or IngestError saying why not (timeout, HTTP error, wrong type, size).

    The limits default to the module's settings, read at each call; `timeout` bounds the
    whole fetch (connecting, redirects, headers and body), not each read. `accept` maps the
    content types wanted to the media type given back (default: the article types,
    ACCEPTED_TYPES). With `etag` or `last_modified` the request is conditional: an unchanged
    resource comes back as `Fetched(status=304, data=b"")`.
    """
    shown = printable(url)  # as messages print it (a pasted address may hold a newline)
    timeout = FETCH_TIMEOUT_S if timeout is None else timeout
    max_bytes = MAX_PAGE_BYTES if max_bytes is None else max_bytes
    accepted = ACCEPTED_TYPES if accept is None else accept
    if urlsplit(url).scheme.lower() not in _WEB_SCHEMES:
        raise IngestError(f"{shown}: only http and https addresses can be imported")
    headers = {
        "User-Agent": _USER_AGENT,
        "Accept": "*/*" if accept is None else ", ".join([*accepted, "*/*;q=0.1"]),
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(
        _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline), _WebOnlyRedirects()
    )
    started_body = False
    try:
        request = urllib.request.Request(url, headers=headers)
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            media_type = accepted.get(content_type)
            if media_type is None:
                if content_type.startswith("image/"):
                    what = "an image"
                else:
                    what = "no article" if accept is None else "nothing accepted here"
                raise IngestError(f"{shown}: the address serves {what} ({content_type})")
            declared = response.length  # None unless the server sent a Content-Length
            if declared is not None and declared > max_bytes:
                raise IngestError(
                    f"{shown}: the page is {human_size(declared)}, over the "
                    f"{human_size(max_bytes)} limit"
                )
            started_body = True
            data = response.read(max_bytes + 1)
            # http.client returns what came when the connection ends early; what is still
            # owed of the Content-Length says the page is incomplete.
            missing = response.length if declared is not None else None
            final_url = response.geturl()
            validators = (response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except IngestError:
        raise
    except _Refusal as exc:
        raise IngestError(f"{shown}: {exc}") from None
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and (etag or last_modified):
            return Fetched(
                url,
                b"",
                "",
                None,
                status=304,
                etag=exc.headers.get("ETag") or etag,
                last_modified=exc.headers.get("Last-Modified") or last_modified,
            )
        if 300 <= exc.code < 400 and "infinite loop" in str(exc.reason):
            raise IngestError(f"{shown}: the address redirects too many times") from None
        reason = str(exc.reason).splitlines()[0] if exc.reason else ""
        raise IngestError(f"{shown}: the server answered {exc.code} {reason}".rstrip()) from None
    except Exception as exc:
        if _is_timeout(exc):
            raise _timed_out(shown, timeout, started_body) from None
        if not isinstance(exc, (OSError, ValueError, http.client.HTTPException)):
            raise
        log.debug("fetching %s failed", url, exc_info=True)
        raise IngestError(f"{shown}: {_plain_reason(exc)}") from None
    if len(data) > max_bytes:
        raise IngestError(f"{shown}: the page is over the {human_size(max_bytes)} limit")
    if missing:
        assert declared is not None
        raise IngestError(
            f"{shown}: the page was cut short ({len(data):,} of the {declared:,} bytes the "
            "server announced arrived)"
        )
    if not data.strip():
        raise IngestError(f"{shown}: the page is empty")
    return Fetched(
        final_url, data, media_type, charset, etag=validators[0], last_modified=validators[1]
    )
