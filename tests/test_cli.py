"""The `clipper` command as other tools use it: arguments, JSON output and exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from clipper.cli import main
from tests.helpers.archives import postgres_server_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MALI = (
    "Russian delegation in Bamako\n\n"
    "Colonel Assimi Goïta received General Yunus-bek Yevkurov in Bamako on December 2.\n\n"
    "The talks covered energy, transport and mining."
)
BURKINA = (
    "Yevkurov in Ouagadougou\n\n"
    "The Russian deputy defence minister stopped in Ouagadougou before Niamey.\n\n"
    "Captain Ibrahim Traoré did not comment on the visit."
)


def test_import_tag_note_link_show_search_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "archive")
    mali = write(tmp_path / "in", "mali.txt", MALI)
    burkina = write(tmp_path / "in", "burkina.txt", BURKINA)

    code, out, _ = run(
        capsys,
        "--archive",
        home,
        "import",
        str(mali),
        str(burkina),
        "--json",
        "--tag",
        "topic:Security",
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["path"] for r in rows] == [str(mali), str(burkina)]
    assert all(r["ok"] and r["error"] is None and r["duplicate_of"] is None for r in rows)
    mali_id, burkina_id = (r["id"] for r in rows)

    assert run(capsys, "--archive", home, "tag", str(mali_id), "--add", "region:Mali")[0] == 0
    assert (
        run(capsys, "--archive", home, "tag", str(burkina_id), "--add", "region:Burkina Faso")[0]
        == 0
    )
    assert run(capsys, "--archive", home, "note", str(mali_id), "Check the flight track")[0] == 0
    code, _, _ = run(
        capsys,
        "--archive",
        home,
        "link",
        str(mali_id),
        str(burkina_id),
        "--note",
        "Yevkurov tour: Bamako and Ouagadougou stops",
        "--kind",
        "same-event",
    )
    assert code == 0

    code, out, _ = run(capsys, "--archive", home, "show", str(burkina_id), "--json")
    shown = json.loads(out)
    assert shown["title"] == "Yevkurov in Ouagadougou"
    assert {(t["kind"], t["name"]) for t in shown["tags"]} == {
        ("topic", "Security"),
        ("region", "Burkina Faso"),
    }
    assert shown["links"][0]["other_id"] == mali_id
    assert shown["links"][0]["note"] == "Yevkurov tour: Bamako and Ouagadougou stops"

    code, out, _ = run(capsys, "--archive", home, "search", "region:Sahel goita", "--json")
    assert code == 0
    found = json.loads(out)
    assert found["total"] == 1
    (hit,) = found["hits"]
    assert set(hit) >= {"id", "title", "source", "published", "score", "snippet"}
    assert hit["id"] == mali_id
    assert "Goïta" in hit["snippet"]
    assert set(found) >= {"total", "hits", "facets", "suggestion"}

    code, out, _ = run(capsys, "--archive", home, "search", "flight track")  # notes are searched
    assert code == 0 and "Russian delegation in Bamako" in out

    code, out, _ = run(capsys, "--archive", home, "check")
    assert code == 0, out


def test_importing_the_same_text_again_reports_the_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "archive")
    first = write(tmp_path, "a.txt", MALI)
    copy = write(tmp_path, "b.txt", MALI.replace("  ", " ").upper())
    code, out, _ = run(capsys, "--archive", home, "import", str(first), str(copy), "--json")
    assert code == 0
    a, b = (json.loads(line) for line in out.splitlines())
    assert b["ok"] and b["duplicate_of"] == a["id"] == b["id"]


def test_a_failed_input_gives_exit_1_and_the_rest_still_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "archive")
    good = write(tmp_path, "good.txt", MALI)
    empty = write(tmp_path, "empty.txt", "")
    code, out, _ = run(
        capsys,
        "--archive",
        home,
        "import",
        str(empty),
        str(tmp_path / "missing.txt"),
        str(good),
        "--json",
    )
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["ok"] for r in rows] == [False, False, True]
    assert "empty.txt" in rows[0]["error"]
    assert "missing.txt" in rows[1]["error"]


def test_stdin_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(BURKINA))
    code, out, _ = run(capsys, "--archive", str(tmp_path / "a"), "import", "-", "--json")
    assert code == 0
    assert json.loads(out)["ok"]


@pytest.mark.parametrize(
    "args",
    [
        ["tag", "1", "--add", "Niger"],  # no kind
        ["tag", "1", "--add", "colour:red"],
        ["tag", "99", "--add", "region:Niger"],  # no such clipping
        ["show", "42"],
        ["link", "1", "1", "--note", "self"],
        ["search", "x", "--limit", "0"],
        ["import", "x.txt", "--tag", "nokind"],
    ],
)
def test_bad_usage_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    home = str(tmp_path / "archive")
    write(tmp_path, "one.txt", MALI)
    assert run(capsys, "--archive", home, "import", str(tmp_path / "one.txt"))[0] == 0
    code, _, err = run(capsys, "--archive", home, *args)
    assert code == 2
    assert err.startswith("clipper: ")


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["link", "1"])
    assert exc.value.code == 2


def test_a_malformed_query_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--archive", str(tmp_path / "a"), "search", 'title:"unclosed')
    assert code == 2
    assert err.startswith("clipper: ") and len(err) > 20


def test_check_exits_1_when_the_archive_was_tampered_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    home = tmp_path / "archive"
    write(tmp_path, "one.txt", MALI)
    run(capsys, "--archive", str(home), "import", str(tmp_path / "one.txt"))
    with sqlite3.connect(home / "archive.sqlite3") as conn:
        conn.execute("UPDATE clippings SET body = 'changed behind the archive''s back'")
    code, out, _ = run(capsys, "--archive", str(home), "check")
    assert code == 1
    assert "content hash" in out


@pytest.mark.slow
def test_sigkill_during_a_batch_import_loses_nothing_that_returned(tmp_path: Path) -> None:
    """Kill the importer mid-batch: every clipping it reported is there and `check` passes."""
    inbox = tmp_path / "inbox"
    for i in range(400):
        write(
            inbox,
            f"{i:04d}.txt",
            f"Story number {i}\n\nParagraph about Niamey number {i}.\n\n"
            + "Filler sentence about the Sahel. " * 40,
        )
    home = tmp_path / "archive"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "clipper", "--archive", str(home), "import", str(inbox), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    reported: list[dict[str, object]] = []
    deadline = time.monotonic() + 120
    # Let it get well into the batch (past a periodic index catch-up), then kill it.
    while len(reported) < 260 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(json.loads(line))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert len(reported) >= 260, "the importer stopped before it could be killed mid-batch"
    assert len(reported) < 400, "the import finished before the kill"

    check = subprocess.run(
        [sys.executable, "-m", "clipper", "--archive", str(home), "check"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    show = subprocess.run(
        [
            sys.executable,
            "-m",
            "clipper",
            "--archive",
            str(home),
            "search",
            "Niamey",
            "--json",
            "--limit",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    stored = json.loads(show.stdout)["total"]
    assert stored >= len(reported)
    from clipper.core.archive import Archive
    from clipper.core.paths import resolve_location

    with Archive(resolve_location(home)) as archive:
        for row in reported:
            assert row["ok"]
            detail = archive.get(int(row["id"]))  # type: ignore[arg-type]
            assert detail.title == f"Story number {int(Path(str(row['path'])).stem)}"


# -- where the archive is, and what it is (hardening items 15, 16, 17) ------------------------


def _one_line_error(err: str) -> str:
    """The whole of stderr, which must be one `clipper: ...` line and no traceback."""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("clipper: "), err
    return lines[0]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_bad_archive_places_give_one_line_naming_the_place_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = write(tmp_path, "notes.txt", "not a folder")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    places = {
        "a file": (["--archive", str(a_file)], str(a_file)),
        "a FIFO": (["--archive", str(fifo)], str(fifo)),
        "under a file": (["--archive", str(a_file / "sub")], str(a_file / "sub")),
        "empty": (["--archive", ""], "empty"),
        "not a URL": (["--archive", str(tmp_path / "a"), "--database", "desk-db"], "desk-db"),
        "unknown kind": (["--database", "nosuchdb://x/y"], "nosuchdb"),
        "refused server": (
            ["--database", f"postgresql://desk@127.0.0.1:{_free_port()}/clipper"],
            "127.0.0.1",
        ),
    }
    for what, (args, named) in places.items():
        code, out, err = run(capsys, *args, "search", "niger")
        assert code == 2, what
        assert named in _one_line_error(err), what
        assert out == ""

    # An unwritable home: the default archive folder cannot be made under a file.
    monkeypatch.setenv("HOME", str(a_file))
    monkeypatch.setenv("XDG_DATA_HOME", str(a_file / "share"))
    code, _, err = run(capsys, "search", "niger")
    assert code == 2 and str(a_file) in _one_line_error(err)


def test_a_missing_postgres_driver_says_what_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    url = f"postgresql://desk@127.0.0.1:{_free_port()}/clipper"
    code, _, err = run(capsys, "--archive", str(tmp_path / "a"), "--database", url, "check")
    assert code == 2
    assert "clipper[postgres]" in _one_line_error(err)


def test_another_programs_database_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    other = tmp_path / "accounts.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    url = f"sqlite:///{other}"
    code, _, err = run(capsys, "--archive", str(tmp_path / "a"), "--database", url, "check")
    assert code == 2
    assert "not a Clipper archive" in _one_line_error(err)
    with sqlite3.connect(other) as conn:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["accounts"]


def test_a_damaged_database_gives_one_line_from_every_command_and_check_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "archive"
    write(tmp_path, "one.txt", MALI)
    assert run(capsys, "--archive", str(home), "import", str(tmp_path / "one.txt"))[0] == 0
    database = home / "archive.sqlite3"
    damaged = bytearray(database.read_bytes())
    damaged[:100] = b"\0" * 100  # the header: SQLite no longer sees a database
    database.write_bytes(bytes(damaged))
    for command in (["check"], ["search", "Bamako"], ["show", "1"], ["import", str(database)]):
        code, _, err = run(capsys, "--archive", str(home), *command)
        assert code == 1, command
        assert "damaged" in _one_line_error(err), command


def test_damage_inside_the_file_is_reported_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    home = tmp_path / "archive"
    for i in range(30):
        write(tmp_path / "in", f"{i}.txt", f"Story {i}\n\n" + f"Paragraph {i} about Niamey. " * 80)
    assert run(capsys, "--archive", str(home), "import", str(tmp_path / "in"))[0] == 0
    database = home / "archive.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'clippings'"
        ).fetchone()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    damaged = bytearray(database.read_bytes())
    start = (root - 1) * page_size  # the clippings table's first page
    damaged[start : start + page_size] = b"\xa5" * page_size
    database.write_bytes(bytes(damaged))
    code, out, err = run(capsys, "--archive", str(home), "check")
    assert code == 1
    assert "Traceback" not in err
    assert "damaged" in out + err


def test_a_full_disk_fails_each_item_in_one_line_and_check_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from clipper.core import db

    home = tmp_path / "archive"
    write(tmp_path, "first.txt", MALI)
    assert run(capsys, "--archive", str(home), "import", str(tmp_path / "first.txt"))[0] == 0
    with sqlite3.connect(home / "archive.sqlite3") as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    # The database may not grow by one page: SQLite fails every write that needs room with
    # SQLITE_FULL, "database or disk is full", as it does when the disk itself is full.
    real = db._sqlite_on_connect

    def no_room(readonly: bool) -> object:
        connect = real(readonly)

        def on_connect(dbapi_connection: sqlite3.Connection, record: object) -> None:
            connect(dbapi_connection, record)
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

        return on_connect

    monkeypatch.setattr(db, "_sqlite_on_connect", no_room)
    for i in range(12):
        write(tmp_path / "batch", f"{i:02d}.txt", f"Story {i}\n\n" + f"Words of story {i}. " * 300)
    code, out, err = run(capsys, "--archive", str(home), "import", str(tmp_path / "batch"))
    assert code == 1
    assert "Traceback" not in err
    failures = err.strip().splitlines()
    assert failures, "nothing failed: the database still had room"
    assert all(line.startswith("error: ") and "is full" in line for line in failures), failures
    assert len(failures) + len(out.strip().splitlines()) == 12  # one line per item

    code, out, err = run(capsys, "--archive", str(home), "check")
    assert (code, err) == (0, ""), out + err
    assert out.startswith(f"ok: {13 - len(failures)} clipping(s)")


@pytest.mark.parametrize(
    ("levels", "reason"),
    [
        # The export's reader refuses what no archive could have written...
        (900, "'extra': nested more than 100 levels deep"),
        # ...and the archive refuses what it does not keep, with its own reason.
        (50, "the clipping's extra facts nest deeper than 32 levels"),
    ],
)
def test_extra_facts_nested_too_deep_are_refused_at_import_and_show_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], levels: int, reason: str
) -> None:
    """Hardening item 19: 900 levels of `extra` imported, then broke `show --json`."""
    home = str(tmp_path / "archive")
    write(tmp_path, "one.txt", MALI)
    assert run(capsys, "--archive", home, "import", str(tmp_path / "one.txt"))[0] == 0
    exported = tmp_path / "export.json"
    assert run(capsys, "--archive", home, "export", "--json", str(exported))[0] == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    (clipping,) = data["clippings"]
    deep: dict[str, object] = {}
    for _ in range(levels):
        deep = {"nested": deep}
    clipping.update(extra=deep, body="A different story about Bamako. " * 5)
    exported.write_text(json.dumps(data), encoding="utf-8")

    code, _, err = run(capsys, "--archive", str(tmp_path / "other"), "import", str(exported))
    assert code == 1
    assert "Traceback" not in err and len(err.splitlines()) == 1 and reason in err
    assert run(capsys, "--archive", str(tmp_path / "other"), "check")[0] == 0
    code, out, _ = run(capsys, "--archive", home, "show", "1", "--json")
    assert code == 0 and json.loads(out)["id"] == 1


def _in_private_mount(
    mount: list[str], *commands: list[str]
) -> list[subprocess.CompletedProcess[str]]:
    """Run shell `mount` lines, then each command, in a private mount namespace (gone when
    it ends): a read-only folder even root cannot write, a tiny disk that fills up. Skips
    where mounts are not allowed."""
    import shlex
    import shutil

    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare for a private mount")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", " && ".join(mount)], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("mounts are not allowed here")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    results = []
    for command in commands:
        line = " && ".join([*mount, shlex.join(command)])
        results.append(
            subprocess.run(
                ["unshare", "-m", "sh", "-c", line], capture_output=True, text=True, env=env
            )
        )
    return results


def shlex_join(command: list[str]) -> str:
    import shlex

    return shlex.join(command)


def _clipper(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "clipper", "--archive", str(home), *args]


def test_a_read_only_archive_can_be_searched_and_checked_but_not_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hardening item 15: the WAL pragma wrote, so a read-only archive could not be searched."""
    home = tmp_path / "archive"
    write(tmp_path, "one.txt", MALI)
    assert run(capsys, "--archive", str(home), "import", str(tmp_path / "one.txt"))[0] == 0
    read_only = [f"mount --bind '{home}' '{home}'", f"mount -o remount,ro,bind '{home}'"]
    search, check, tag = _in_private_mount(
        read_only,
        _clipper(home, "search", "Bamako"),
        _clipper(home, "check"),
        _clipper(home, "tag", "1", "--add", "region:Mali"),
    )
    assert search.returncode == 0, search.stderr
    assert "Russian delegation in Bamako" in search.stdout
    assert check.returncode == 0 and check.stdout.startswith("ok: 1 clipping(s)"), check.stderr
    assert tag.returncode == 1
    assert "read-only" in _one_line_error(tag.stderr)


