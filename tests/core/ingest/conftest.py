"""Fixtures for the import pipeline: an article as a PDF, and a local web server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.documents import ARTICLE, make_pdf
from tests.helpers.web import Route, local_server


@pytest.fixture
def article_pdf() -> bytes:
    return make_pdf(ARTICLE, title="Sahel juntas quit West African bloc")


@pytest.fixture
def web_server() -> Iterator[Route]:
    """A server on 127.0.0.1 only; `route(path, status, type, body, delay)` returns the URL."""
    with local_server() as route:
        yield route
