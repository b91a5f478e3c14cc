"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 04:51:22.592326
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_clipping_id"), ["clipping_id"], unique=False)

    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("name", name=op.f("uq_dossiers_name")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("key", name=op.f("uq_sources_key")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("gazetteer_key", sa.String(length=64), nullable=True),
        sa.Column("match_mode", sa.String(length=8), nullable=True),
        sa.Column("match_pattern", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('topic', 'region')", name=op.f("ck_tags_kind")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["tags.id"], name=op.f("fk_tags_parent_id_tags"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("gazetteer_key", name=op.f("uq_tags_gazetteer_key")),
        sa.UniqueConstraint("kind", "key", name="kind_key"),
    )
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tags_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "clippings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False),
        sa.Column("title_guessed", sa.Boolean(), nullable=False),
        sa.Column("standfirst", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("published_precision", sa.String(length=5), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("trashed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "published_precision IN ('day', 'month', 'year')",
            name=op.f("ck_clippings_published_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_clippings_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clippings")),
    )
    with op.batch_alter_table("clippings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clippings_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index("ix_clippings_published", ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_clippings_title_key"), ["title_key"], unique=False)
        batch_op.create_index("ix_clippings_trashed_at", ["trashed_at"], unique=False)

    op.create_table(
        "tag_members",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["tags.id"], name=op.f("fk_tag_members_group_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["tags.id"],
            name=op.f("fk_tag_members_member_id_tags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name=op.f("pk_tag_members")),
    )
    with op.batch_alter_table("tag_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_members_member_id"), ["member_id"], unique=False)

    op.create_table(
        "clipping_tags",
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_clipping_tags_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_clipping_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("clipping_id", "tag_id", name=op.f("pk_clipping_tags")),
    )
    with op.batch_alter_table("clipping_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clipping_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "dossier_items",
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_dossier_items_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_items_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dossier_id", "clipping_id", name=op.f("pk_dossier_items")),
    )
    with op.batch_alter_table("dossier_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dossier_items_clipping_id"), ["clipping_id"], unique=False
        )

    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("low_id", sa.Integer(), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("low_id < high_id", name=op.f("ck_links_ordered")),
        sa.ForeignKeyConstraint(
            ["high_id"],
            ["clippings.id"],
            name=op.f("fk_links_high_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["low_id"], ["clippings.id"], name=op.f("fk_links_low_id_clippings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("low_id", "high_id", name="pair"),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_high_id"), ["high_id"], unique=False)

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_notes_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notes_clipping_id"), ["clipping_id"], unique=False)

    op.create_table(
        "originals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=127), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_originals_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_originals")),
        sa.UniqueConstraint("clipping_id", name=op.f("uq_originals_clipping_id")),
    )
    op.create_table(
        "references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clipping_id", sa.Integer(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["clipping_id"],
            ["clippings.id"],
            name=op.f("fk_references_clipping_id_clippings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_references")),
    )
    with op.batch_alter_table("references", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_references_clipping_id"), ["clipping_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_references_key"), ["key"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_references_key"))
        batch_op.drop_index(batch_op.f("ix_references_clipping_id"))

    op.drop_table("references")
    op.drop_table("originals")
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notes_clipping_id"))

    op.drop_table("notes")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_high_id"))

    op.drop_table("links")
    with op.batch_alter_table("dossier_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_items_clipping_id"))

    op.drop_table("dossier_items")
    with op.batch_alter_table("clipping_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clipping_tags_tag_id"))

    op.drop_table("clipping_tags")
    with op.batch_alter_table("tag_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_members_member_id"))

    op.drop_table("tag_members")
    with op.batch_alter_table("clippings", schema=None) as batch_op:
        batch_op.drop_index("ix_clippings_trashed_at")
        batch_op.drop_index(batch_op.f("ix_clippings_title_key"))
        batch_op.drop_index("ix_clippings_published")
        batch_op.drop_index(batch_op.f("ix_clippings_content_hash"))

    op.drop_table("clippings")
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tags_parent_id"))

    op.drop_table("tags")
    op.drop_table("sources")
    op.drop_table("meta")
    op.drop_table("dossiers")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_clipping_id"))

    op.drop_table("changes")
