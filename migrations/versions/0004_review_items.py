"""pending import reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:00:00

What an import leaves for the editor about a stored clipping (a guessed title, suggested
tags, a possible duplicate and the clipping it may repeat) is kept in the archive until
dealt with, so the window's review cards come back after a restart. A card for an input
that did not import has no clipping and is not kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("title_guessed", sa.Boolean(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_review_items_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["clippings.id"],
            name=op.f("fk_review_items_duplicate_of_clippings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("clipping_id", name=op.f("uq_review_items_clipping_id")),
    )


def downgrade() -> None:
    op.drop_table("review_items")
