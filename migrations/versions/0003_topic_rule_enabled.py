"""topic rules can be switched off

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:30:00

A topic's match rule may come from somewhere other than the editor's own hand (a colleague's
JSON export): such a rule is kept but stays off until an editor turns it on. Rules already in
an archive were set by its editors, so they stay on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_column("match_enabled")
