"""The shared-archive load bench runs end to end (a few seconds, one desk of each kind) and
reports every story stored once, no error, and every desk's check passing."""

from __future__ import annotations

import pytest

from clipper.bench import desks
from tests.helpers.archives import POSTGRES_URL_ENV, postgres_server_url


@pytest.mark.slow
def test_the_desks_bench_runs_and_finds_nothing_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"the desks bench needs a PostgreSQL server: set {POSTGRES_URL_ENV}")
    assert desks.run(server, seconds=3, importers=2, searchers=1) == 0
    out = capsys.readouterr().out
    assert "exactly one each" in out
    assert "errors: 0" in out
    assert out.count(": ok") == 3
