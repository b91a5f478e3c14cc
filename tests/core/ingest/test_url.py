"""URLs: fetched from a local server on 127.0.0.1 (never the internet), with a timeout, a size
cap and a content-type check before the HTML reader sees the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from clipper.core.ingest import InputItem, read_item
from clipper.core.ingest import url as url_module
from clipper.core.ingest.base import IngestError
from tests.helpers.documents import corpus_page

Route = Callable[..., str]


def test_a_page_is_fetched_and_read_as_html(web_server: Route) -> None:
    html, _ = corpus_page("7916ecca")
    address = web_server("/news/story.html", 200, "text/html; charset=utf-8", html.encode())
    draft = read_item(InputItem(label=address, url=address))
    assert draft.origin == "url"
    assert draft.url == address
    assert draft.original == html.encode()
    assert draft.original_media_type == "text/html"
    assert draft.body.startswith("Two United States service members have been killed")


def test_404_is_an_error_naming_the_address(web_server: Route) -> None:
    address = web_server("/gone", 404, "text/html", b"<html><body>Not here</body></html>")
    with pytest.raises(IngestError, match=r"/gone: the server answered 404 Not Found$"):
        read_item(InputItem(label=address, url=address))


def test_an_image_is_refused_by_its_content_type(web_server: Route) -> None:
    address = web_server("/photo", 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(IngestError, match=r"/photo: the address serves an image \(image/png\)"):
        read_item(InputItem(label=address, url=address))


def test_a_slow_server_times_out(web_server: Route, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(url_module, "FETCH_TIMEOUT_S", 0.3)
    address = web_server("/slow", 200, "text/html", b"<html></html>", delay=2.0)
    with pytest.raises(IngestError, match=r"/slow: no answer within 0\.3 s \(timed out\)"):
        read_item(InputItem(label=address, url=address))


def test_a_page_over_the_size_cap_is_refused(
    web_server: Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(url_module, "MAX_PAGE_BYTES", 1000)
    address = web_server("/huge", 200, "text/html", b"<p>" + b"word " * 1000 + b"</p>")
    with pytest.raises(IngestError, match=r"/huge: the page is 5 KB, over the 1000 bytes limit"):
        read_item(InputItem(label=address, url=address))


def test_only_web_addresses_are_fetched() -> None:
    with pytest.raises(IngestError, match="only http and https"):
        url_module.fetch("file:///etc/passwd")
