"""`clipper restore` and `clipper backup` against hostile and damaged backups, killed runs and
failing disks: one line and exit 1 for what is refused, nothing written for a refused backup,
an existing archive never touched until the new one has passed every check."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from clipper.export import backup as backup_module
from tests.export.faults import fill_the_disk, make_read_only
from tests.helpers.samples import Sample, fill_sample, snapshot

DATABASE = "archive.sqlite3"


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real backup of the sample archive, made by `clipper backup`."""
    folder = tmp_path_factory.mktemp("good")
    with Archive(resolve_location(folder / "archive")) as archive:
        fill_sample(archive)
    assert main(["--archive", str(folder / "archive"), "backup", str(folder / "b.zip")]) == 0
    return folder / "b.zip"


@pytest.fixture(scope="module")
def expected(good_backup: Path) -> dict[str, Any]:
    """What the good backup holds, as `snapshot` sees it."""
    with Archive(resolve_location(good_backup.parent / "archive")) as archive:
        return snapshot(archive)


def _members(path: Path) -> tuple[dict[str, Any], bytes]:
    with zipfile.ZipFile(path) as backup:
        return json.loads(backup.read("manifest.json")), backup.read(DATABASE)


def _write_zip(
    path: Path,
    manifest: dict[str, Any] | bytes,
    database: bytes | None,
    extra: dict[str, bytes] | None = None,
    honest: bool = True,
) -> Path:
    """A backup zip; `honest` gives the manifest the database's true size and sha256."""
    if isinstance(manifest, dict) and honest and database is not None:
        manifest = json.loads(json.dumps(manifest))
        manifest["database"].update(size=len(database), sha256=hashlib.sha256(database).hexdigest())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as backup:
        raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        backup.writestr("manifest.json", raw)
        if database is not None:
            backup.writestr(DATABASE, database)
        for name, data in (extra or {}).items():
            backup.writestr(name, data)
    return path


