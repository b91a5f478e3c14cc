"""Hostile and broken web servers through `clipper import URL`: answers that are not HTTP,
hundreds of headers, bodies cut short (by Content-Length or mid-chunk), a server dripping a
byte at a time, redirects to ftp://, and network failures, each one plain line on stderr and
the rest of the batch imported. Every server is on 127.0.0.1 (raw sockets for the broken
answers); the failed name lookup is the resolver's own error, raised in place of a lookup."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.ingest import InputItem, import_inputs
from clipper.core.ingest import url as url_module
from clipper.core.ingest.url import fetch
from tests.helpers.documents import ARTICLE
from tests.helpers.raw_http import Send, raw_server, self_signed_certificate, tls_server
from tests.helpers.web import local_server

Route = Callable[..., str]

STORY = "\n\n".join(" ".join(lines) for lines in ARTICLE)
PAGE = (
    "<html><head><title>Sahel juntas quit West African bloc</title></head><body><article>"
    + "".join(f"<p>{paragraph}</p>" for paragraph in STORY.split("\n\n"))
    + "</article></body></html>"
).encode()


def _head(*lines: str) -> bytes:
    return ("\r\n".join(["HTTP/1.1 200 OK", *lines]) + "\r\n\r\n").encode()


def _import(
    capsys: pytest.CaptureFixture[str], archive: Path, *inputs: str
) -> tuple[int, str, str]:
    """`clipper import` of the inputs; the exit code, stdout and stderr."""
    code = main(["--archive", str(archive), "import", *inputs])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _answers(path: str, send: Send) -> None:
    """The raw server's broken answers, one per path."""
    if path == "/bad-status":
        send(b"HTCPCP/1.0 I'm a teapot\r\n\r\n")
    elif path == "/no-answer":
        return
    elif path == "/many-headers":
        send(_head("Content-Type: text/html", *[f"X-Header-{i}: {i}" for i in range(150)]))
        send(PAGE)
    elif path == "/long-header":
        send(_head("Content-Type: text/html", "X-Long: " + "a" * 70_000))
    elif path == "/cut-length":
        send(_head("Content-Type: text/html", f"Content-Length: {len(PAGE) + 5000}"))
        send(PAGE)  # 5,000 bytes short, then the connection closes
    elif path == "/cut-chunked":
        send(_head("Content-Type: text/html", "Transfer-Encoding: chunked"))
        send(f"{len(PAGE):x}\r\n".encode() + PAGE + b"\r\n" + b"4000\r\n" + b"<p>and then")
    elif path == "/garbled-chunks":
        send(_head("Content-Type: text/html", "Transfer-Encoding: chunked"))
        send(b"zz\r\n" + PAGE)
    elif path == "/drip-head":
        send(_head("Content-Type: text/html", f"Content-Length: {len(PAGE)}"), drip=0.05)
    elif path == "/drip-body":
        send(_head("Content-Type: text/html", f"Content-Length: {len(PAGE)}"))
        send(PAGE, drip=0.05)
    elif path == "/to-ftp":
        send(b"HTTP/1.1 302 Found\r\nLocation: ftp://127.0.0.1/pub/story.html\r\n")
        send(b"Content-Length: 0\r\n\r\n")
    elif path == "/to-file":
        send(b"HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")
    elif path == "/loop":
        send(b"HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n")
    elif path == "/whole-chunked":
        send(_head("Content-Type: text/html; charset=utf-8", "Transfer-Encoding: chunked"))
        send(f"{len(PAGE):x}\r\n".encode() + PAGE + b"\r\n0\r\n\r\n")


MALFORMED = {
    "/bad-status": "the server's answer is not HTTP (bad status line)",
    "/no-answer": "the server closed the connection without answering",
    "/many-headers": "the server's answer is not HTTP (it sent more than 100 headers)",
    "/long-header": "the server's answer is not HTTP (its header line is too long)",
    "/cut-length": f"the page was cut short ({len(PAGE):,} of the {len(PAGE) + 5000:,} bytes "
    "the server announced arrived)",
    "/cut-chunked": "the page was cut short (the answer stops in the middle or is garbled)",
    "/garbled-chunks": "the page was cut short (the answer stops in the middle or is garbled)",
    "/to-ftp": "the address redirects to ftp://127.0.0.1/pub/story.html, which is not a web "
    "address (only http and https redirects are followed)",
    "/to-file": "the address redirects to file:///etc/passwd, which is not a web address "
    "(only http and https redirects are followed)",
    "/loop": "the address redirects too many times",
}


