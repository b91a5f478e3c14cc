"""The browser connector under a real window: real HTTP requests on loopback, made from a
thread as a browser would while the window's event loop runs. Pairing with the code that
Preferences shows, clips through the import and the review panel, and every refusal."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QHostAddress, QTcpServer

from clipper.ui.connector import DEFAULT_PORT, MAX_BODY_BYTES, Connector
from clipper.ui.main_window import MainWindow
from clipper.ui.preferences import PreferencesDialog
from tests.helpers.documents import corpus_page

# Dialogs on the offscreen platform say this once; it is not about what is tested.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
PAGE_URL = "https://news.example/senate-adjourns"


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def request(
    qtbot,  # type: ignore[no-untyped-def]
    port: int,
    method: str,
    path: str,
    body: bytes | dict | None = None,
    headers: dict[str, str] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> Answer:
    """Send one request from another thread, keeping the window's event loop running."""
    sent = {"Host": f"127.0.0.1:{port}"}
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
        sent["X-Clipper-Connector"] = "1"
    sent.update(headers or {})
    result: dict[str, Answer | BaseException] = {}

    def go() -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            result["answer"] = Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
            connection.close()
        except (OSError, http.client.HTTPException) as exc:
            result["answer"] = exc

    thread = threading.Thread(target=go)
    thread.start()
    if while_waiting is not None:
        while_waiting()
    qtbot.waitUntil(lambda: "answer" in result, timeout=20000)
    thread.join()
    answer = result["answer"]
    assert isinstance(answer, Answer), answer
    return answer


def open_preferences(qtbot, window: MainWindow) -> PreferencesDialog:  # type: ignore[no-untyped-def]
    window.preferences_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, PreferencesDialog)
    qtbot.waitExposed(dialog)
    return dialog


def shows(label) -> str:  # type: ignore[no-untyped-def]
    """The text of a label a person can see: visible, with a size, in a visible window."""
    assert label.isVisible() and label.width() > 0 and label.height() > 0
    assert label.window().isVisible()
    return str(label.text())


def pair(qtbot, window: MainWindow, origin: str = EXTENSION) -> str:  # type: ignore[no-untyped-def]
    port = window.connector.port
    assert port is not None
    code = window.connector.pairing_code
    answer = request(qtbot, port, "POST", "/v1/pair", {"code": code}, {"Origin": origin})
    assert answer.status == 200, answer.body
    return str(answer.json["token"])


PAGE, PAGE_TRUTH = corpus_page("0dd1")  # a Nigerian Senate story, with its known body


def clip_body(**fields: object) -> dict[str, object]:
    page = PAGE
    body: dict[str, object] = {
        "url": PAGE_URL,
        "title": "Senate adjourns",
        "html": page,
        "tags": [],
    }
    body.update(fields)
    return body


def test_pairing_with_the_code_preferences_shows_then_a_clip_is_stored_and_reviewed(
    qtbot, window: MainWindow
) -> None:
    dialog = open_preferences(qtbot, window)
    port = window.connector.port
    assert port is not None and DEFAULT_PORT <= port < DEFAULT_PORT + 10
    assert shows(dialog.address_label) == f"Listening on http://127.0.0.1:{port}"
    shown_code = shows(dialog.code_label)
    assert shows(dialog.paired_label) == "No browser paired."

    answer = request(qtbot, port, "POST", "/v1/pair", {"code": shown_code}, {"Origin": EXTENSION})
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == EXTENSION
    token = answer.json["token"]
    assert shows(dialog.paired_label) == "1 browser paired."
    assert shows(dialog.code_label) != shown_code  # a code pairs one browser

    auth = {"Origin": EXTENSION, "Authorization": f"Bearer {token}"}
    body = clip_body(tags=["Nigeria", "topic:Parliament"])
    answer = request(qtbot, port, "POST", "/v1/clip", body, auth)

    assert answer.status == 201, answer.body
    stored = answer.json
    assert stored["status"] == "stored" and stored["message"] == f"clipped as #{stored['id']}"
    detail = window.archive.get(stored["id"])
    assert detail.url == PAGE_URL and detail.origin == "paste"
    assert detail.body[:80] == PAGE_TRUTH[:80]
    assert {(t.kind, t.name) for t in detail.tags} == {
        ("region", "Nigeria"),
        ("topic", "Parliament"),
    }
    # The same review as a drop: the batch is in the import panel with its entry.
    batch = window.importer.batches[-1]
    assert [e.status for e in batch.entries] == ["stored"]
    qtbot.waitUntil(lambda: window.results.model.row_of(stored["id"]) is not None, timeout=5000)

    again = request(qtbot, port, "POST", "/v1/clip", body, auth)
    assert again.status == 200
    assert again.json["message"] == f"already clipped as #{stored['id']}"


