"""The browser connector: a small HTTP endpoint on 127.0.0.1, open while the window is, that
takes "Send to Clipper" clips from the WebExtension and the bookmarklet
(resources/connector/) and puts them through the same import as a drop.

Served with Qt's non-blocking sockets on the GUI thread: each request is a few reads of at
most `MAX_BODY_BYTES`, parsed in microseconds, and the import itself runs on the import
worker like any drop, so the window never waits for a browser.

What keeps other pages and programs out (Zotero's connector and Joplin's clipper show the
holes that are there otherwise):
- It binds 127.0.0.1 only, on `DEFAULT_PORT` or the first free port of the range after it.
- Every request must name the connector's host (127.0.0.1 or localhost and our port): a page
  that points its own domain at 127.0.0.1 (DNS rebinding) is refused.
- Every POST must carry `X-Clipper-Connector: 1`. A web page can only send such a header
  after a CORS preflight, and the preflight is answered for browser extensions' origins and
  the connector's own page, never with a wildcard, so a page's form or script cannot post.
- Clips need a token. The editor pairs a browser once: Preferences shows a six-digit code,
  the extension sends it to `POST /v1/pair` and gets a token back (kept hashed in the
  settings, tied to the origin that paired). Five wrong codes make a new code.
- Preflights answer Chromium's Private Network Access / Local Network Access question
  (`Access-Control-Request-Private-Network`) only for those same origins.
- Anything else gets a JSON error with the reason: wrong method, unknown path, a body over
  the cap, malformed JSON, a bad token.

Signals of `Connector` are listed on the class.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, QTimer, Signal
from PySide6.QtNetwork import QHostAddress, QTcpServer, QTcpSocket

from clipper import __version__
from clipper.core.ingest import InputItem
from clipper.core.paths import RESOURCES_DIR
from clipper.ui.importer import ImportBatch, ImportController, ImportEntry

log = logging.getLogger(__name__)

DEFAULT_PORT = 23140  # Zotero's connector has 23119; this range is free of it
PORT_RANGE = 10  # 23140-23149
MAX_HEADER_BYTES = 16 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024  # a full page's DOM is rarely above 2 MB
MAX_TAGS = 50
REQUEST_TIMEOUT_MS = 15_000  # a client that stops sending mid-request
CLIP_WAIT_MS = 120_000  # then the answer says the clip is still being read
WRONG_CODES_BEFORE_NEW_CODE = 5
CONNECTOR_HEADER = b"x-clipper-connector"
EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://", "safari-web-extension://")
BOOKMARKLET_PAGE = RESOURCES_DIR / "connector" / "bookmarklet" / "page.html"
TOKENS_KEY = "connector/tokens"
ENABLED_KEY = "connector/enabled"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_pairing_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class HttpError(Exception):
    """A request refused with a status and a reason for the JSON answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    path: str
    headers: dict[bytes, bytes]
    body: bytes = b""

    def header(self, name: bytes) -> str:
        return self.headers.get(name, b"").decode("latin-1").strip()


@dataclass
class Exchange:
    """One connection: what has arrived so far and, once parsed, the request."""

    socket: QTcpSocket
    buffer: bytearray = field(default_factory=bytearray)
    request: Request | None = None
    length: int = 0
    answered: bool = False
    # Refused before its body arrived (too big): read and drop the rest, so the client gets
    # to read the answer instead of a reset connection.
    draining: int = 0


