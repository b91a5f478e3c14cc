"""Regression tests for "Search you can trust" (issue 11), one or more per numbered defect,
each on a minimal archive and, where the defect is about what an editor sees, through the
`clipper` command or the archive API the window uses."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

from clipper.cli import main
from clipper.core.archive import Archive
from tests.helpers.archives import add


def cli_json(home: Path, *args: str) -> dict:
    """What `clipper --archive HOME search ... --json` prints, parsed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--archive", str(home), "search", *args, "--json"])
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


# -- 1. pages are a partition of the full ranking, ties included ----------------------------


def test_pages_of_a_filter_only_query_show_every_clipping_once(archive: Archive) -> None:
    """Item 1: every score of `region:` is 0; pages 1-3 all showed the oldest clipping."""
    made = [
        add(archive, f"Story {n}", f"Body {n}.", [("region", "Niger")],
            published=dt.date(2023, 1, 1 + n))
        for n in range(3)
    ]  # fmt: skip
    archive.close()
    home = archive.location.home
    pages = [cli_json(home, "region:Sahel", "--limit", "1", "--page", str(n)) for n in (1, 2, 3)]
    shown = [hit["id"] for page in pages for hit in page["hits"]]
    assert shown == list(reversed(made))  # newest first, each once
    assert all(page["total"] == 3 for page in pages)


def test_pages_partition_the_ranking_when_scores_tie(archive: Archive) -> None:
    """Item 1, on more segments than one and with ties among non-zero scores too."""
    for n in range(30):
        # Three bodies only: the scores of `junta` tie in groups of ten.
        add(archive, f"Report {n}", f"The junta met {'again ' * (n % 3)}in Niamey, desk d{n:02d}.",
            published=dt.date(2023, 1 + n % 12, 1 + n % 28))  # fmt: skip
        if n % 10 == 9:
            archive.index.catch_up()  # a segment of its own
    assert archive.index.segment_count() > 1
    for query in ("junta", "NOT uranium", "date:2023"):
        ranking = archive.ranked_ids(query)
        paged = [
            (h.id, h.score)
            for page in range(1, 5)
            for h in archive.search(query, page=page, page_size=8).hits
        ]
        assert paged == ranking, query
        assert len({cid for cid, _score in ranking}) == len(ranking) == 30
