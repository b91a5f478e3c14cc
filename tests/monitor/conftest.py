"""Fixtures of the monitoring tests: a desk (an archive folder and the `clipper` command
run on it, with what it printed) and a web server on 127.0.0.1 serving feeds and pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from clipper.cli import main
from tests.helpers.web import local_server


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


@dataclass
class Desk:
    home: Path
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> Ran:
        """`clipper --archive HOME ARGS...`, with its exit code and what it printed."""
        self.capsys.readouterr()
        code = main(["--archive", str(self.home), *args])
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Desk:
    return Desk(tmp_path / "archive", capsys)


@pytest.fixture
def web() -> Iterator[Any]:
    """`web(path, status, type, body, delay, etag=, last_modified=)` returns the URL;
    `web.base` is the server's address, `web.requests` what was asked."""
    with local_server() as route:
        yield route