def parse_head(head: bytes) -> tuple[str, str, dict[bytes, bytes]]:
    """The request line and headers (names lower-cased), or HttpError(400)."""
    lines = head.split(b"\r\n")
    try:
        method, target, version = lines[0].decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "not an HTTP request") from None
    if not version.startswith("HTTP/1."):
        raise HttpError(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.x is spoken here")
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise HttpError(HTTPStatus.BAD_REQUEST, "a malformed header line")
        headers[name.strip().lower()] = value.strip()
    return method, target.split("?", 1)[0], headers


def clip_input(payload: Any) -> tuple[InputItem, list[str]]:
    """The import input and the tags (as typed) of a `/v1/clip` body, or HttpError(400)."""
    if not isinstance(payload, dict):
        raise HttpError(HTTPStatus.BAD_REQUEST, "the body must be a JSON object")
    url = payload.get("url")
    title = payload.get("title") or ""
    selection = payload.get("selection") or ""
    page = payload.get("html") or ""
    tags = payload.get("tags") or []
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise HttpError(HTTPStatus.BAD_REQUEST, "'url' must be the page's http(s) address")
    if not all(isinstance(v, str) for v in (title, selection, page)):
        raise HttpError(HTTPStatus.BAD_REQUEST, "'title', 'selection' and 'html' must be text")
    if not selection.strip() and not page.strip():
        raise HttpError(HTTPStatus.BAD_REQUEST, "send the page's 'html' or a 'selection'")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise HttpError(HTTPStatus.BAD_REQUEST, "'tags' must be a list of names")
    if len(tags) > MAX_TAGS:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"at most {MAX_TAGS} tags")
    if selection.strip():
        # A selection is a fragment: its page's title comes with it, for the headline.
        text = (
            f"<html><head><title>{html.escape(title)}</title></head>"
            f"<body><article>{selection}</article></body></html>"
        )
    else:
        text = page
    label = title.strip() or url
    item = InputItem(label=label, text=text, media_type="text/html", url=url)
    return item, [t.strip() for t in tags if t.strip()]


