"""A web server on 127.0.0.1 for tests that fetch pages (no test reaches the network):
`route(path, status, media_type, body, delay)` serves `body` at `path` and returns its URL.

A route may carry validators (`etag=`, `last_modified=`): a request that sends them back
(If-None-Match / If-Modified-Since) gets 304 Not Modified, as a feed server answers a poll.
`route.requests` lists (path, request headers) of every request, in order.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

Route = Callable[..., str]


@dataclass(frozen=True)
class _Page:
    status: int
    media_type: str
    body: bytes
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, _Page]] = {}
    requests: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def do_GET(self) -> None:
        self.requests.append((self.path, dict(self.headers.items())))
        page = self.routes.get(self.path, _Page(404, "text/plain", b"not found"))
        if page.delay:
            time.sleep(page.delay)
        try:
            if self._not_modified(page):
                self.send_response(304)
                if page.etag:
                    self.send_header("ETag", page.etag)
                self.end_headers()
                return
            self.send_response(page.status)
            self.send_header("Content-Type", page.media_type)
            self.send_header("Content-Length", str(len(page.body)))
            if page.etag:
                self.send_header("ETag", page.etag)
            if page.last_modified:
                self.send_header("Last-Modified", page.last_modified)
            self.end_headers()
            self.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _not_modified(self, page: _Page) -> bool:
        if page.etag and self.headers.get("If-None-Match") == page.etag:
            return True
        return bool(
            page.last_modified and self.headers.get("If-Modified-Since") == page.last_modified
        )

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class _Router:
    """`route(...)` of a running server (see the module notes)."""

    base: str
    routes: dict[str, _Page]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __call__(
        self,
        path: str,
        status: int,
        media_type: str,
        body: bytes,
        delay: float = 0.0,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        self.routes[path] = _Page(status, media_type, body, delay, etag, last_modified)
        return f"{self.base}{path}"

    def paths(self) -> list[str]:
        """The paths requested so far, in order."""
        return [path for path, _headers in self.requests]


@contextmanager
def local_server() -> Iterator[_Router]:
    """A threading HTTP server on 127.0.0.1 for the block; yields `route`."""
    routes: dict[str, _Page] = {}
    requests: list[tuple[str, dict[str, str]]] = []
    handler = type("Handler", (_Handler,), {"routes": routes, "requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield _Router(f"http://{host}:{port}", routes, requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
