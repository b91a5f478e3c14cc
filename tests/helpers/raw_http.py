"""A raw-socket server on 127.0.0.1 for answers no well-behaved HTTP server gives: a bad status
line, hundreds of headers, a body cut short, bytes dripped one at a time.

`raw_server(answer)` yields the server's base URL; for each connection the request's head is
read, then `answer(path, send)` is called, where `send(data, drip=0.0)` writes the bytes (one at
a time, `drip` seconds apart, when `drip` is given). The connection is closed when `answer`
returns, which is how a body is cut short. `tls_server` serves the same over TLS, with a
certificate from `self_signed_certificate`.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

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
def raw_server(
    answer: Answer, wrap: Callable[[socket.socket], socket.socket | None] | None = None
) -> Iterator[str]:
    """A server answering every request with `answer` (see the module notes); yields its URL.
    `wrap` turns each accepted connection into the one to serve (TLS), or None to drop it."""
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
            if wrap is not None:
                conn.settimeout(5)
                wrapped = wrap(conn)
                if wrapped is None:
                    continue
                conn = wrapped
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


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself, and its key, written to `folder`."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def tls_server(answer: Answer, cert: Path, key: Path) -> Iterator[str]:
    """`raw_server` over TLS with this certificate; yields its https URL."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def secured(conn: socket.socket) -> socket.socket | None:
        try:
            return context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()  # the client refused the certificate
            return None

    with raw_server(answer, wrap=secured) as base:
        yield base.replace("http://", "https://", 1)
