"""Migrations: 0002 backfills near-duplicate keys, 0005 merges exact duplicates, 0008 computes
the keys again with today's hashes (and 0008's downgrade the crc32 ones); an upgrade
is one transaction, so a process killed halfway leaves the archive as it was, and what older
Clippers left half-upgraded is repaired (or refused when data is in the way)."""

from __future__ import annotations

import importlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from clipper.cli import main
from clipper.core import db
from clipper.core.archive import Archive, NotFound
from clipper.core.dedupe import body_band_keys, jaccard, shingles
from clipper.core.models import InboxBand, ShingleBand
from clipper.core.paths import ArchiveLocation, resolve_location
from clipper.core.store.inbox import Arrival
from clipper.core.text import content_hash, name_key
from tests.helpers.archives import add, archive_args, draft
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


# -- an upgrade is one transaction; what an interrupted one left is repaired (hardening 1) ----

KILLER = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

statements = 0

@event.listens_for(Engine, "after_cursor_execute")
def die_mid_upgrade(conn, cursor, statement, parameters, context, executemany):
    global statements
    if statement.lstrip().upper().startswith(("CREATE", "INSERT INTO SHINGLE_BANDS")):
        statements += 1
        if statements == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

from clipper.cli import main
sys.exit(main(["--archive", sys.argv[1], "check"]))
"""


def _killed_mid_upgrade(home: Path, after_statements: int) -> None:
    """Run `clipper check` on the archive in a process that SIGKILLs itself during the
    upgrade, right after its n-th CREATE (or band insert) ran."""
    done = subprocess.run(
        [sys.executable, "-c", KILLER, str(home), str(after_statements)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr


def _old_archive(location: ArchiveLocation, revision: str, body: str) -> None:
    """An archive at an old schema revision, with one clipping."""
    location.home.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(location.database_url)
    config = db.alembic_config()
    with engine.connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.execute(
            text(
                "INSERT INTO clippings (id, title, title_key, title_guessed, standfirst, body,"
                " published_precision, imported_at, updated_at, origin, extra, content_hash)"
                " VALUES (1, 'Wire', :key, false, '', :body, 'day', '2024-01-28 10:00:00',"
                " '2024-01-28 10:00:00', 'file', '{}', :hash)"
            ),
            {"key": name_key("Wire"), "body": body, "hash": content_hash(body)},
        )
        connection.execute(
            text("INSERT INTO changes (clipping_id, op, at) VALUES (1, 'add', '2024-01-28')")
        )
    engine.dispose()


def test_a_new_archive_killed_during_its_first_upgrade_opens_next_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "new"
    _killed_mid_upgrade(home, after_statements=6)
    assert main(["--archive", str(home), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 0 clipping(s)")


def test_an_old_archive_killed_during_its_upgrade_keeps_its_clippings_and_upgrades_next_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = resolve_location(tmp_path / "old")
    wire = " ".join(" ".join(p) for p in ARTICLE)
    _old_archive(location, "0001", wire)
    _killed_mid_upgrade(location.home, after_statements=2)  # shingle_bands and its index
    assert main(["--archive", str(location.home), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 clipping(s)")
    with Archive(location) as archive:
        assert db.current_revision(archive.engine) == db.head_revision()
        assert archive.get(1).body == wire
        assert archive.near_duplicates(wire) == [(1, 1.0)]


def test_an_archive_an_old_clipper_left_half_upgraded_is_repaired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before upgrades were one transaction, a crash after CREATE TABLE shingle_bands left
    the table behind with the archive still at 0001: "table shingle_bands already exists"."""
    location = resolve_location(tmp_path / "old")
    _old_archive(location, "0001", "Bamako talks went on all day.")
    with sqlite3.connect(location.home / "archive.sqlite3") as conn:
        conn.execute("CREATE TABLE shingle_bands (clipping_id INTEGER, band BIGINT)")
        conn.execute("INSERT INTO shingle_bands VALUES (1, 42)")
        conn.execute("CREATE TABLE _alembic_tmp_tags (id INTEGER)")
    assert main(["--archive", str(location.home), "search", "Bamako"]) == 0
    assert "1 clipping(s)" in capsys.readouterr().out
    assert main(["--archive", str(location.home), "check"]) == 0


def test_a_half_upgraded_archive_with_data_in_the_way_is_refused_not_emptied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = resolve_location(tmp_path / "old")
    _old_archive(location, "0002", "Bamako talks went on all day.")
    with sqlite3.connect(location.home / "archive.sqlite3") as conn:
        conn.execute("DELETE FROM alembic_version")  # as if 0001 had never been recorded
    assert main(["--archive", str(location.home), "check"]) == 2
    assert "not a Clipper archive" not in capsys.readouterr().err
    with sqlite3.connect(location.home / "archive.sqlite3") as conn:
        assert conn.execute("SELECT body FROM clippings").fetchall() == [
            ("Bamako talks went on all day.",)
        ]


# -- 0005: exact duplicates already in an archive are merged into the oldest ------------------


