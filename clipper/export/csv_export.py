"""CSV of clipping metadata, one row per clipping, for spreadsheets.

UTF-8 with a byte order mark, so spreadsheet programs read accents right; list cells are
joined with "; ". Cells that a spreadsheet would run as a formula get a leading apostrophe:
archive text comes from anywhere, and a title like `=HYPERLINK(...)` must stay a title.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from clipper.core.archive import Archive
from clipper.core.views import ClippingDetail
from clipper.export.common import (
    IsCancelled,
    Progress,
    atomic_output,
    check_cancelled,
    never_cancelled,
    no_progress,
    read_details,
)

COLUMNS = (
    "id",
    "title",
    "source",
    "author",
    "published",
    "published_precision",
    "language",
    "url",
    "regions",
    "topics",
    "dossiers",
    "notes",
    "links",
    "words",
    "origin",
    "imported_at",
    "trashed",
)
# What starts a formula, the full-width forms too (some spreadsheets take "＝" for "="), and
# the tab and line breaks that a spreadsheet may skip before one.
_FORMULA_SIGNS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_STARTS = (*_FORMULA_SIGNS, "\t", "\r", "\n")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # " =1+1" too: spreadsheets that trim cells on import would run what follows the spaces.
    risky = text.startswith(_FORMULA_STARTS) or text.lstrip().startswith(_FORMULA_SIGNS)
    return "'" + text if risky else text


def csv_row(detail: ClippingDetail) -> list[str]:
    values: list[object] = [
        detail.id,
        detail.title,
        detail.source,
        detail.author,
        detail.published.isoformat() if detail.published else None,
        detail.published_precision if detail.published else None,
        detail.language,
        detail.url,
        "; ".join(t.name for t in detail.regions),
        "; ".join(t.name for t in detail.topics),
        "; ".join(detail.dossiers),
        len(detail.notes),
        len(detail.links),
        len(detail.body.split()),
        detail.origin,
        detail.imported_at.isoformat(timespec="seconds"),
        "yes" if detail.trashed_at else "",
    ]
    return [_cell(v) for v in values]


@dataclass(frozen=True)
class CsvResult:
    path: Path
    rows: int


def write_csv(
    archive: Archive,
    path: str | Path,
    ids: Sequence[int],
    progress: Progress = no_progress,
    is_cancelled: IsCancelled = never_cancelled,
) -> CsvResult:
    with (
        atomic_output(Path(path), ".csv") as temporary,
        temporary.open("w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for done, clipping_id in enumerate(ids):
            check_cancelled(is_cancelled)
            writer.writerow(csv_row(read_details(archive, [clipping_id])[0]))
            progress(done + 1, len(ids), "writing CSV")
    return CsvResult(Path(path), len(ids))