@pytest.mark.parametrize("path", list(MALFORMED))
def test_a_broken_answer_is_one_plain_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STORY, encoding="utf-8")
    with raw_server(_answers) as base:
        code, out, err = _import(capsys, tmp_path / "archive", base + path, str(good))
    assert code == 1
    assert err.splitlines() == [f"error: {base}{path}: {MALFORMED[path]}"]
    # The good file after it was imported all the same.
    assert out.splitlines() == [f"imported {good} as #1"]


def test_a_whole_chunked_page_imports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(_answers) as base:
        code, out, err = _import(capsys, tmp_path / "archive", base + "/whole-chunked")
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"imported {base}/whole-chunked as #1"]


@pytest.mark.parametrize("path", ["/drip-head", "/drip-body"])
def test_a_server_dripping_bytes_is_held_to_one_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    # Each byte comes well within the timeout, so a per-read timeout never fires; the whole
    # page would take minutes (a byte every 50 ms), the deadline is one second.
    monkeypatch.setattr(url_module, "FETCH_TIMEOUT_S", 1.0)
    with raw_server(_answers) as base:
        code, _out, err = _import(capsys, tmp_path / "archive", base + path)
    assert code == 1
    what = "no answer" if path == "/drip-head" else "the page did not arrive in full"
    assert err.splitlines() == [f"error: {base}{path}: {what} within 1 s (timed out)"]


def test_redirects_between_web_addresses_are_followed() -> None:
    with local_server() as route:
        page = route("/story", 200, "text/html", PAGE)

        def moved(path: str, send: Send) -> None:
            send(f"HTTP/1.1 301 Moved\r\nLocation: {page}\r\nContent-Length: 0\r\n\r\n".encode())

        with raw_server(moved) as base:
            fetched = fetch(base + "/old")
    assert (fetched.url, fetched.data) == (page, PAGE)


def test_a_refused_connection_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A port nobody listens on: bound, then closed before the fetch.
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    address = f"http://127.0.0.1:{port}/story"
    code, _out, err = _import(capsys, tmp_path / "archive", address)
    assert code == 1
    assert err.splitlines() == [f"error: {address}: the server refused the connection"]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            "the address could not be found (no such site)",
        ),
        (
            socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
            "the address could not be looked up (no answer from the name server: "
            "is the network down?)",
        ),
    ],
)
def test_a_failed_name_lookup_is_said_in_words_not_errno(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: socket.gaierror,
    reason: str,
) -> None:
    # The resolver's own error, raised where it would come from; no lookup leaves the machine.
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise error

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    address = "http://no-such-site.example/story"
    code, _out, err = _import(capsys, tmp_path / "archive", address)
    assert code == 1
    assert err.splitlines() == [f"error: {address}: {reason}"]
    assert "Errno" not in err


def _tls_answers(path: str, send: Send) -> None:
    if path == "/story":
        send(_head("Content-Type: text/html", f"Content-Length: {len(PAGE)}") + PAGE)
    else:
        _answers(path, send)


def test_an_untrusted_certificate_is_said_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with tls_server(_tls_answers, cert, key) as base:
        code, _out, err = _import(capsys, tmp_path / "archive", base + "/story")
    assert code == 1
    assert err.splitlines() == [
        f"error: {base}/story: the site's security certificate could not be verified "
        "(self-signed certificate)"
    ]


def test_https_pages_are_fetched_and_held_to_the_deadline_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The certificate trusted the way a newsroom trusts its own CA (OpenSSL's SSL_CERT_FILE).
    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setattr(url_module, "FETCH_TIMEOUT_S", 1.0)
    with tls_server(_tls_answers, cert, key) as base:
        fetched = fetch(base + "/story")
        code, _out, err = _import(capsys, tmp_path / "archive", base + "/drip-body")
    assert (fetched.status, fetched.data, fetched.media_type) == (200, PAGE, "text/html")
    assert code == 1
    assert err.splitlines() == [
        f"error: {base}/drip-body: the page did not arrive in full within 1 s (timed out)"
    ]


def test_the_window_s_batch_driver_gives_the_same_plain_line(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The window's review panel shows ImportOutcome.error as it comes from import_inputs.
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    address = "https://no-such-site.example/2024/01/28/story"
    (outcome,) = import_inputs(archive, [InputItem(label=address, url=address)])
    assert outcome.ok is False
    assert outcome.error == f"{address}: the address could not be found (no such site)"


def test_an_address_with_a_newline_is_one_escaped_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    address = "http://127.0.0.1:9/story\nInjected: header"
    code, _out, err = _import(capsys, tmp_path / "archive", address)
    assert code == 1
    assert err.splitlines() == [
        "error: http://127.0.0.1:9/story\\nInjected: header: this is not a valid web address"
    ]
