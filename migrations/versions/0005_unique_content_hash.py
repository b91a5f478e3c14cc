"""exact duplicates become impossible: the content hash is unique

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00

Two imports of the same folder at once (two processes, or two desks on one server) could
both find no clipping with a text and both store it. From here the content hash (of the
normalized text) has a unique index, and storing a text that is already there returns the
clipping that has it.

An archive that already holds exact duplicates comes through with nothing lost: each group
of clippings with one hash is merged into its oldest clipping (the lowest id), which takes
the others' tags, notes, captured references, dossier places (where it is not in that dossier
already), links (a link between two members of the group goes; two links to one clipping
become one, their notes joined) and, if it has none, the oldest original file. It stays out
of the trash if any of them was out. The others are then deleted, and the change log records
an update of the oldest, the removal of the others and a link change on every clipping whose
links moved, so every desk's search index follows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

clippings = sa.table(
    "clippings",
    sa.column("id"),
    sa.column("content_hash"),
    sa.column("trashed_at"),
    sa.column("updated_at"),
)
clipping_tags = sa.table(
    "clipping_tags", sa.column("clipping_id"), sa.column("tag_id"), sa.column("added_at")
)
notes = sa.table("notes", sa.column("clipping_id"))
references = sa.table("references", sa.column("id"), sa.column("clipping_id"), sa.column("key"))
originals = sa.table("originals", sa.column("id"), sa.column("clipping_id"))
dossier_items = sa.table(
    "dossier_items", sa.column("dossier_id"), sa.column("clipping_id"), sa.column("position")
)
links = sa.table(
    "links", sa.column("id"), sa.column("low_id"), sa.column("high_id"), sa.column("note")
)
shingle_bands = sa.table("shingle_bands", sa.column("clipping_id"))
changes = sa.table("changes", sa.column("clipping_id"), sa.column("op"), sa.column("at"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _merge_group(conn: Any, keeper: int, others: list[int], live: bool) -> set[int]:
    """Fold `others` into `keeper`; returns the clippings outside the group whose links
    moved."""
    tags_kept = set(
        conn.scalars(sa.select(clipping_tags.c.tag_id).where(clipping_tags.c.clipping_id == keeper))
    )
    for tag_id, added_at in conn.execute(
        sa.select(clipping_tags.c.tag_id, sa.func.min(clipping_tags.c.added_at))
        .where(clipping_tags.c.clipping_id.in_(others))
        .group_by(clipping_tags.c.tag_id)
    ):
        if tag_id not in tags_kept:
            conn.execute(
                clipping_tags.insert().values(clipping_id=keeper, tag_id=tag_id, added_at=added_at)
            )
    conn.execute(clipping_tags.delete().where(clipping_tags.c.clipping_id.in_(others)))

    conn.execute(notes.update().where(notes.c.clipping_id.in_(others)).values(clipping_id=keeper))

    keys = set(conn.scalars(sa.select(references.c.key).where(references.c.clipping_id == keeper)))
    for ref_id, key in conn.execute(
        sa.select(references.c.id, references.c.key)
        .where(references.c.clipping_id.in_(others))
        .order_by(references.c.id)
    ):
        if key in keys:
            conn.execute(references.delete().where(references.c.id == ref_id))
        else:
            keys.add(key)
            conn.execute(
                references.update().where(references.c.id == ref_id).values(clipping_id=keeper)
            )

    if conn.scalar(sa.select(originals.c.id).where(originals.c.clipping_id == keeper)) is None:
        oldest = conn.scalar(
            sa.select(originals.c.id)
            .where(originals.c.clipping_id.in_(others))
            .order_by(originals.c.clipping_id)
            .limit(1)
        )
        if oldest is not None:
            conn.execute(
                originals.update().where(originals.c.id == oldest).values(clipping_id=keeper)
            )
    conn.execute(originals.delete().where(originals.c.clipping_id.in_(others)))

    in_dossiers = set(
        conn.scalars(
            sa.select(dossier_items.c.dossier_id).where(dossier_items.c.clipping_id == keeper)
        )
    )
    for dossier_id, clipping_id in conn.execute(
        sa.select(dossier_items.c.dossier_id, dossier_items.c.clipping_id)
        .where(dossier_items.c.clipping_id.in_(others))
        .order_by(dossier_items.c.position)
    ):
        place = (dossier_items.c.dossier_id == dossier_id) & (
            dossier_items.c.clipping_id == clipping_id
        )
        if dossier_id in in_dossiers:
            conn.execute(dossier_items.delete().where(place))
        else:
            in_dossiers.add(dossier_id)
            conn.execute(dossier_items.update().where(place).values(clipping_id=keeper))

    group = {keeper, *others}
    moved: set[int] = set()
    pairs: dict[tuple[int, int], tuple[int, str]] = {
        (low, high): (link_id, note or "")
        for link_id, low, high, note in conn.execute(
            sa.select(links.c.id, links.c.low_id, links.c.high_id, links.c.note).where(
                (links.c.low_id == keeper) | (links.c.high_id == keeper)
            )
        )
    }
    for link_id, low, high, note in conn.execute(
        sa.select(links.c.id, links.c.low_id, links.c.high_id, links.c.note)
        .where(links.c.low_id.in_(others) | links.c.high_id.in_(others))
        .order_by(links.c.id)
    ).all():
        other = high if low in group else low
        if other in group:
            conn.execute(links.delete().where(links.c.id == link_id))
            continue
        moved.add(other)
        pair = (min(keeper, other), max(keeper, other))
        if pair in pairs:
            kept_id, kept_note = pairs[pair]
            joined = kept_note
            if note and note not in kept_note:
                joined = f"{kept_note}\n{note}" if kept_note else note
            conn.execute(links.update().where(links.c.id == kept_id).values(note=joined))
            conn.execute(links.delete().where(links.c.id == link_id))
            pairs[pair] = (kept_id, joined)
        else:
            conn.execute(
                links.update().where(links.c.id == link_id).values(low_id=pair[0], high_id=pair[1])
            )
            pairs[pair] = (link_id, note or "")

    conn.execute(shingle_bands.delete().where(shingle_bands.c.clipping_id.in_(others)))
    values: dict[str, Any] = {"updated_at": _now()}
    if live:
        values["trashed_at"] = None
    conn.execute(clippings.update().where(clippings.c.id == keeper).values(**values))
    conn.execute(clippings.delete().where(clippings.c.id.in_(others)))
    return moved


def merge_exact_duplicates(conn: Any) -> int:
    """Merge every group of clippings sharing a content hash; returns how many were merged
    away."""
    repeated = (
        sa.select(clippings.c.content_hash)
        .group_by(clippings.c.content_hash)
        .having(sa.func.count() > 1)
    )
    groups: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for digest, clipping_id, trashed_at in conn.execute(
        sa.select(clippings.c.content_hash, clippings.c.id, clippings.c.trashed_at)
        .where(clippings.c.content_hash.in_(repeated))
        .order_by(clippings.c.content_hash, clippings.c.id)
    ):
        groups[digest].append((clipping_id, trashed_at is None))
    now = _now()
    merged = 0
    for members in groups.values():
        keeper = members[0][0]
        others = [clipping_id for clipping_id, _live in members[1:]]
        moved = _merge_group(conn, keeper, others, live=any(live for _id, live in members))
        logged = [{"clipping_id": keeper, "op": "update", "at": now}]
        logged += [{"clipping_id": cid, "op": "purge", "at": now} for cid in others]
        logged += [{"clipping_id": cid, "op": "link", "at": now} for cid in sorted(moved)]
        conn.execute(changes.insert(), logged)
        merged += len(others)
    return merged


def upgrade() -> None:
    merge_exact_duplicates(op.get_bind())
    op.drop_index("ix_clippings_content_hash", table_name="clippings")
    op.create_index("ix_clippings_content_hash", "clippings", ["content_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_clippings_content_hash", table_name="clippings")
    op.create_index("ix_clippings_content_hash", "clippings", ["content_hash"], unique=False)