# -- backup and restore of an archive on either backend (issue 14) ----------------------------


@pytest.mark.backends
def test_backup_and_restore_bring_back_the_same_archive_on_either_backend(
    archive: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clipper.core.archive import Archive
    from clipper.core.paths import ArchiveLocation, resolve_location
    from tests.helpers.archives import archive_args, fresh_postgres_database
    from tests.helpers.samples import load_sample, snapshot

    load_sample(archive)
    expected = snapshot(archive)
    desk = archive_args(archive.location)
    code, out, err = run(capsys, *desk, "backup", str(tmp_path / "backup.zip"))
    assert code == 0, err
    assert "backed up" in out

    restored = tmp_path / "restored"
    code, out, err = run(capsys, "restore", str(tmp_path / "backup.zip"), str(restored))
    assert code == 0, err
    with Archive(resolve_location(restored)) as back:
        assert snapshot(back) == expected
    assert run(capsys, "--archive", str(restored), "check")[0] == 0
    # An archive is never replaced without --force.
    code, _, err = run(capsys, "restore", str(tmp_path / "backup.zip"), str(restored))
    assert code == 2 and "already holds an archive" in err

    server = postgres_server_url()
    if archive.engine.dialect.name == "postgresql" and server is not None:
        with fresh_postgres_database(server) as url:
            target = ArchiveLocation(tmp_path / "desk-c", url)
            args = ["--database", url, "restore", str(tmp_path / "backup.zip"), str(target.home)]
            code, _, err = run(capsys, *args)
            assert code == 0, err
            with Archive(target) as back:
                assert snapshot(back) == expected
            assert run(capsys, *archive_args(target), "check")[0] == 0
            code, _, err = run(capsys, *args)
            assert code == 2 and "already holds an archive" in err


def test_on_a_really_full_disk_check_and_search_work_and_each_import_fails_in_one_line(
    tmp_path: Path,
) -> None:
    """Hardening item 16 on a real full file system: a 2 MB tmpfs, filled up after an import.
    SQLite's WAL files cannot even be created to open the archive, so it is read as it is."""
    disk = tmp_path / "disk"
    disk.mkdir()
    home = disk / "archive"
    inputs = [write(tmp_path / "in", f"{i}.txt", f"Story {i}\n\n" + f"About Niamey {i}. " * 99)
              for i in range(3)]  # fmt: skip
    steps = [
        _clipper(home, "import", str(inputs[0])),
        ["dd", "if=/dev/zero", f"of={disk}/filler", "bs=4k"],  # fails when the disk is full
        _clipper(home, "check"),
        _clipper(home, "search", "Niamey"),
        _clipper(home, "import", str(inputs[1]), str(inputs[2])),
    ]
    # One namespace for every step: each step's output, then its exit code, then a marker.
    script = "; ".join(f'{shlex_join(step)} 2>&1; echo "exit $?"; echo ---' for step in steps)
    (done,) = _in_private_mount([f"mount -t tmpfs -o size=2m none '{disk}'"], ["sh", "-c", script])
    imported, filled, check, search, more = done.stdout.split("---\n")[:5]
    assert imported.startswith("imported ") and imported.endswith("exit 0\n"), imported
    assert "No space left on device" in filled
    assert "Traceback" not in done.stdout
    assert check.startswith("ok: 1 clipping(s)") and check.endswith("exit 0\n"), check
    assert search.startswith("1 clipping(s)") and search.endswith("exit 0\n"), search
    failures = more.splitlines()[:-1]
    assert len(failures) == 2, more
    assert all(
        line.startswith("error: ") and "disk holding it is full" in line for line in failures
    )
    assert more.endswith("exit 1\n")
