"""Backups: a consistent snapshot with the originals and a manifest; restoring brings back the
same archive, refuses paths that would escape the folder, and never overwrites unasked."""

from __future__ import annotations

import json
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location
from clipper.export.backup import (
    ArchiveExists,
    restore_backup,
    safe_member_path,
    write_backup,
)
from clipper.export.common import ExportError
from tests.helpers.samples import Sample, snapshot


def test_backup_and_restore_bring_back_the_same_archive(sample: Sample, tmp_path: Path) -> None:
    archive = sample.archive
    archive.trash([sample.ids["grain"]])
    result = write_backup(archive.location, tmp_path / "backup.zip")
    with zipfile.ZipFile(tmp_path / "backup.zip") as backup:
        assert backup.namelist() == ["manifest.json", "archive.sqlite3"]
        manifest = json.loads(backup.read("manifest.json"))
    assert manifest == result.manifest
    assert manifest["format"] == "clipper-backup"
    assert manifest["counts"]["clippings"] == 5
    assert manifest["counts"]["originals"] == 1
    assert manifest["original_bytes"] == len(archive.original(sample.ids["bamako"]) or b"")
    assert manifest["database"]["integrity"] == "ok"
    assert manifest["schema_revision"]

    restored = restore_backup(tmp_path / "backup.zip", tmp_path / "restored")
    assert restored.problems == []
    with Archive(resolve_location(tmp_path / "restored")) as copy:
        assert snapshot(copy) == snapshot(archive)
        # Same ids too: a backup is the database itself, not a re-import.
        assert copy.get(sample.ids["bamako"]).title == sample.title("bamako")
        assert copy.original(sample.ids["bamako"]) == archive.original(sample.ids["bamako"])
        assert copy.integrity_problems() == []


def test_backup_is_consistent_while_the_archive_is_being_written(
    archive: Archive, tmp_path: Path
) -> None:
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            result = archive.add(ClippingDraft(title=f"Story {n}", body=f"Body number {n}."))
            archive.add_note(result.id, f"note {n}")
            written.append(result.id)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        write_backup(archive.location, tmp_path / "live.zip")
    finally:
        stop.set()
        writer.join()
    restore_backup(tmp_path / "live.zip", tmp_path / "restored")
    with Archive(resolve_location(tmp_path / "restored")) as copy:
        assert copy.integrity_problems() == []
        ids = copy.list_ids()
        assert len(ids) >= 20
        # Each clipping was committed with its change-log row: a snapshot never splits them.
        assert len(copy.changes_since(0)) >= len(ids)


def _zip(path: Path, members: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    manifest = {"format": "clipper-backup", "version": 1, "database": {"member": "archive.sqlite3"}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(
    "evil",
    ["../escaped.txt", "sub/../../escaped.txt", "/tmp/absolute-escape.txt", "C:/escaped.txt"],
)
def test_restore_refuses_members_that_escape_the_folder(tmp_path: Path, evil: str) -> None:
    crafted = _zip(tmp_path / "evil.zip", {"archive.sqlite3": b"x", evil: b"gotcha"})
    target = tmp_path / "target"
    with pytest.raises(ExportError, match="outside"):
        restore_backup(crafted, target)
    assert not (tmp_path / "escaped.txt").exists()
    assert not Path("/tmp/absolute-escape.txt").exists()
    assert not target.exists()


def test_restore_refuses_links(tmp_path: Path) -> None:
    crafted = _zip(tmp_path / "link.zip", {"archive.sqlite3": b"x"}, links=("passwd",))
    with pytest.raises(ExportError, match="is a link"):
        restore_backup(crafted, tmp_path / "target")
    assert not (tmp_path / "target").exists()


def test_member_paths_inside_the_folder_are_fine(tmp_path: Path) -> None:
    assert safe_member_path("archive.sqlite3", tmp_path) == (tmp_path / "archive.sqlite3").resolve()
    assert safe_member_path("a/b.txt", tmp_path) == (tmp_path / "a" / "b.txt").resolve()
    with pytest.raises(ExportError):
        safe_member_path("a\\..\\..\\b.txt", tmp_path)


def test_restore_never_overwrites_an_archive_unless_asked(sample: Sample, tmp_path: Path) -> None:
    write_backup(sample.archive.location, tmp_path / "backup.zip")
    target = tmp_path / "desk"
    with Archive(resolve_location(target)) as other:
        other.add(ClippingDraft(title="Only here", body="A clipping only this desk has."))
    stale_index = resolve_location(target).index_dir / "segment"
    stale_index.parent.mkdir()
    stale_index.write_text("index of the desk's own archive", encoding="utf-8")
    with pytest.raises(ArchiveExists, match="--force"):
        restore_backup(tmp_path / "backup.zip", target)
    with Archive(resolve_location(target)) as other:
        assert [s.title for s in other.summaries(other.list_ids())] == ["Only here"]
    assert stale_index.exists()
    restore_backup(tmp_path / "backup.zip", target, force=True)
    # The index described the replaced archive; it goes, to be rebuilt from the restored one.
    assert not stale_index.exists()
    with Archive(resolve_location(target)) as restored:
        assert snapshot(restored) == snapshot(sample.archive)


def test_search_finds_the_restored_clippings(sample: Sample, tmp_path: Path) -> None:
    write_backup(sample.archive.location, tmp_path / "backup.zip")
    target = tmp_path / "desk"
    with Archive(resolve_location(target)) as other:
        other.add(ClippingDraft(title="Only here", body="A clipping only this desk has."))
        other.index.catch_up()
    restore_backup(tmp_path / "backup.zip", target, force=True)
    with Archive(resolve_location(target)) as restored:
        hits = restored.search("Goïta", page_size=5).hits
        assert [h.id for h in hits] == [sample.ids["bamako"]]
        assert restored.search("desk", page_size=5).hits == []


def test_a_damaged_backup_or_something_else_is_refused(sample: Sample, tmp_path: Path) -> None:
    write_backup(sample.archive.location, tmp_path / "backup.zip")
    with zipfile.ZipFile(tmp_path / "backup.zip") as good:
        manifest, database = good.read("manifest.json"), good.read("archive.sqlite3")
    with zipfile.ZipFile(tmp_path / "damaged.zip", "w") as bad:
        bad.writestr("manifest.json", manifest)
        bad.writestr("archive.sqlite3", database[:-100] + b"\0" * 100)
    with pytest.raises(ExportError, match="does not match its manifest"):
        restore_backup(tmp_path / "damaged.zip", tmp_path / "t1")
    assert not (tmp_path / "t1" / "archive.sqlite3").exists()
    (tmp_path / "notes.zip").write_bytes(b"not a zip at all")
    with pytest.raises(ExportError, match="not a zip"):
        restore_backup(tmp_path / "notes.zip", tmp_path / "t2")
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as plain:
        plain.writestr("readme.txt", "hello")
    with pytest.raises(ExportError, match="no manifest"):
        restore_backup(tmp_path / "plain.zip", tmp_path / "t3")


def test_backup_needs_a_sqlite_archive(tmp_path: Path) -> None:
    location = resolve_location(tmp_path, "postgresql://desk@db/clipper")
    with pytest.raises(ExportError, match="pg_dump"):
        write_backup(location, tmp_path / "b.zip")
    with pytest.raises(ExportError, match="no archive"):
        write_backup(resolve_location(tmp_path / "nothing"), tmp_path / "b.zip")