def test_a_selection_is_clipped_under_its_page_title(qtbot, window: MainWindow) -> None:
    token = pair(qtbot, window)
    port = window.connector.port
    assert port is not None
    selection = (
        "<p>Niger's junta said on Sunday that it would leave the Economic Community of West "
        "African States at once, with Mali and Burkina Faso, accusing the bloc of serving "
        "foreign powers.</p><p>ECOWAS said it had not been told.</p>"
    )
    body = clip_body(title="Sahel states quit ECOWAS", html="", selection=selection)
    answer = request(
        qtbot,
        port,
        "POST",
        "/v1/clip",
        body,
        {"Origin": EXTENSION, "Authorization": f"Bearer {token}"},
    )
    assert answer.status == 201, answer.body
    detail = window.archive.get(answer.json["id"])
    assert detail.title == "Sahel states quit ECOWAS"
    assert detail.body.startswith("Niger's junta said on Sunday")


def test_requests_without_a_good_token_are_refused_with_a_json_reason(
    qtbot, window: MainWindow
) -> None:
    port = window.connector.port
    assert port is not None
    token = pair(qtbot, window)
    body = clip_body()
    cases = [
        ({"Origin": EXTENSION}, 401, "not paired"),
        ({"Origin": EXTENSION, "Authorization": "Bearer forged"}, 401, "unknown token"),
        # A token works only from the origin that paired it.
        (
            {"Origin": "moz-extension://other", "Authorization": f"Bearer {token}"},
            403,
            "paired elsewhere",
        ),
        (
            {"Origin": "https://news.example", "Authorization": f"Bearer {token}"},
            403,
            "web pages cannot send to Clipper",
        ),
        (
            {"Origin": EXTENSION, "Authorization": f"Bearer {token}", "X-Clipper-Connector": ""},
            403,
            "X-Clipper-Connector",
        ),
        (
            {"Host": "clipper.attacker.example", "Authorization": f"Bearer {token}"},
            403,
            "wrong Host",
        ),
    ]
    for headers, status, reason in cases:
        answer = request(qtbot, port, "POST", "/v1/clip", body, headers)
        assert answer.status == status, (headers, answer.body)
        assert answer.headers["content-type"] == "application/json"
        assert reason in answer.json["error"]
        if headers.get("Origin", "").startswith("https://"):
            assert "access-control-allow-origin" not in answer.headers
    assert window.archive.count() == 0  # nothing was stored


def test_wrong_codes_are_refused_and_five_of_them_make_a_new_code(
    qtbot, window: MainWindow
) -> None:
    port = window.connector.port
    assert port is not None
    first = window.connector.pairing_code
    wrong = f"{(int(first) + 1) % 1_000_000:06d}"
    for attempt in range(5):
        answer = request(qtbot, port, "POST", "/v1/pair", {"code": wrong}, {"Origin": EXTENSION})
        assert answer.status == 403 and answer.json == {"error": "wrong pairing code"}
        if attempt < 4:
            assert window.connector.pairing_code == first
    assert window.connector.pairing_code != first
    assert window.connector.paired_count == 0


def test_preflight_answers_the_extension_and_private_network_access_never_a_web_page(
    qtbot, window: MainWindow
) -> None:
    port = window.connector.port
    assert port is not None
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-clipper-connector",
        "Access-Control-Request-Private-Network": "true",
    }
    answer = request(qtbot, port, "OPTIONS", "/v1/clip", None, {"Origin": EXTENSION, **ask})
    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == EXTENSION
    assert answer.headers["access-control-allow-private-network"] == "true"
    assert "X-Clipper-Connector" in answer.headers["access-control-allow-headers"]
    assert answer.headers["vary"] == "Origin"

    refused = request(
        qtbot, port, "OPTIONS", "/v1/clip", None, {"Origin": "https://news.example", **ask}
    )
    assert refused.status == 403
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-private-network" not in refused.headers


