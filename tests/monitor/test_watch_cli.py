"""`clipper watch`: files appearing in a watched folder are read into the inbox once (moved
away or not), a bad file is one line and the others still arrive."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from clipper.core.monitor import watch
from tests.helpers.feeds import story
from tests.monitor.conftest import Desk


def drop(folder: Path, name: str, text: str | bytes, age_s: float = 60.0) -> Path:
    """A file as a colleague or a scanner left it, `age_s` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def article(title: str, subject: str, place: str = "Niamey") -> str:
    return title + "\n\n" + "\n\n".join(story(subject, place))


def waiting(desk: Desk) -> list[dict[str, Any]]:
    return json.loads(desk.run("inbox", "list", "--json").out)  # type: ignore[no-any-return]


def test_new_files_are_read_once_and_moved_away(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file is "still being written" for ten minutes here, so that a loaded machine taking
    # seconds between the drop and the poll cannot make the fresh file a settled one.
    monkeypatch.setattr(watch, "SETTLE_S", 600.0)
    inbox_dir, done = tmp_path / "to-clip", tmp_path / "clipped"
    hour = 3600.0
    wagner = article("Wagner arrives in Niamey", "The arrival of Wagner")
    drop(inbox_dir, "wagner.txt", wagner, age_s=hour)
    uranium = article("Uranium exports halted", "Uranium", "Agadez")
    drop(inbox_dir / "desk-2", "uranium.md", uranium, age_s=hour)
    drop(inbox_dir, "empty.txt", "", age_s=hour)
    drop(inbox_dir, ".hidden.txt", article("A hidden file", "Nothing"), age_s=hour)
    drop(inbox_dir, "fresh.txt", article("Still being scanned", "A scan", "Zinder"), age_s=0)
    added = desk.run("watch", "add", str(inbox_dir), "--move-to", str(done), "--tag", "topic:Desk")
    assert added.lines == [f"watching folder #1 {inbox_dir}, moving each file read to {done}"]

    polled = desk.run("watch", "poll")
    assert polled.code == 1
    assert polled.lines == [
        f"folder #1 {inbox_dir}: 2 new in the inbox, 1 failed",
        "  warning: 1 file(s) still being written wait for the next poll",
    ]
    assert (
        polled.err
        == f"error: folder #1 {inbox_dir}: {inbox_dir / 'empty.txt'}: the file is empty\n"
    )
    assert sorted(i["title"] for i in waiting(desk)) == [
        "Uranium exports halted",
        "Wagner arrives in Niamey",
    ]
    # Read files moved; the bad one, the hidden one and the fresh one stay.
    assert sorted(p.name for p in done.iterdir()) == ["uranium.md", "wagner.txt"]
    assert sorted(p.name for p in inbox_dir.iterdir()) == [
        ".hidden.txt",
        "desk-2",
        "empty.txt",
        "fresh.txt",
    ]
    kept = desk.run("inbox", "keep", str(waiting(desk)[0]["id"]))
    assert kept.code == 0, kept.err
    shown = json.loads(desk.run("show", "1", "--json").out)
    assert ("topic", "Desk") in {(t["kind"], t["name"]) for t in shown["tags"]}
    assert shown["extra"]["watch_folder"] == str(inbox_dir)
    assert shown["original_size"] > 0


def test_without_moving_a_file_is_read_once_and_again_when_it_changes(
    desk: Desk, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    path = drop(folder, "wagner.txt", article("Wagner arrives in Niamey", "The arrival of Wagner"))
    desk.run("watch", "add", str(folder))
    assert desk.run("watch", "poll").lines == [f"folder #1 {folder}: 1 new in the inbox"]
    assert desk.run("watch", "poll").lines == [f"folder #1 {folder}: 0 new in the inbox"]
    assert len(waiting(desk)) == 1
    # A copy of the same text collapses under the first; a new version of the file arrives.
    drop(folder, "copy.txt", path.read_text(encoding="utf-8"))
    drop(folder, "wagner.txt", article("Wagner leaves Niamey", "The departure of Wagner"), 30)
    again = desk.run("watch", "poll")
    assert again.lines == [f"folder #1 {folder}: 2 new in the inbox"]
    assert [(i["title"], i["copies"]) for i in waiting(desk)] == [
        ("Wagner arrives in Niamey", [2]),
        ("Wagner leaves Niamey", []),
    ]


def test_a_folder_that_is_gone_is_one_line_and_the_others_still_poll(
    desk: Desk, tmp_path: Path
) -> None:
    gone, there = tmp_path / "gone", tmp_path / "there"
    gone.mkdir()
    drop(there, "wagner.txt", article("Wagner arrives in Niamey", "The arrival of Wagner"))
    desk.run("watch", "add", str(gone))
    desk.run("watch", "add", str(there))
    gone.rmdir()
    polled = desk.run("watch", "poll")
    assert polled.code == 1
    assert polled.lines == [f"folder #2 {there}: 1 new in the inbox"]
    assert polled.err == (
        f"error: folder #1 {gone}: {gone}: the folder is not there (removed, or a drive not "
        "mounted)\n"
    )
    listed = json.loads(desk.run("watch", "list", "--json").out)
    assert [(f["path"], f["unread"]) for f in listed] == [(str(gone), 0), (str(there), 1)]


def test_watching_needs_a_folder(desk: Desk, tmp_path: Path) -> None:
    missing = desk.run("watch", "add", str(tmp_path / "nowhere"))
    assert (missing.code, missing.err) == (2, f"clipper: {tmp_path / 'nowhere'}: no such folder\n")
    same = desk.run("watch", "add", str(tmp_path), "--move-to", str(tmp_path))
    assert same.err == "clipper: the folder to move files to must not be the watched folder\n"
    assert desk.run("watch", "add", str(tmp_path)).code == 0
    twice = desk.run("watch", "add", str(tmp_path))
    assert twice.err == f"clipper: {tmp_path} is already watched as folder #1\n"
    assert desk.run("watch", "remove", "1").lines == [f"no longer watching folder #1 {tmp_path}"]


def test_a_file_name_with_a_newline_or_a_bidi_override_is_printed_escaped(
    desk: Desk, tmp_path: Path
) -> None:
    """Hardening item 23 for watched folders: the name cannot split the line or turn it."""
    folder = tmp_path / "scans"
    drop(folder, "bad\nname\u202etxt.txt", "")
    desk.run("watch", "add", str(folder))
    polled = desk.run("watch", "poll")
    assert polled.code == 1
    assert polled.err == (
        f"error: folder #1 {folder}: {folder}/bad\\nname\\u202etxt.txt: the file is empty\n"
    )
