"""A raw-socket server on 127.0.0.1 for answers no well-behaved HTTP server gives: a bad status
line, hundreds of headers, a body cut short, bytes dripped one at a time.

`raw_server(answer)` yields the server's base URL; for each connection the request's head is
read, then `answer(path, send)` is called, where `send(data, drip=0.0)` writes the bytes (one at
a time, `drip` seconds apart, when `drip` is given). The connection is closed when `answer`
returns, which is how a body is cut short.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Send = Callable[..., None]
Answer = Callable[[str, Send], None]


def _serve_one(conn: socket.socket, answer: Answer, stop: threading.Event) -> None:
    with conn:
        conn.settimeout(5)
        head = b""
        try:
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
        except OSError:
            return
        path = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else "/"

        def send(data: bytes, drip: float = 0.0) -> None:
            if not drip:
                conn.sendall(data)
                return
            for i in range(len(data)):
                if stop.is_set():
                    return
                conn.sendall(data[i : i + 1])
                time.sleep(drip)

        # OSError: the client gave up (as it should, on a dripping server).
        with contextlib.suppress(OSError):
            answer(path, send)


@contextmanager
def raw_server(answer: Answer) -> Iterator[str]:
    """A server answering every request with `answer` (see the module notes); yields its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=_serve_one, args=(conn, answer, stop), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    host, port = listener.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for worker in workers:
            worker.join(timeout=5)
