"""A web server on 127.0.0.1 for tests that fetch pages (no test reaches the network):
`route(path, status, media_type, body, delay)` serves `body` at `path` and returns its URL."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ClassVar

Route = Callable[..., str]


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes, float]]] = {}

    def do_GET(self) -> None:
        status, media_type, body, delay = self.routes.get(
            self.path, (404, "text/plain", b"not found", 0.0)
        )
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def local_server() -> Iterator[Route]:
    """A threading HTTP server on 127.0.0.1 for the block; yields `route`."""
    routes: dict[str, tuple[int, str, bytes, float]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]

    def route(path: str, status: int, media_type: str, body: bytes, delay: float = 0.0) -> str:
        routes[path] = (status, media_type, body, delay)
        return f"http://{host}:{port}{path}"

    try:
        yield route
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
