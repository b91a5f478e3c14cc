"""near-duplicate band keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:20:00

MinHash band keys of each clipping's body, so an import can find near duplicates (syndicated
wire copy) without reading every body. Existing clippings are backfilled here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shingle_bands",
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_shingle_bands_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("clipping_id", "band", name=op.f("pk_shingle_bands")),
    )
    with op.batch_alter_table("shingle_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shingle_bands_band"), ["band"], unique=False)

    # The keys are computed by the same function the archive uses when it adds a clipping.
    from clipper.core.dedupe import body_band_keys

    connection = op.get_bind()
    bands = sa.table("shingle_bands", sa.column("clipping_id"), sa.column("band"))
    rows = connection.execute(sa.text("SELECT id, body FROM clippings")).fetchall()
    for clipping_id, body in rows:
        keys = body_band_keys(body or "")
        if keys:
            connection.execute(
                bands.insert(), [{"clipping_id": clipping_id, "band": key} for key in keys]
            )


def downgrade() -> None:
    with op.batch_alter_table("shingle_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shingle_bands_band"))
    op.drop_table("shingle_bands")
