"""Writing an export safely: all or nothing, beside the target, with the usual permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clipper.export.common import ExportError, atomic_output


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def test_the_file_appears_whole_with_the_users_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out" / "book.json"
    with atomic_output(target, ".json") as temporary:
        assert temporary.parent == target.parent and not temporary.exists()
        temporary.write_text("{}", encoding="utf-8")
        assert not target.exists()
    assert target.read_text(encoding="utf-8") == "{}"
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in target.parent.iterdir()] == ["book.json"]


def test_a_failure_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "book.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.json"]


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"), atomic_output(tmp_path):
        pass
