"""Fetching a URL: a timeout, a size cap and a content-type check before any reader sees it;
a conditional GET (ETag / Last-Modified) for callers that poll the same address (feeds)."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from clipper import __version__
from clipper.core.ingest.base import IngestError

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

    The limits default to the module's settings, read at each call. `accept` maps the content
    types wanted to the media type given back (default: the article types, ACCEPTED_TYPES).
    With `etag` or `last_modified` the request is conditional: an unchanged resource comes
    back as `Fetched(status=304, data=b"")`.
    """
    timeout = FETCH_TIMEOUT_S if timeout is None else timeout
    max_bytes = MAX_PAGE_BYTES if max_bytes is None else max_bytes
    accepted = ACCEPTED_TYPES if accept is None else accept
    if urlsplit(url).scheme not in ("http", "https"):
        raise IngestError(f"{url}: only http and https addresses can be imported")
    headers = {
        "User-Agent": _USER_AGENT,
        "Accept": "*/*" if accept is None else ", ".join([*accepted, "*/*;q=0.1"]),
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            media_type = accepted.get(content_type)
            if media_type is None:
                if content_type.startswith("image/"):
                    what = "an image"
                else:
                    what = "no article" if accept is None else "nothing accepted here"
                raise IngestError(f"{url}: the address serves {what} ({content_type})")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise IngestError(
                    f"{url}: the page is {human_size(int(length))}, over the "
                    f"{human_size(max_bytes)} limit"
                )
            data = response.read(max_bytes + 1)
            final_url = response.geturl()
            validators = (response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except IngestError:
        raise
    except urllib.error.HTTPError as exc:
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
        raise IngestError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise IngestError(f"{url}: no answer within {timeout:g} s (timed out)") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise IngestError(f"{url}: no answer within {timeout:g} s (timed out)") from None
        raise IngestError(f"{url}: cannot fetch ({reason})") from None
    except (OSError, ValueError) as exc:
        raise IngestError(f"{url}: cannot fetch ({exc})") from None
    if len(data) > max_bytes:
        raise IngestError(f"{url}: the page is over the {human_size(max_bytes)} limit")
    if not data.strip():
        raise IngestError(f"{url}: the page is empty")
    return Fetched(
        final_url, data, media_type, charset, etag=validators[0], last_modified=validators[1]
    )
