"""The URL fetcher's side for feeds: accepted types other than articles, and a conditional GET
answered 304 by the test server (served from 127.0.0.1)."""

from __future__ import annotations

from typing import Any

import pytest

from clipper.core.ingest.base import IngestError
from clipper.core.ingest.url import Fetched, fetch
from clipper.core.monitor.feeds import FEED_TYPES
from tests.helpers.feeds import rss

MODIFIED = "Sun, 28 Jan 2024 10:00:00 GMT"


def test_validators_come_back_and_a_conditional_get_is_answered_304(web: Any) -> None:
    body = rss("Wire", [])
    address = web("/rss", 200, "application/rss+xml", body, etag='"v7"', last_modified=MODIFIED)
    first = fetch(address, accept=FEED_TYPES)
    assert (first.status, first.data, first.media_type) == (200, body, "application/rss+xml")
    assert (first.etag, first.last_modified) == ('"v7"', MODIFIED)
    again = fetch(address, accept=FEED_TYPES, etag=first.etag)
    assert again == Fetched(address, b"", "", None, status=304, etag='"v7"', last_modified=None)
    by_date = fetch(address, accept=FEED_TYPES, last_modified=MODIFIED)
    assert (by_date.status, by_date.data) == (304, b"")
    _path, headers = web.requests[1]
    assert headers["If-None-Match"] == '"v7"'
    assert headers["Accept"].startswith("application/rss+xml, ")


def test_a_changed_resource_is_fetched_whole_despite_old_validators(web: Any) -> None:
    address = web("/rss", 200, "application/rss+xml", rss("Wire", []), etag='"v8"')
    fetched = fetch(address, accept=FEED_TYPES, etag='"v7"')
    assert (fetched.status, fetched.etag) == (200, '"v8"')
    assert fetched.data.startswith(b"<?xml")


def test_the_accepted_types_decide_what_is_refused(web: Any) -> None:
    address = web("/feed", 200, "application/rss+xml", rss("Wire", []))
    # An article is never an RSS document...
    with pytest.raises(IngestError, match=r"/feed: the address serves no article"):
        fetch(address)
    # ...and a feed reader takes no PDF.
    pdf = web("/doc.pdf", 200, "application/pdf", b"%PDF-1.4 ...")
    with pytest.raises(IngestError, match=r"/doc.pdf: the address serves nothing accepted here"):
        fetch(pdf, accept=FEED_TYPES)