def test_oversized_malformed_and_unknown_requests_get_clear_json_errors(
    qtbot, window: MainWindow
) -> None:
    port = window.connector.port
    assert port is not None
    token = pair(qtbot, window)
    auth = {
        "Origin": EXTENSION,
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "X-Clipper-Connector": "1",
    }
    big = b'{"url": "https://x.example", "html": "' + b"a" * MAX_BODY_BYTES + b'"}'
    answer = request(qtbot, port, "POST", "/v1/clip", big, auth)
    assert answer.status == 413 and "over the 8 MB limit" in answer.json["error"]

    answer = request(qtbot, port, "POST", "/v1/clip", b'{"url": "https://x.example", ', auth)
    assert answer.status == 400 and answer.json["error"].startswith("malformed JSON")

    answer = request(qtbot, port, "POST", "/v1/clip", b'{"url": "ftp://x", "html": "<p>"}', auth)
    assert answer.status == 400 and "http(s) address" in answer.json["error"]

    answer = request(qtbot, port, "POST", "/v1/clip", b'{"url": "https://x.example"}', auth)
    assert answer.status == 400 and "'html' or a 'selection'" in answer.json["error"]

    answer = request(qtbot, port, "GET", "/v1/clip", None, {"Origin": EXTENSION})
    assert answer.status == 405 and answer.json["error"] == "/v1/clip takes POST"

    answer = request(qtbot, port, "GET", "/admin", None, {})
    assert answer.status == 404 and answer.json["error"] == "no /admin here"

    answer = request(qtbot, port, "GET", "/v1/ping", None, {})
    assert answer.status == 200 and answer.json["app"] == "clipper"

    # A clip the pipeline cannot read is a failed import, said as such.
    cookie_wall = b'{"url": "https://x.example", "html": "<p>Accept all cookies</p>"}'
    answer = request(qtbot, port, "POST", "/v1/clip", cookie_wall, auth)
    assert answer.status == 422 and answer.json["status"] == "failed"
    assert answer.json["error"].startswith("https://x.example: ")
    assert window.archive.count() == 0


class HeldExecutor:
    """An import worker that is busy: jobs wait until the test lets them run, in order."""

    def __init__(self) -> None:
        self.jobs: list[Callable[[], None]] = []

    def submit(self, fn: Callable[[], None]) -> None:
        self.jobs.append(fn)

    def run_all(self) -> None:
        while self.jobs:
            self.jobs.pop(0)()

    def shutdown(self, wait: bool = True) -> None:
        self.jobs.clear()


def test_a_clip_sent_while_an_import_runs_waits_its_turn_and_says_what_was_stored(
    qtbot, make_window, tmp_path: Path
) -> None:
    importer = HeldExecutor()
    window = make_window(importer=importer)
    port = window.connector.port
    assert port is not None
    token = pair(qtbot, window)
    dropped = tmp_path / "mali.txt"
    dropped.write_text(
        "Russian delegation in Bamako\n\nColonel Assimi Goïta received General Yunus-bek "
        "Yevkurov in Bamako on December 2, and the talks covered energy and mining.",
        encoding="utf-8",
    )
    window.import_items([str(dropped)])
    assert window.importer.active is not None and len(importer.jobs) == 1

    received: list[str] = []
    window.connector.clip_received.connect(received.append)

    def release_the_import_once_the_clip_is_queued() -> None:
        qtbot.waitUntil(lambda: bool(received), timeout=10000)
        assert len(importer.jobs) == 2  # the drop, then the clip, in turn
        assert window.archive.count() == 0
        importer.run_all()

    answer = request(
        qtbot,
        port,
        "POST",
        "/v1/clip",
        clip_body(),
        {"Origin": EXTENSION, "Authorization": f"Bearer {token}"},
        while_waiting=release_the_import_once_the_clip_is_queued,
    )
    assert answer.status == 201, answer.body
    assert window.archive.count() == 2
    assert window.archive.get(answer.json["id"]).url == PAGE_URL


def test_the_bookmarklet_page_is_served_to_its_own_origin_only_framed_by_nobody(
    qtbot, window: MainWindow
) -> None:
    port = window.connector.port
    assert port is not None
    answer = request(qtbot, port, "GET", "/v1/bookmarklet", None, {})
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert b"/v1/clip" in answer.body


def test_a_taken_port_moves_the_connector_to_the_next_and_preferences_says_so(
    qtbot, make_window
) -> None:
    blocker = QTcpServer()
    assert blocker.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    taken = blocker.serverPort()
    window = make_window()
    assert window.connector.start(first_port=taken, tries=3) == taken + 1
    dialog = open_preferences(qtbot, window)
    assert shows(dialog.address_label) == f"Listening on http://127.0.0.1:{taken + 1}"
    dialog.listen_box.click()
    assert window.connector.port is None
    assert shows(dialog.address_label) == "Not listening."
    blocker.close()


def test_closing_the_window_stops_listening(qtbot, make_window) -> None:
    window = make_window()
    connector: Connector = window.connector
    port = connector.port
    assert port is not None
    window.close()
    assert connector.port is None
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_extension_and_bookmarklet_pass_their_node_tests() -> None:
    folder = Path(__file__).parents[2] / "resources" / "connector"
    result = subprocess.run(
        ["node", "--test", "test/"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and "# pass 0" not in result.stdout
