"""The database layer: migrations match the models, pragmas are on, locations resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from clipper.core import db
from clipper.core.archive import Archive
from clipper.core.models import Base
from clipper.core.paths import DATABASE_FILENAME, resolve_location, sqlite_url


@pytest.mark.backends
def test_a_new_archive_is_created_at_head_and_matches_the_models(archive: Archive) -> None:
    assert db.current_revision(archive.engine) == db.head_revision()
    with archive.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(archive: Archive) -> None:
    with archive.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_reopening_an_archive_keeps_its_data(archive_dir: Path) -> None:
    from clipper.core.drafts import ClippingDraft

    with Archive(resolve_location(archive_dir)) as first:
        cid = first.add(ClippingDraft(title="kept", body="kept body")).id
    with Archive(resolve_location(archive_dir)) as second:
        assert second.get(cid).title == "kept"


def test_location_comes_from_argument_then_environment_then_default(tmp_path: Path) -> None:
    env = {"CLIPPER_HOME": str(tmp_path / "env-home")}
    assert resolve_location(tmp_path / "arg", environ=env).home == tmp_path / "arg"
    from_env = resolve_location(environ=env)
    assert from_env.home == tmp_path / "env-home"
    assert from_env.database_url == sqlite_url(tmp_path / "env-home" / DATABASE_FILENAME)
    assert from_env.index_dir == tmp_path / "env-home" / "index"
    default = resolve_location(environ={})
    assert default.home.name.lower() == "clipper"
    url = "sqlite:////elsewhere/desk.sqlite3"
    assert resolve_location(tmp_path, environ={"CLIPPER_DATABASE_URL": url}).database_url == url
    assert resolve_location(tmp_path, "sqlite:///x.db", environ={"CLIPPER_DATABASE_URL": url})
    assert resolve_location(tmp_path, "sqlite:///x.db").database_url == "sqlite:///x.db"


def test_a_database_url_puts_the_database_outside_the_archive_folder(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "shared" / "desk.sqlite3")
    with Archive(resolve_location(tmp_path / "home", url)) as archive:
        assert archive.count() == 0
    assert (tmp_path / "shared" / "desk.sqlite3").exists()
    assert not (tmp_path / "home" / DATABASE_FILENAME).exists()


@pytest.mark.backends
def test_integrity_problems_reports_a_tampered_body(archive: Archive) -> None:
    from clipper.core.drafts import ClippingDraft

    cid = archive.add(ClippingDraft(title="t", body="original body", original=b"x")).id
    assert archive.integrity_problems() == []
    with archive.engine.begin() as conn:
        conn.execute(
            text("UPDATE clippings SET body = 'edited behind our back' WHERE id = :i"), {"i": cid}
        )
        conn.execute(text("UPDATE originals SET data = :d"), {"d": b"y"})
    problems = archive.integrity_problems()
    assert any("content hash" in p for p in problems)
    assert any("original bytes" in p for p in problems)


@pytest.mark.backends
def test_the_change_log_gives_each_change_its_own_number_in_order(archive: Archive) -> None:
    """What the window polls (`last_seq`, `changes_since`) and what each change returns."""
    from clipper.core.drafts import ClippingDraft

    assert archive.last_seq() == 0 and archive.changes_since(0) == []
    first = archive.add(ClippingDraft(title="one", body="first body"))
    second = archive.add(ClippingDraft(title="two", body="second body"))
    linked = archive.link(first.id, second.id, "same story")
    assert (first.changes.seq, second.changes.seq, linked.seq) == (1, 2, 4)
    assert archive.last_seq() == 4
    assert [(c.seq, c.clipping_id, c.op) for c in archive.changes_since(2)] == [
        (3, first.id, "link"),
        (4, second.id, "link"),
    ]
    assert archive.changes_since(4) == []


@pytest.mark.backends
def test_a_follower_of_the_log_gets_a_change_that_commits_after_a_later_numbered_one(
    archive: Archive,
) -> None:
    """Two desks' transactions on a server commit out of order; a window following the log
    (`follow_changes`) must still get both changes."""
    from clipper.core.archive import ChangeCursor
    from clipper.core.drafts import ClippingDraft
    from clipper.core.store.changes import GAP_PATIENCE

    first = archive.add(ClippingDraft(title="one", body="first body")).id
    changes, cursor = archive.follow_changes(ChangeCursor())
    assert [c.clipping_id for c in changes] == [first] and cursor.seq == 1
    archive.add(ClippingDraft(title="two", body="second body"))
    third = archive.add(ClippingDraft(title="three", body="third body")).id
    with archive.engine.begin() as conn:  # change 2 has not committed yet
        held = conn.execute(text("SELECT clipping_id, op FROM changes WHERE seq = 2")).one()
        conn.execute(text("DELETE FROM changes WHERE seq = 2"))
    changes, cursor = archive.follow_changes(cursor, now=1000.0)
    assert [c.clipping_id for c in changes] == [third]
    assert cursor.seq == 3 and cursor.gaps == ((2, 1000.0),)
    with archive.engine.begin() as conn:  # now it commits
        conn.execute(
            text("INSERT INTO changes (seq, clipping_id, op, at) VALUES (2, :c, :o, '2026-01-01')"),
            {"c": held[0], "o": held[1]},
        )
    changes, cursor = archive.follow_changes(cursor, now=1001.0)
    assert [(c.seq, c.clipping_id) for c in changes] == [(2, held[0])]
    assert cursor == ChangeCursor(3, ())
    # A number that never comes is given up after GAP_PATIENCE.
    with archive.engine.begin() as conn:
        conn.execute(text("DELETE FROM changes WHERE seq = 3"))
    archive.add(ClippingDraft(title="four", body="fourth body"))
    _, cursor = archive.follow_changes(ChangeCursor(2), now=2000.0)
    assert cursor.gaps == ((3, 2000.0),)
    assert archive.follow_changes(cursor, now=2000.0 + GAP_PATIENCE)[1].gaps == ()