def _restore(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["restore", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _wal_that_rewrites(database: bytes, work: Path) -> bytes:
    """A genuine WAL for this database that, replayed, retitles every clipping."""
    work.mkdir()
    path = work / DATABASE
    path.write_bytes(database)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("UPDATE clippings SET title = 'rewritten by a planted wal'")
    connection.commit()
    # Read while the connection is open: closing would checkpoint it away.
    wal = (work / f"{DATABASE}-wal").read_bytes()
    connection.close()
    assert len(wal) > 32
    return wal


def _titles(folder: Path) -> set[str]:
    with Archive(resolve_location(folder)) as archive:
        return {archive.get(cid).title for cid in archive.list_ids()}


# -- item 5: only what the manifest names ----------------------------------------------------


def test_restore_installs_only_the_database_the_manifest_names(
    good_backup: Path, expected: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest, database = _members(good_backup)
    wal = _wal_that_rewrites(database, tmp_path / "work")
    planted = _write_zip(
        tmp_path / "planted.zip",
        manifest,
        database,
        extra={f"{DATABASE}-wal": wal, "notes.txt": b"read me", "index/segment": b"x"},
    )
    target = tmp_path / "restored"
    code, out, err = _restore(capsys, str(planted), str(target))
    assert code == 0
    assert "rewritten by a planted wal" not in _titles(target)
    with Archive(resolve_location(target)) as archive:
        assert snapshot(archive) == expected
    assert err.splitlines() == [
        f"warning: ignored '{name}' in the backup: its manifest does not name it"
        for name in (f"{DATABASE}-wal", "notes.txt", "index/segment")
    ]
    assert out.startswith(f"restored 5 clipping(s), 1 original(s) into {target}")
    assert not (target / "notes.txt").exists()


def test_restore_removes_stale_sqlite_files_beside_the_target(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A -wal left in the folder (by another archive, or planted) would be replayed into the
    restored database when it opens."""
    _, database = _members(good_backup)
    target = tmp_path / "restored"
    target.mkdir()
    (target / f"{DATABASE}-wal").write_bytes(_wal_that_rewrites(database, tmp_path / "work"))
    (target / f"{DATABASE}-shm").write_bytes(b"\0" * 32768)
    (target / f"{DATABASE}-journal").write_bytes(b"stale journal")
    code, out, _ = _restore(capsys, str(good_backup), str(target))
    assert code == 0 and out.startswith("restored 5 clipping(s)")
    titles = _titles(target)
    assert "rewritten by a planted wal" not in titles and len(titles) == 5


# -- item 6: zip bombs and oversized manifests ----------------------------------------------


@pytest.fixture
def inflated(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the bytes inflated from a database member (the test zeroes it before the
    restore it measures)."""
    counted = [0]
    real_read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = real_read(self, n)
        if self.name == DATABASE:
            counted[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    yield counted


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], inflated: list[int]
) -> None:
    manifest, _ = _members(good_backup)
    bomb = _write_zip(tmp_path / "bomb.zip", manifest, bytes(64 << 20))
    assert bomb.stat().st_size < 1 << 20
    target = tmp_path / "restored"
    inflated[0] = 0
    code, out, err = _restore(capsys, str(bomb), str(target))
    assert (code, out) == (1, "")
    assert err.startswith("clipper: refusing the backup: its ")
    assert err.endswith(" database would inflate to 64.0 MB, far more than any archive packs "
                        "(a zip bomb?)\n")  # fmt: skip
    assert inflated[0] == 0
    assert _files(target) == []


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make the zip declare `size` bytes for `member` (central directory and local header),
    as a crafted zip would, whatever its data inflates to."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", data, start + (28 if offset == 24 else 26))[0]
            header = 46 if offset == 24 else 30
            if bytes(data[start + header : start + header + name_length]) == name:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    path.write_bytes(bytes(data))


def test_a_zip_that_lies_about_its_size_inflates_no_further(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], inflated: list[int]
) -> None:
    """The zip and the manifest both claim 4 KB; the data inflates to 64 MB."""
    manifest, _ = _members(good_backup)
    manifest["database"].update(size=4096, sha256=hashlib.sha256(bytes(4096)).hexdigest())
    liar = _write_zip(tmp_path / "liar.zip", manifest, bytes(64 << 20), honest=False)
    _patch_declared_size(liar, DATABASE, 4096)
    with zipfile.ZipFile(liar) as crafted:
        assert crafted.getinfo(DATABASE).file_size == 4096
    target = tmp_path / "restored"
    inflated[0] = 0
    code, out, err = _restore(capsys, str(liar), str(target))
    assert (code, out) == (1, "")
    assert err == (
        "clipper: the backup is damaged: cannot read its database (Bad CRC-32 for file "
        "'archive.sqlite3')\n"
    )
    assert inflated[0] <= 4096
    assert _files(target) == []


def test_a_backup_of_a_mostly_free_archive_is_compact_and_restores(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Purging a trash of large originals leaves free pages that SQLite (secure_delete) zeroes;
    the backup must not pack like a bomb, or its own restore would refuse it."""
    home = sample.archive.location.home
    with sqlite3.connect(home / DATABASE) as connection:
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("CREATE TABLE filler (x BLOB)")
        connection.execute("INSERT INTO filler VALUES (zeroblob(32 * 1024 * 1024))")
        connection.commit()
        connection.execute("DROP TABLE filler")
        connection.commit()
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    assert free * page_size > 30 << 20
    backup = tmp_path / "b.zip"
    assert main(["--archive", str(home), "backup", str(backup)]) == 0
    with zipfile.ZipFile(backup) as made:
        assert made.getinfo(DATABASE).file_size < 2 << 20
    target = tmp_path / "restored"
    capsys.readouterr()
    code, out, err = _restore(capsys, str(backup), str(target))
    assert (code, err) == (0, "") and out.startswith("restored 5 clipping(s), 1 original(s)")
    with Archive(resolve_location(target)) as restored:
        assert snapshot(restored) == snapshot(sample.archive)


def test_an_oversized_manifest_is_refused_unread(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest, database = _members(good_backup)
    manifest["padding"] = " " * (8 << 20)
    padded = _write_zip(tmp_path / "padded.zip", manifest, database)
    target = tmp_path / "restored"
    code, out, err = _restore(capsys, str(padded), str(target))
    assert (code, out) == (1, "")
    assert err == (
        "clipper: refusing the backup: its manifest is over 1.0 MB (a Clipper manifest is "
        "about a kilobyte)\n"
    )
    assert _files(target) == []


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "the backup's manifest is not valid JSON"),
        (b"\xff\xfe not utf-8", "the backup's manifest is not valid JSON"),
        (
            b'{"format": "clipper-backup", "version": 1, "database": "archive.sqlite3"}',
            "the backup holds no archive database (its manifest names none)",
        ),
        (
            b'{"format": "clipper-backup", "version": 1, "database": {"member": '
            b'"archive.sqlite3", "size": "221184", "sha256": null}}',
            "the backup's manifest does not give the database's size and sha256",
        ),
        (
            b'{"format": "clipper-backup", "version": [1]}',
            "the backup has version '[1]'; this Clipper restores up to 1",
        ),
    ],
    ids=["nested-100k-deep", "not-utf-8", "database-is-text", "size-is-text", "version-list"],
)
def test_a_malformed_manifest_is_one_line(
    good_backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    manifest: bytes,
    message: str,
) -> None:
    _, database = _members(good_backup)
    crafted = _write_zip(tmp_path / "crafted.zip", manifest, database)
    target = tmp_path / "restored"
    assert _restore(capsys, str(crafted), str(target)) == (1, "", f"clipper: {message}\n")
    assert _files(target) == []


def test_a_restore_that_would_not_fit_is_refused_before_writing(
    good_backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_usage = backup_module.shutil.disk_usage

    def almost_full(path: Any) -> Any:
        usage = real_usage(path)
        return usage._replace(free=100_000)

    monkeypatch.setattr(backup_module.shutil, "disk_usage", almost_full)
    target = tmp_path / "restored"
    code, out, err = _restore(capsys, str(good_backup), str(target))
    assert (code, out) == (1, "")
    with zipfile.ZipFile(good_backup) as backup:
        needed = backup.getinfo(DATABASE).file_size + backup_module.FREE_SPACE_MARGIN
    # The size the archive needs is what its database inflates to, plus the margin.
    assert err == (
        f"clipper: not enough room in {target}: the archive needs "
        f"{needed / (1 << 20):,.1f} MB, 0.1 MB are free\n"
    )
    assert _files(target) == []


def test_an_encrypted_or_cut_backup_is_one_line(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(good_backup.read_bytes())
    entry = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)  # the database's entry
    struct.pack_into("<H", data, entry + 8, struct.unpack_from("<H", data, entry + 8)[0] | 1)
    encrypted = tmp_path / "encrypted.zip"
    encrypted.write_bytes(bytes(data))
    assert _restore(capsys, str(encrypted), str(tmp_path / "t1")) == (
        1, "", "clipper: refusing the backup: its database is encrypted\n",
    )  # fmt: skip
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good_backup.read_bytes()[: good_backup.stat().st_size // 2])
    assert _restore(capsys, str(cut), str(tmp_path / "t2")) == (
        1, "", f"clipper: {cut} is not a Clipper backup (not a zip file, or a cut one)\n",
    )  # fmt: skip
    damaged = bytearray(good_backup.read_bytes())
    with zipfile.ZipFile(good_backup) as backup:
        info = backup.getinfo(DATABASE)
    # A byte of the deflate stream itself.
    damaged[info.header_offset + 30 + len(DATABASE) + 100] ^= 0xFF
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(damaged))
    code, out, err = _restore(capsys, str(broken), str(tmp_path / "t3"))
    assert (code, out) == (1, "")
    assert err.startswith("clipper: the backup is damaged: cannot read its database (")
    assert len(err.splitlines()) == 1
    for folder in ("t1", "t2", "t3"):
        assert _files(tmp_path / folder) == []


# -- item 18: the restored database must be a Clipper archive --------------------------------


def _other_sqlite(tmp_path: Path) -> bytes:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.execute("INSERT INTO recipes VALUES ('thieboudienne')")
    connection.commit()
    connection.close()
    return path.read_bytes()


def _altered_archive(database: bytes, tmp_path: Path, *statements: str) -> bytes:
    path = tmp_path / "altered.sqlite3"
    path.write_bytes(database)
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda db, tmp: _other_sqlite(tmp),
            "is not a Clipper archive (it lacks Clipper's tables)",
        ),
        (lambda db, tmp: b"just some bytes " * 512, "is not a SQLite database"),
        (
            lambda db, tmp: _altered_archive(
                db, tmp,
                "CREATE TRIGGER wipe AFTER INSERT ON notes BEGIN DELETE FROM clippings; END",
            ),
            "is not a Clipper archive (it has views or triggers: wipe)",
        ),
        (
            lambda db, tmp: _altered_archive(
                db, tmp, "UPDATE alembic_version SET version_num = 'f00d'"
            ),
            "has schema revision 'f00d', which this Clipper does not know (made by a newer "
            "Clipper?)",
        ),
        (
            lambda db, tmp: _altered_archive(db, tmp, "CREATE TABLE payload (x BLOB)"),
            "is not a Clipper archive (it has other tables: payload)",
        ),
    ],
    ids=["another-programs-database", "not-sqlite", "a-trigger", "an-unknown-revision",
         "another-table"],
)  # fmt: skip
def test_restore_refuses_a_database_that_is_not_a_clipper_archive(
    good_backup: Path,
    expected: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Any,
    message: str,
) -> None:
    manifest, database = _members(good_backup)
    crafted = _write_zip(tmp_path / "crafted.zip", manifest, make(database, tmp_path))
    fresh = tmp_path / "fresh"
    code, out, err = _restore(capsys, str(crafted), str(fresh))
    assert (code, out) == (1, "")
    assert err.startswith(f"clipper: refusing the backup: its database {message}")
    assert len(err.splitlines()) == 1
    assert _files(fresh) == []
    # Over an existing archive, even with --force: it stays as it was.
    desk = tmp_path / "desk"
    assert _restore(capsys, str(good_backup), str(desk))[0] == 0
    assert _restore(capsys, "--force", str(crafted), str(desk))[0] == 1
    assert _files(desk) == [DATABASE]
    with Archive(resolve_location(desk)) as archive:
        assert snapshot(archive) == expected


def test_restore_reports_what_the_database_holds_not_what_the_manifest_claims(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest, database = _members(good_backup)
    manifest["counts"].update(clippings=999, originals=42)
    boastful = _write_zip(tmp_path / "boastful.zip", manifest, database)
    target = tmp_path / "restored"
    code, out, err = _restore(capsys, str(boastful), str(target))
    assert code == 0
    assert out == (
        f"restored 5 clipping(s), 1 original(s) into {target}; open it with: "
        f"clipper --archive {target}\n"
    )
    assert err == (
        "warning: the backup's manifest claims 999 clipping(s) and 42 original(s); the "
        "database holds what is said below\n"
    )


# -- item 22: killed runs leave nothing behind, scratch copies are private ----------------------


def test_a_killed_backup_is_cleaned_up_by_the_next_and_its_copy_was_private(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = sample.archive.location.home
    out = tmp_path / "backups"
    out.mkdir()
    # A backup that stops after copying the database, until it is killed.
    script = (
        "import sys, time\n"
        "from clipper.export import sqlite_snapshot\n"
        "from clipper.cli import main\n"
        "real = sqlite_snapshot.integrity_problems\n"
        "def copied_then_hang(path):\n"
        "    print(path, flush=True)\n"
        "    time.sleep(120)\n"
        "sqlite_snapshot.integrity_problems = copied_then_hang\n"
        f"sys.exit(main(['--archive', {str(home)!r}, 'backup', {str(out / 'b.zip')!r}]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    running = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env, cwd=root
    )
    try:
        assert running.stdout is not None
        copy = Path(running.stdout.readline().strip())
        scratch = copy.parent
        assert scratch.parent == out and scratch.name.startswith(".clipper-backup-")
        assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert copy.stat().st_size > 0
        # While it runs, another backup into the same folder leaves its scratch alone.
        assert main(["--archive", str(home), "backup", str(out / "other.zip")]) == 0
        assert scratch.exists()
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait(timeout=30)
        if running.stdout is not None:
            running.stdout.close()
    assert scratch.exists()  # a killed run cannot clean up after itself
    capsys.readouterr()
    assert main(["--archive", str(home), "backup", str(out / "b.zip")]) == 0
    assert capsys.readouterr().out.startswith(f"backed up {home} to {out / 'b.zip'}")
    assert sorted(p.name for p in out.iterdir()) == ["b.zip", "other.zip"]


def test_a_killed_restore_is_cleaned_up_by_the_next(
    good_backup: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "restored"
    left = target / ".clipper-restore-k1ll3d"
    left.mkdir(parents=True)
    (left / DATABASE).write_bytes(b"a whole copy of someone's archive")
    (left / "lock").touch()
    code, out, _ = _restore(capsys, str(good_backup), str(target))
    assert code == 0 and out.startswith("restored 5 clipping(s)")
    assert _files(target) == [DATABASE]


# -- full disks and read-only folders ---------------------------------------------------------


def test_backup_on_a_full_disk_is_one_line_and_keeps_the_last_backup(
    sample: Sample,
    good_backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = sample.archive.location.home
    out = tmp_path / "backups"
    out.mkdir()
    (out / "b.zip").write_bytes(good_backup.read_bytes())
    fill_the_disk(monkeypatch, out)
    assert main(["--archive", str(home), "backup", str(out / "b.zip")]) == 1
    assert capsys.readouterr() == (
        "",
        f"clipper: cannot write the backup {out / 'b.zip'}: No space left on device\n",
    )
    assert sorted(p.name for p in out.iterdir()) == ["b.zip"]
    assert (out / "b.zip").read_bytes() == good_backup.read_bytes()


def test_restore_on_a_full_disk_is_one_line_and_keeps_the_archive(
    good_backup: Path,
    expected: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = tmp_path / "desk"
    assert _restore(capsys, str(good_backup), str(desk))[0] == 0
    before = (desk / DATABASE).read_bytes()
    fill_the_disk(monkeypatch, desk)
    assert _restore(capsys, "--force", str(good_backup), str(desk)) == (
        1, "", f"clipper: cannot write in {desk}: No space left on device\n",
    )  # fmt: skip
    monkeypatch.undo()
    assert _files(desk) == [DATABASE]
    assert (desk / DATABASE).read_bytes() == before


def test_backup_and_restore_into_read_only_folders_are_one_line(
    sample: Sample,
    good_backup: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = sample.archive.location.home
    locked = tmp_path / "locked"
    locked.mkdir()
    make_read_only(monkeypatch, locked)
    assert main(["--archive", str(home), "backup", str(locked / "b.zip")]) == 1
    assert capsys.readouterr() == ("", f"clipper: cannot write in {locked}: Permission denied\n")
    assert _restore(capsys, str(good_backup), str(locked)) == (
        1, "", f"clipper: cannot write in {locked}: Permission denied\n",
    )  # fmt: skip
    assert _restore(capsys, str(good_backup), str(locked / "new")) == (
        1, "", f"clipper: cannot create the folder {locked / 'new'}: Permission denied\n",
    )  # fmt: skip
    monkeypatch.undo()
    assert _files(locked) == []
