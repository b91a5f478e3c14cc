"""The `clipper` command as other tools use it: arguments, JSON output and exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clipper.cli import main


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
