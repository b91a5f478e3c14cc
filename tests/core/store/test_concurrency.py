"""Several desks (processes) writing one archive at once: exact duplicates are impossible,
sources and tags are created once, and nobody sees a traceback (hardening item 7, issue 14).

The desks are real `clipper import` processes; on PostgreSQL they share one server database
and keep their own archive folders (and search indexes), on SQLite one database file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from clipper.core.archive import Archive
from clipper.core.models import Clipping, Source, Tag
from clipper.core.paths import ArchiveLocation, resolve_location, sqlite_url
from clipper.core.store.clippings import NewClipping
from tests.helpers.archives import archive_args, draft

pytestmark = pytest.mark.backends


def _stories(folder: Path, numbers: range) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        (folder / f"story-{i:03d}.txt").write_text(
            f"Story number {i} from the Sahel desk\n\n"
            f"Paragraph about Niamey and Bamako, number {i}. "
            * 12
            + f"\n\nSource: Wire Service {i % 3}\n",
            encoding="utf-8",
        )
    return folder


def _desk(home: Path, shared: ArchiveLocation) -> list[str]:
    return archive_args(ArchiveLocation(home, shared.database_url))


def _start_import(desk: list[str], *inputs: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "clipper", *desk, "import", *map(str, inputs), "--json"]
    command += ["--tag", "topic:Sahel watch", "--tag", "region:Niger"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


@pytest.fixture
def shared(tmp_path: Path, database_url: str | None) -> ArchiveLocation:
    """One database two desks share: a server database, or one SQLite file."""
    url = database_url or sqlite_url(tmp_path / "shared.sqlite3")
    return resolve_location(tmp_path / "first-desk", url)


def test_two_desks_importing_overlapping_folders_at_once_store_each_story_once(
    tmp_path: Path, shared: ArchiveLocation, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _stories(tmp_path / "in-first", range(0, 80))
    second = _stories(tmp_path / "in-second", range(40, 120))
    # The same files too: the second desk also imports the first desk's folder.
    desks = [_desk(tmp_path / "desk-a", shared), _desk(tmp_path / "desk-b", shared)]
    runs = [_start_import(desks[0], first), _start_import(desks[1], second, first)]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err and err == "", err
        assert all(json.loads(line)["ok"] for line in out.splitlines())

    with Archive(shared) as archive, archive.stores.unit.reading() as s:
        assert s.scalar(select(func.count(Clipping.id))) == 120
        assert s.scalar(select(func.count(func.distinct(Clipping.content_hash)))) == 120
        assert s.scalar(select(func.count()).where(Tag.key == "sahel watch")) == 1
        assert s.scalar(select(func.count(Source.id))) <= 3

    from clipper.cli import main

    for desk in desks:
        assert main([*desk, "check"]) == 0
        out, _ = capsys.readouterr()
        assert out.startswith("ok: 120 clipping(s)"), out


def test_a_text_stored_by_another_desk_meanwhile_is_returned_not_stored_again(
    shared: ArchiveLocation, tmp_path: Path
) -> None:
    """The race itself, made certain: the other desk commits the same text between this
    desk's duplicate check and its insert. The unique content hash turns the insert into the
    existing clipping."""
    if shared.database_url.startswith("sqlite"):
        pytest.skip("on SQLite the write lock makes the other desk wait: there is no race")
    with (
        Archive(shared) as desk,
        Archive(ArchiveLocation(tmp_path / "b", shared.database_url)) as other,
    ):
        clippings = desk.stores.clippings
        real_check = clippings._with_hashes
        stored: list[int] = []

        def check_then_lose_the_race(session: object, digests: Sequence[str]) -> dict[str, int]:
            found = real_check(session, digests)  # type: ignore[arg-type]
            if not stored:
                stored.append(other.add(draft("Wire copy", "The same wire copy.")).id)
            return found

        clippings._with_hashes = check_then_lose_the_race  # type: ignore[method-assign]
        result = desk.add(draft("Wire copy", "The same wire copy."))
        assert not result.created and result.id == result.duplicate_of == stored[0]
        assert desk.count() == 1


def test_a_text_stored_by_another_desk_meanwhile_is_its_clipping_in_a_bulk_add(
    shared: ArchiveLocation, tmp_path: Path
) -> None:
    """The same race in `add_many`: the other desk commits one of the texts between the
    check and the insert; that item is the other desk's clipping, the others are stored, and
    a later copy of the same text in the call is the other desk's clipping too."""
    if shared.database_url.startswith("sqlite"):
        pytest.skip("on SQLite the write lock makes the other desk wait: there is no race")
    with (
        Archive(shared) as desk,
        Archive(ArchiveLocation(tmp_path / "b", shared.database_url)) as other,
    ):
        clippings = desk.stores.clippings
        real_check = clippings._with_hashes
        stored: list[int] = []

        def check_then_lose_the_race(session: object, digests: Sequence[str]) -> dict[str, int]:
            found = real_check(session, digests)  # type: ignore[arg-type]
            if not stored:
                stored.append(other.add(draft("Wire copy", "The same wire copy.")).id)
            return found

        clippings._with_hashes = check_then_lose_the_race  # type: ignore[method-assign]
        results = desk.add_many(
            [
                NewClipping(draft("Own story", "A story of our own."), [("topic", "Mines")]),
                NewClipping(draft("Wire copy", "The same wire copy."), [("topic", "Wire")]),
                NewClipping(draft("Wire copy again", "The same  wire copy.")),
            ]
        )
        own, wire, again = results
        assert own.created and own.id not in stored
        assert not wire.created and wire.id == wire.duplicate_of == stored[0]
        assert not again.created and again.id == stored[0]
        assert desk.count() == 2
        assert desk.find_tag("topic", "Wire") is None
        assert [t.name for t in desk.get(own.id).tags] == ["Mines"]


def test_a_link_another_desk_made_at_the_same_moment_is_said_in_a_sentence(
    shared: ArchiveLocation, tmp_path: Path
) -> None:
    """Two desks linking the same pair at once: the one that commits second is told, and
    the archive keeps one link (no IntegrityError reaches the user)."""
    from clipper.core.archive import InvalidInput
    from clipper.core.models import Link

    if shared.database_url.startswith("sqlite"):
        pytest.skip("on SQLite the write lock makes the other desk wait: there is no race")
    elsewhere = ArchiveLocation(tmp_path / "b", shared.database_url)
    with Archive(shared) as desk, Archive(elsewhere) as other:
        a = desk.add(draft("One", "First text.")).id
        b = desk.add(draft("Two", "Second text.")).id
        linked: list[bool] = []

        def the_other_desk_links_first(session: object, *_args: object) -> None:
            if not linked:  # after this desk found no link, before it inserts its own
                linked.append(True)
                other.link(a, b, "the other desk's note")

        event.listen(desk.stores.unit._sessions, "before_flush", the_other_desk_links_first)
        with pytest.raises(InvalidInput, match="at the same moment"):
            desk.link(a, b, "this desk's note")
        with desk.stores.unit.reading() as s:
            assert [link.note for link in s.scalars(select(Link))] == ["the other desk's note"]