class Connector(QObject):
    """The endpoint; `port` is where it listens (None when it does not).

    Signals:
        listening_changed(): started, stopped or moved port.
        code_changed(str): a new pairing code to show.
        paired(str): a browser paired (its origin).
        clip_received(str): a clip arrived (its label) and went to the importer.
    """

    listening_changed = Signal()
    code_changed = Signal(str)
    paired = Signal(str)
    clip_received = Signal(str)

    def __init__(
        self, importer: ImportController, settings: QSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.importer = importer
        self.settings = settings
        self.server = QTcpServer(self)
        self.server.newConnection.connect(self._on_new_connection)
        self.port: int | None = None
        self.pairing_code = new_pairing_code()
        self.wrong_codes = 0
        self._waiting: dict[int, Exchange] = {}  # batch number -> the clip's connection
        importer.entry_changed.connect(self._on_entry)

    # -- listening ---------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return bool(self.settings.value(ENABLED_KEY, True, bool))

    def start(self, first_port: int = DEFAULT_PORT, tries: int = PORT_RANGE) -> int | None:
        """Listen on the first free port from `first_port`; None when all are taken."""
        self.stop()
        for port in range(first_port, first_port + tries):
            if self.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), port):
                self.port = port
                log.info("the browser connector listens on 127.0.0.1:%d", port)
                self.listening_changed.emit()
                return port
        log.warning(
            "the browser connector found no free port in %d-%d", first_port, first_port + tries - 1
        )
        self.listening_changed.emit()
        return None

    def stop(self) -> None:
        if self.server.isListening():
            self.server.close()
        if self.port is not None:
            self.port = None
            self.listening_changed.emit()

    def set_enabled(self, enabled: bool) -> None:
        self.settings.setValue(ENABLED_KEY, enabled)
        if enabled and self.port is None:
            self.start()
        elif not enabled:
            self.stop()

    # -- pairing -----------------------------------------------------------------------------

    def new_code(self) -> str:
        self.pairing_code = new_pairing_code()
        self.wrong_codes = 0
        self.code_changed.emit(self.pairing_code)
        return self.pairing_code

    def _tokens(self) -> list[dict[str, str]]:
        raw = self.settings.value(TOKENS_KEY, "[]")
        try:
            tokens = json.loads(str(raw))
        except ValueError:
            return []
        return [t for t in tokens if isinstance(t, dict)] if isinstance(tokens, list) else []

    @property
    def paired_count(self) -> int:
        return len(self._tokens())

    def forget_browsers(self) -> None:
        self.settings.setValue(TOKENS_KEY, "[]")
        self.paired.emit("")

    def _pair(self, code: str, origin: str) -> str:
        if not secrets.compare_digest("".join(code.split()), self.pairing_code):
            self.wrong_codes += 1
            if self.wrong_codes >= WRONG_CODES_BEFORE_NEW_CODE:
                self.new_code()
            raise HttpError(HTTPStatus.FORBIDDEN, "wrong pairing code")
        token = secrets.token_urlsafe(32)
        tokens = [*self._tokens(), {"digest": token_digest(token), "origin": origin}]
        self.settings.setValue(TOKENS_KEY, json.dumps(tokens))
        self.settings.sync()
        self.new_code()  # a code pairs one browser
        self.paired.emit(origin)
        return token

    def _check_token(self, request: Request, origin: str) -> None:
        auth = request.header(b"authorization")
        if not auth.lower().startswith("bearer "):
            raise HttpError(HTTPStatus.UNAUTHORIZED, "not paired: pair this browser first")
        digest = token_digest(auth[7:].strip())
        for known in self._tokens():
            if secrets.compare_digest(known.get("digest", ""), digest):
                if known.get("origin", "") not in ("", origin):
                    raise HttpError(HTTPStatus.FORBIDDEN, "this token was paired elsewhere")
                return
        raise HttpError(HTTPStatus.UNAUTHORIZED, "unknown token: pair this browser again")

    # -- HTTP --------------------------------------------------------------------------------

    def _on_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            exchange = Exchange(socket)
            socket.readyRead.connect(lambda e=exchange: self._on_ready_read(e))
            socket.disconnected.connect(lambda e=exchange: self._on_disconnected(e))
            timer = QTimer(socket, singleShot=True, interval=REQUEST_TIMEOUT_MS)
            timer.timeout.connect(lambda e=exchange: self._on_request_timeout(e))
            timer.start()

    def _on_disconnected(self, exchange: Exchange) -> None:
        exchange.answered = True  # nobody to answer any more (a clip still gets stored)
        for number, waiting in list(self._waiting.items()):
            if waiting is exchange:
                del self._waiting[number]
        exchange.socket.deleteLater()

    def _on_request_timeout(self, exchange: Exchange) -> None:
        if exchange.draining:
            exchange.draining = 0
            exchange.socket.disconnectFromHost()
        elif exchange.request is None or len(exchange.buffer) < exchange.length:
            self._answer(exchange, HTTPStatus.REQUEST_TIMEOUT, {"error": "the request was cut"})

    def _on_ready_read(self, exchange: Exchange) -> None:
        data = bytes(exchange.socket.readAll().data())
        if exchange.draining:
            exchange.draining -= min(len(data), exchange.draining)
            if not exchange.draining:
                exchange.socket.disconnectFromHost()
            return
        if exchange.answered:
            return
        exchange.buffer += data
        try:
            if exchange.request is None:
                end = exchange.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(exchange.buffer) > MAX_HEADER_BYTES:
                        raise HttpError(
                            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too big"
                        )
                    return
                method, path, headers = parse_head(bytes(exchange.buffer[:end]))
                del exchange.buffer[: end + 4]
                exchange.request = Request(method, path, headers)
                declared = exchange.request.header(b"content-length")
                exchange.length = int(declared) if declared.isdigit() else 0
                self._content_length(exchange.request)
            if len(exchange.buffer) < exchange.length:
                return
            exchange.request.body = bytes(exchange.buffer[: exchange.length])
            self._handle(exchange, exchange.request)
        except HttpError as error:
            self._answer(exchange, error.status, {"error": error.message})
        except Exception as exc:  # a bug must not take the window down; the browser is told
            log.exception("the connector failed on a request")
            self._answer(exchange, HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(exc)})

    @staticmethod
    def _content_length(request: Request) -> int:
        if request.header(b"transfer-encoding"):
            raise HttpError(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length, not chunks")
        value = request.header(b"content-length") or "0"
        if not value.isdigit():
            raise HttpError(HTTPStatus.BAD_REQUEST, "a malformed Content-Length")
        length = int(value)
        if length > MAX_BODY_BYTES:
            raise HttpError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the clip is over the {MAX_BODY_BYTES // 2**20} MB limit",
            )
        return length

    def _allowed_origin(self, origin: str) -> bool:
        """Extensions' pages and the connector's own page; never a web site."""
        own = {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}
        return origin.startswith(EXTENSION_SCHEMES) or origin in own

    def _handle(self, exchange: Exchange, request: Request) -> None:
        host = request.header(b"host").lower()
        if host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            raise HttpError(HTTPStatus.FORBIDDEN, "wrong Host: the connector answers 127.0.0.1")
        origin = request.header(b"origin")
        if origin and not self._allowed_origin(origin):
            raise HttpError(
                HTTPStatus.FORBIDDEN,
                "web pages cannot send to Clipper: use the extension or the bookmarklet",
            )
        if request.method == "OPTIONS":
            self._answer(exchange, HTTPStatus.NO_CONTENT, None, preflight=True)
            return
        routes: dict[str, tuple[str, Callable[[Exchange, Request, str], None]]] = {
            "/v1/ping": ("GET", self._ping),
            "/v1/pair": ("POST", self._on_pair),
            "/v1/clip": ("POST", self._on_clip),
            "/v1/bookmarklet": ("GET", self._bookmarklet_page),
        }
        if request.path not in routes:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no {request.path} here")
        method, handler = routes[request.path]
        if request.method != method:
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{request.path} takes {method}")
        if method == "POST":
            if request.header(CONNECTOR_HEADER) != "1":
                raise HttpError(HTTPStatus.FORBIDDEN, "missing the X-Clipper-Connector header")
            if request.header(b"content-type").split(";")[0].strip() != "application/json":
                raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
        handler(exchange, request, origin)

    @staticmethod
    def _json(request: Request) -> Any:
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"malformed JSON ({exc})") from None

    def _ping(self, exchange: Exchange, request: Request, origin: str) -> None:
        self._answer(exchange, HTTPStatus.OK, {"app": "clipper", "version": __version__})

    def _on_pair(self, exchange: Exchange, request: Request, origin: str) -> None:
        payload = self._json(request)
        code = payload.get("code") if isinstance(payload, dict) else None
        if not isinstance(code, str):
            raise HttpError(HTTPStatus.BAD_REQUEST, "send the code Clipper shows as 'code'")
        self._answer(exchange, HTTPStatus.OK, {"token": self._pair(code, origin)})

    def _on_clip(self, exchange: Exchange, request: Request, origin: str) -> None:
        self._check_token(request, origin)
        item, typed_tags = clip_input(self._json(request))
        tags = [self._typed_tag(t) for t in typed_tags]
        batch = self.importer.start([item], tags=tags)
        self.clip_received.emit(item.label)
        finished = self._finished_entry(batch)
        if finished is not None:  # read and stored at once (synchronous workers)
            self._answer_clip(exchange, finished)
            return
        self._waiting[batch.number] = exchange
        QTimer.singleShot(CLIP_WAIT_MS, lambda: self._on_clip_wait_over(batch.number))

    def _typed_tag(self, text: str) -> tuple[str, str]:
        """'topic:Security', 'region:Sahel', or a bare name: a region when the archive knows
        one by that name (as the reader's tag field reads it)."""
        kind, sep, name = text.partition(":")
        if sep and kind.strip().lower() in ("topic", "region") and name.strip():
            return kind.strip().lower(), name.strip()
        found = self.importer.archive.find_tag("region", text)
        return ("region" if found is not None else "topic"), text

    def _bookmarklet_page(self, exchange: Exchange, request: Request, origin: str) -> None:
        page = BOOKMARKLET_PAGE.read_bytes()
        # Its own inline script and requests to this origin only; never inside a frame, so
        # no site can overlay it and steer the editor's click.
        policy = (
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "connect-src 'self'; frame-ancestors 'none'"
        )
        self._answer(
            exchange,
            HTTPStatus.OK,
            page,
            content_type="text/html; charset=utf-8",
            extra_headers=[f"Content-Security-Policy: {policy}", "X-Frame-Options: DENY"],
        )

    # -- what became of a clip ---------------------------------------------------------------

    @staticmethod
    def _finished_entry(batch: ImportBatch) -> ImportEntry | None:
        done = [e for e in batch.entries if e.status != "reading"]
        return done[0] if done else None

    def _on_entry(self, batch: ImportBatch, entry: ImportEntry) -> None:
        exchange = self._waiting.get(batch.number)
        if exchange is None or entry.status == "reading":
            return
        del self._waiting[batch.number]
        self._answer_clip(exchange, entry)

    def _on_clip_wait_over(self, number: int) -> None:
        exchange = self._waiting.pop(number, None)
        if exchange is not None:
            message = "Clipper is still reading it; it will appear in the window"
            self._answer(exchange, HTTPStatus.ACCEPTED, {"status": "queued", "message": message})

    def _answer_clip(self, exchange: Exchange, entry: ImportEntry) -> None:
        title = entry.draft.title if entry.draft else entry.label
        if entry.status == "stored":
            body = {
                "status": "stored",
                "id": entry.clipping_id,
                "title": title,
                "message": f"clipped as #{entry.clipping_id}",
            }
            self._answer(exchange, HTTPStatus.CREATED, body)
        elif entry.status == "exists":
            number = entry.duplicate_of or entry.clipping_id
            body = {"status": "exists", "id": number, "message": f"already clipped as #{number}"}
            self._answer(exchange, HTTPStatus.OK, body)
        elif entry.status == "held":
            body = {
                "status": "held",
                "duplicate_of": entry.duplicate_of,
                "message": f"looks like #{entry.duplicate_of}: keep or skip it in Clipper's "
                "import review",
            }
            self._answer(exchange, HTTPStatus.ACCEPTED, body)
        else:
            error = entry.error or "could not be read"
            self._answer(
                exchange, HTTPStatus.UNPROCESSABLE_ENTITY, {"status": "failed", "error": error}
            )

    def _answer(
        self,
        exchange: Exchange,
        status: HTTPStatus,
        body: dict[str, Any] | bytes | None,
        preflight: bool = False,
        content_type: str = "application/json",
        extra_headers: Sequence[str] = (),
    ) -> None:
        if exchange.answered:
            return
        exchange.answered = True
        request = exchange.request
        origin = request.header(b"origin") if request else ""
        data = json.dumps(body).encode("utf-8") if isinstance(body, dict) else (body or b"")
        headers = [
            f"HTTP/1.1 {status.value} {status.phrase}",
            f"Content-Length: {len(data)}",
            "Connection: close",
            "Cache-Control: no-store",
            "X-Content-Type-Options: nosniff",
            "Vary: Origin",
        ]
        if data:
            headers.append(f"Content-Type: {content_type}")
        headers += extra_headers
        if origin and self._allowed_origin(origin):
            headers.append(f"Access-Control-Allow-Origin: {origin}")
            if preflight:
                headers += [
                    "Access-Control-Allow-Methods: GET, POST",
                    "Access-Control-Allow-Headers: Content-Type, Authorization, "
                    "X-Clipper-Connector",
                    "Access-Control-Max-Age: 600",
                ]
                if request and request.header(b"access-control-request-private-network"):
                    headers.append("Access-Control-Allow-Private-Network: true")
        socket = exchange.socket
        socket.write(QByteArray(("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + data))
        socket.flush()
        unread = exchange.length - len(exchange.buffer) if request is not None else 0
        if unread > 0:
            exchange.draining = unread
        else:
            socket.disconnectFromHost()