@pytest.mark.backends
def test_upgrading_an_archive_with_exact_duplicates_merges_each_group_into_its_oldest(
    archive_location: ArchiveLocation, capsys: pytest.CaptureFixture[str]
) -> None:
    with Archive(archive_location) as archive:
        wire = add(archive, "Wire copy", "The wire copy.", [("region", "Niger")], original=b"1")
        copy = add(archive, "Copy of it", "Soon the same text.", [("topic", "Security")])
        other = add(archive, "Other story", "Another text.")
        trashed = add(archive, "Trashed story", "A text in the trash.")
        twin = add(archive, "Its live twin", "Soon the trashed text.")
        archive.add_note(wire, "first note")
        archive.add_note(copy, "second note")
        archive.link(wire, other, "same event")
        archive.link(copy, other, "follow-up")
        archive.link(wire, copy, "one story")
        archive.create_dossier("Sahel")
        archive.create_dossier("Wires")
        archive.add_to_dossier("Sahel", [wire, copy])
        archive.add_to_dossier("Wires", [other, copy])
        archive.trash([trashed])
        assert archive.search("text").total == 3  # the index is up to date
        engine = archive.engine
        config = db.alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")  # before the hash was unique
            for clipping_id, body in ((copy, "The wire copy."), (twin, "A text in the trash.")):
                conn.execute(
                    text("UPDATE clippings SET body = :b, content_hash = :h WHERE id = :i"),
                    {"b": body, "h": content_hash(body), "i": clipping_id},
                )

    with Archive(archive_location) as archive:
        assert db.current_revision(archive.engine) == db.head_revision()
        assert archive.list_ids(sort="id", descending=False) == [wire, other, trashed]
        kept = archive.get(wire)
        assert {(t.kind, t.name) for t in kept.tags} == {("region", "Niger"), ("topic", "Security")}
        assert [n.text for n in kept.notes] == ["first note", "second note"]
        assert [(link.other_id, link.note) for link in kept.links] == [
            (other, "same event\nfollow-up")
        ]
        assert archive.dossier("Sahel").clipping_ids == (wire,)
        assert archive.dossier("Wires").clipping_ids == (other, wire)
        assert archive.original(wire) == b"1"
        assert archive.get(trashed).trashed_at is None  # its twin was out of the trash
        for gone in (copy, twin):
            with pytest.raises(NotFound):
                archive.get(gone)
        assert archive.search("text").total == 2  # the merged ones left the index
        assert archive.integrity_problems() == []

    assert main([*archive_args(archive_location), "check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 3 clipping(s)")


# -- 0008 computes every stored near-duplicate key again (the numpy hashes) -------------------


def test_upgrading_from_crc32_band_keys_rekeys_clippings_and_waiting_inbox_items(
    tmp_path: Path,
) -> None:
    old = importlib.import_module("migrations.versions.0008_rekey_bands")
    location = resolve_location(tmp_path / "keys")
    wire = " ".join(" ".join(p) for p in ARTICLE)
    waiting = "A waiting wire story about the junta in Niamey and the delegation. " * 8
    with Archive(location) as archive:
        first = add(archive, "Wire", wire)
        second = add(archive, "Other", "A different story entirely, told in a few words here.")
        feed = archive.stores.feeds.add("http://127.0.0.1:9/feed", "Wire")
        arrival = Arrival("entry-1", "new", "Waiting", draft=draft("Waiting", waiting))
        item = archive.stores.inbox.record(arrival, feed_id=feed.id)
        decided = archive.stores.inbox.record(
            Arrival("entry-2", "skipped", "Gone"), feed_id=feed.id
        )
        engine = archive.engine
        config = db.alembic_config()
        with engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, "0007")
        with engine.connect() as conn:
            stored: dict[int, list[int]] = {cid: [] for cid in (first, second)}
            for cid, band in conn.execute(select(ShingleBand.clipping_id, ShingleBand.band)):
                stored[cid].append(band)
            inbox = [band for _, band in conn.execute(select(InboxBand.item_id, InboxBand.band))]
        # The downgrade wrote the keys of before: crc32s, none of them a key of now.
        assert sorted(stored[first]) == sorted(old._crc32_body_band_keys(wire))
        assert not set(stored[first]) & set(body_band_keys(wire))
        assert sorted(inbox) == sorted(old._crc32_body_band_keys(waiting.strip()))

    with Archive(location) as archive:
        assert db.current_revision(archive.engine) == db.head_revision()
        with archive.engine.connect() as conn:
            rows = conn.execute(select(ShingleBand.clipping_id, ShingleBand.band)).fetchall()
            inbox_rows = conn.execute(select(InboxBand.item_id, InboxBand.band)).fetchall()
        assert sorted(band for cid, band in rows if cid == first) == sorted(body_band_keys(wire))
        assert {cid for cid, _ in rows} == {first, second}
        assert sorted(band for _, band in inbox_rows) == sorted(body_band_keys(waiting.strip()))
        assert {item_id for item_id, _ in inbox_rows} == {item} and decided is not None
        edited = wire + " One more closing line."
        assert [cid for cid, _ in archive.near_duplicates(edited)] == [first]
