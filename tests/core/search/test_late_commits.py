"""Change numbers that commit out of order (a server database with concurrent writers) are
still applied: the index remembers the numbers it has not seen and looks for them again."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from clipper.core.archive import Archive
from clipper.core.search import state as search_state
from clipper.core.search.state import read_state
from tests.helpers.archives import add, ids

pytestmark = pytest.mark.backends


def _hold_back(archive: Archive, seq: int) -> tuple[int, str]:
    """Take change `seq` out of the log, as if its transaction had not committed yet."""
    with archive.engine.begin() as conn:
        row = conn.execute(
            text("SELECT clipping_id, op FROM changes WHERE seq = :s"), {"s": seq}
        ).one()
        conn.execute(text("DELETE FROM changes WHERE seq = :s"), {"s": seq})
    return row[0], row[1]


def _commit_late(archive: Archive, seq: int, clipping_id: int, op: str) -> None:
    with archive.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO changes (seq, clipping_id, op, at) VALUES (:s, :c, :o, '2026-01-01')"
            ),
            {"s": seq, "c": clipping_id, "o": op},
        )


def test_a_change_committed_after_a_later_numbered_one_is_still_indexed(
    archive: Archive,
) -> None:
    add(archive, "Mali", "Bamako talks")
    assert ids(archive, "talks") == {1}
    bamako = add(archive, "Burkina", "Ouagadougou talks")  # change 2
    add(archive, "Niger", "Niamey talks")  # change 3
    held = _hold_back(archive, 2)

    assert ids(archive, "talks") == {1, 3}
    state = read_state(archive.location.index_dir)
    assert state is not None and state.seq == 3 and state.gap_seqs == [2]

    _commit_late(archive, 2, *held)
    assert archive.last_seq() == 3  # nothing newer: only the gap says there is work
    assert ids(archive, "talks") == {1, bamako, 3}
    state = read_state(archive.location.index_dir)
    assert state is not None and state.gaps == ()
    assert archive.index.parity_problems() == []


def test_a_number_that_never_comes_is_given_up_after_a_while(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(archive, "Mali", "Bamako talks")
    ids(archive, "talks")
    add(archive, "Burkina", "Ouagadougou talks")
    add(archive, "Niger", "Niamey talks")
    _hold_back(archive, 2)  # and never commit it: a rolled-back transaction
    ids(archive, "talks")
    assert read_state(archive.location.index_dir).gap_seqs == [2]  # type: ignore[union-attr]

    add(archive, "Chad", "N'Djamena talks")
    ids(archive, "talks")
    assert read_state(archive.location.index_dir).gap_seqs == [2]  # still waited for

    monkeypatch.setattr(search_state, "GAP_PATIENCE", 0.0)
    add(archive, "Senegal", "Dakar talks")
    assert len(ids(archive, "talks")) == 4
    assert read_state(archive.location.index_dir).gaps == ()  # type: ignore[union-attr]


def test_a_rebuild_remembers_numbers_missing_below_its_starting_point(archive: Archive) -> None:
    add(archive, "Mali", "Bamako talks")
    burkina = add(archive, "Burkina", "Ouagadougou talks")
    add(archive, "Niger", "Niamey talks")
    held = _hold_back(archive, 2)
    archive.index.rebuild()
    state = read_state(archive.location.index_dir)
    assert state is not None and state.gap_seqs == [2]
    _commit_late(archive, 2, *held)
    assert burkina in ids(archive, "talks")
