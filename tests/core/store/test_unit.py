"""The store's unit of work: a batch is one transaction."""

from __future__ import annotations

import threading

import pytest

from clipper.core.archive import Archive, InvalidInput
from tests.helpers.archives import draft

pytestmark = pytest.mark.backends


def test_a_batch_is_one_transaction_that_sees_its_own_writes(archive: Archive) -> None:
    seq = archive.last_seq()
    with archive.batch():
        first = archive.add(draft("Niamey receives a Russian delegation")).id
        archive.add_tag(first, "region", "Niger")
        # Reads on this thread see what the batch wrote before it is committed.
        assert [t.name for t in archive.get(first).tags] == ["Niger"]
        second = archive.add(draft("Bamako stop of the same tour")).id
        archive.link(first, second, "Yevkurov tour")
    assert archive.get(second).links[0].note == "Yevkurov tour"
    assert archive.last_seq() > seq


def test_a_batch_that_raises_leaves_nothing_behind(archive: Archive) -> None:
    kept = archive.add(draft("Already in the archive")).id
    seq = archive.last_seq()
    with pytest.raises(InvalidInput), archive.batch():
        added = archive.add(draft("Written, then rolled back")).id
        archive.add_note(kept, "rolled back too")
        archive.link(added, added)  # refused: a clipping cannot be linked to itself
    assert archive.list_ids() == [kept]
    assert not archive.get(kept).notes
    assert archive.last_seq() == seq
    assert archive.integrity_problems() == []


def test_other_threads_wait_for_a_batch_and_never_see_half_of_it(archive: Archive) -> None:

    seen: list[int] = []
    inside, done = threading.Event(), threading.Event()

    def other_desk() -> None:
        inside.wait(5)
        seen.append(len(archive.list_ids()))  # a read does not wait, and sees none of it
        archive.add(draft("Written by another thread"))
        done.set()

    thread = threading.Thread(target=other_desk)
    thread.start()
    with archive.batch():
        archive.add(draft("First of the batch"))
        inside.set()
        assert not done.wait(0.3)  # the other thread's write waits for the batch
        archive.add(draft("Second of the batch"))
    thread.join(5)
    assert seen == [0]
    assert done.is_set() and len(archive.list_ids()) == 3
