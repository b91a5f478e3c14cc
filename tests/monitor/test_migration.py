"""Migration 0006: an archive from before monitoring gets its tables and keeps its data; the
migration can be undone."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from clipper.core import db
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from tests.helpers.archives import add

MONITORING_TABLES = {"feeds", "watch_folders", "inbox_items", "inbox_bands", "saved_searches"}


def test_an_archive_from_before_monitoring_is_upgraded_and_can_go_back(tmp_path: Path) -> None:
    location = resolve_location(tmp_path / "old")
    location.home.mkdir(parents=True)
    engine = db.make_engine(location.database_url)
    config = db.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        command.downgrade(config, "-1")
    assert not MONITORING_TABLES & set(inspect(engine).get_table_names())
    engine.dispose()
    with Archive(location) as archive:
        clipping = add(archive, "Kept", "A clipping from before monitoring.")
        assert db.current_revision(archive.engine) == db.head_revision()
        assert set(inspect(archive.engine).get_table_names()) >= MONITORING_TABLES
        saved = archive.stores.saved.add("kept", "kept")
        assert saved.name == "kept" and archive.get(clipping).title == "Kept"
