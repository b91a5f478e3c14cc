"""near-duplicate band keys of the numpy hashes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:50:00

The band keys were crc32s of each 4-word window and of each band's bytes, over prime-modulus
MinHash permutations: 0.9 ms a body, half of what a batch of clippings cost to store. They
are now whole-array numpy hashes (`clipper.core.dedupe`, 0.4 ms), so every stored key is
computed again: the clippings' (shingle_bands) and the waiting inbox items' (inbox_bands),
from the texts they were computed from. The index on the keys is dropped while they are
written and made again after, which is much faster than keeping it up to date row by row.
The downgrade computes the old keys again, with the old definition kept here.

Like every upgrade this is one transaction: a process killed halfway leaves the old keys.
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable, Iterator

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHUNK = 1000


def upgrade() -> None:
    from clipper.core.dedupe import body_band_keys

    _rekey(body_band_keys)


def downgrade() -> None:
    _rekey(_crc32_body_band_keys)


def _rekey(keys_of: Callable[[str], list[int]]) -> None:
    connection = op.get_bind()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    op.drop_index("ix_shingle_bands_band", table_name="shingle_bands")
    connection.execute(sa.text("DELETE FROM shingle_bands"))
    insert = f"INSERT INTO shingle_bands (clipping_id, band) VALUES ({marker}, {marker})"
    for rows in _chunks(connection, "SELECT id, body FROM clippings WHERE id > :after"):
        # The archive computes a clipping's keys from its stored body, stripped.
        keys = [(cid, key) for cid, body in rows for key in keys_of((body or "").strip())]
        if keys:
            connection.exec_driver_sql(insert, keys)
    op.create_index("ix_shingle_bands_band", "shingle_bands", ["band"])

    # A waiting inbox item's keys are those of its draft's body; an item without a draft
    # (decided, or failed) is never a candidate: it keeps none.
    connection.execute(sa.text("DELETE FROM inbox_bands"))
    insert = f"INSERT INTO inbox_bands (item_id, band) VALUES ({marker}, {marker})"
    query = "SELECT id, draft FROM inbox_items WHERE id > :after AND draft IS NOT NULL"
    for rows in _chunks(connection, query):
        keys = []
        for item_id, draft in rows:
            fields = json.loads(draft) if isinstance(draft, str | bytes) else draft
            body = str((fields or {}).get("body") or "")
            keys.extend((item_id, key) for key in keys_of(body.strip()))
        if keys:
            connection.exec_driver_sql(insert, keys)


def _chunks(connection: sa.Connection, query: str) -> Iterator[list[tuple[int, object]]]:
    """The rows of `query` (id and text, `id > :after`) by id, _CHUNK at a time: a large
    archive's texts are never all in memory at once."""
    after = 0
    statement = sa.text(f"{query} ORDER BY id LIMIT {_CHUNK}")
    while True:
        rows = [(int(row[0]), row[1]) for row in connection.execute(statement, {"after": after})]
        if not rows:
            return
        yield rows
        after = rows[-1][0]


# -- the keys before this revision, for the downgrade -----------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_rng = np.random.default_rng(20231206)
_OLD_A = _rng.integers(1, 2**32 - 1, size=(100, 1), dtype=np.uint64)
_OLD_B = _rng.integers(0, 2**32 - 1, size=(100, 1), dtype=np.uint64)


def _crc32_windows(tokens: list[str]) -> list[int]:
    if len(tokens) < 4:
        return [zlib.crc32(" ".join(tokens).encode("utf-8"))] if tokens else []
    return [zlib.crc32(" ".join(tokens[i : i + 4]).encode("utf-8")) for i in range(len(tokens) - 3)]


def _crc32_band_keys(hashes: set[int], first_band: int) -> list[int]:
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))[np.newaxis, :]
    sig = ((_OLD_A * values + _OLD_B) % np.uint64(4294967311)).min(axis=1)
    keys = []
    for band in range(20):
        rows = struct.pack("<5Q", *(int(v) for v in sig[band * 5 : (band + 1) * 5]))
        keys.append(((first_band + band) << 32) | zlib.crc32(rows))
    return keys


def _crc32_body_band_keys(body: str) -> list[int]:
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", body)).casefold()
    tokens = _WORD.findall(folded)
    if not tokens:
        return []
    whole = set(_crc32_windows(tokens))
    lead = set(_crc32_windows(tokens[: 60 + 4 - 1]))
    return _crc32_band_keys(whole, 0) + _crc32_band_keys(lead, 20)
