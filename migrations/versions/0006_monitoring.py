"""monitoring: feeds, watch folders, the inbox, saved searches

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00

Feeds and watch folders bring entries into an inbox (not the library) where the editor keeps
or skips each one; the inbox rows are also the memory of every entry seen, so that polling
again brings nothing twice. Saved searches remember when the editor last opened them.
Nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feeds_next_poll_at"), ["next_poll_at"], unique=False)

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("facets", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("name", name=op.f("uq_saved_searches_name")),
    )
    op.create_table(
        "watch_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("move_to", sa.Text(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_folders")),
        sa.UniqueConstraint("path", name=op.f("uq_watch_folders_path")),
    )
    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("watch_id", sa.Integer(), nullable=True),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.String(length=64), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("draft", sa.JSON(), nullable=True),
        sa.Column("original", sa.LargeBinary(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("clipping_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('new', 'kept', 'skipped', 'dropped', 'known', 'failed')",
            name=op.f("ck_inbox_items_state"),
        ),
        sa.CheckConstraint(
            "(feed_id IS NULL) <> (watch_id IS NULL)", name=op.f("ck_inbox_items_one_source")
        ),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_inbox_items_clipping_id_clippings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["clippings.id"],
            name=op.f("fk_inbox_items_duplicate_of_clippings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_inbox_items_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["inbox_items.id"],
            name=op.f("fk_inbox_items_group_id_inbox_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["watch_id"],
            ["watch_folders.id"],
            name=op.f("fk_inbox_items_watch_id_watch_folders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_items")),
        sa.UniqueConstraint("feed_id", "entry_key", name="feed_entry"),
        sa.UniqueConstraint("watch_id", "entry_key", name="watch_entry"),
    )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        for column in ("clipping_id", "content_hash", "feed_id", "group_id", "url_key", "watch_id"):
            batch_op.create_index(batch_op.f(f"ix_inbox_items_{column}"), [column], unique=False)
        batch_op.create_index("ix_inbox_items_state_arrived", ["state", "arrived_at"], unique=False)

    op.create_table(
        "inbox_bands",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inbox_items.id"],
            name=op.f("fk_inbox_bands_item_id_inbox_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "band", name=op.f("pk_inbox_bands")),
    )
    with op.batch_alter_table("inbox_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_bands_band"), ["band"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_bands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_bands_band"))
    op.drop_table("inbox_bands")
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_items_state_arrived")
        for column in ("watch_id", "url_key", "group_id", "feed_id", "content_hash", "clipping_id"):
            batch_op.drop_index(batch_op.f(f"ix_inbox_items_{column}"))
    op.drop_table("inbox_items")
    op.drop_table("watch_folders")
    op.drop_table("saved_searches")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_next_poll_at"))
    op.drop_table("feeds")
