"""Migration 0002: an archive made before near-duplicate keys existed gets them on upgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from clipper.core import db
from clipper.core.archive import Archive
from clipper.core.dedupe import jaccard, shingles
from clipper.core.paths import resolve_location
from clipper.core.text import content_hash, name_key
from tests.helpers.documents import ARTICLE


def test_upgrading_an_old_archive_backfills_near_duplicate_keys(tmp_path: Path) -> None:
    location = resolve_location(tmp_path / "old")
    location.home.mkdir(parents=True)
    engine = db.make_engine(location.database_url)
    config = db.alembic_config()
    wire = " ".join(" ".join(p) for p in ARTICLE)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO clippings (id, title, title_key, title_guessed, standfirst, body,"
                " published_precision, imported_at, updated_at, origin, extra, content_hash)"
                " VALUES (1, 'Wire', :key, 0, '', :body, 'day', '2024-01-28 10:00:00',"
                " '2024-01-28 10:00:00', 'file', '{}', :hash)"
            ),
            {"key": name_key("Wire"), "body": wire, "hash": content_hash(wire)},
        )
    engine.dispose()
    with Archive(location) as archive:
        assert db.current_revision(archive.engine) == db.head_revision()
        edited = wire + " One more closing line."
        expected = round(jaccard(shingles(wire), shingles(edited)), 3)
        assert 0.8 <= expected < 1
        assert archive.near_duplicates(edited) == [(1, expected)]
