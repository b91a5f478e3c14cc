"""The index as a cache: rebuilt when missing, damaged or outdated (and only then), caught up
from the change log by whichever process looks, writer errors raised, segments merged."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from clipper.core.archive import Archive
from clipper.core.search import SCHEMA_VERSION
from clipper.core.search import index as index_module
from clipper.core.search.index import STATE_FILENAME, read_state
from clipper.core.search.segments import SegmentBuilder
from clipper.core.search.writer import IndexWriter
from clipper.core.views import ClippingFilter
from tests.helpers.archives import (
    NEWSROOM,
    add,
    fill_newsroom,
    reopen,
    search_snapshot,
    segment_sizes,
)

# Imports, catch-up and exports must behave the same on a shared server.
pytestmark = pytest.mark.backends

QUERIES = ["junta", "armée", "region:Sahel", "elections OR uranium", '"russian delegation"', ""]


def snapshot(archive: Archive) -> list[tuple[int, list[tuple[int, float, str]], object]]:
    return search_snapshot(archive, QUERIES)


@pytest.fixture
def filled(archive: Archive) -> Archive:
    fill_newsroom(archive)
    archive.index.catch_up()
    return archive


def build_id(archive: Archive) -> str:
    state = read_state(archive.location.index_dir)
    assert state is not None
    return state.build


def test_a_new_archive_gets_an_index_that_records_the_last_change(archive: Archive) -> None:
    fill_newsroom(archive)
    index = archive.index
    state = read_state(archive.location.index_dir)
    assert state is not None and state.schema == SCHEMA_VERSION
    assert state.seq == archive.last_seq() == index.applied_seq
    assert index.document_count() == len(NEWSROOM)
    assert index.parity_problems() == []


def test_deleting_the_index_folder_only_costs_a_rebuild(filled: Archive, caplog) -> None:
    before = snapshot(filled)
    old_build = build_id(filled)
    filled.close()
    index_dir = filled.location.index_dir
    for path in sorted(index_dir.iterdir(), reverse=True):
        path.unlink()
    index_dir.rmdir()
    with caplog.at_level(logging.INFO), reopen(filled) as again:
        assert snapshot(again) == before
        assert build_id(again) != old_build
        assert again.index.parity_problems() == []
    assert "rebuilding it" in caplog.text


@pytest.mark.parametrize("victim", ["toc", "terms", "columns", "postings", "stored", "state"])
def test_a_corrupted_index_file_only_costs_a_rebuild(filled: Archive, victim: str, caplog) -> None:
    # Enough clippings that "junta" has a posting list in the postings file (short lists
    # live in the term table).
    for n in range(12):
        add(filled, f"Dispatch {n}", f"Dispatch {n}: the junta in Niamey again.")
    filled.index.catch_up()
    before = snapshot(filled)
    old_build = build_id(filled)
    filled.close()
    index_dir = filled.location.index_dir
    pattern = {
        "toc": "_MAIN_*.toc",
        "terms": "*.trm",
        "columns": "*.cid.col",
        "postings": "*.pst",
        "stored": "*._stored.col",
        "state": STATE_FILENAME,
    }
    files = sorted(index_dir.glob(pattern[victim]))
    assert files, f"no {victim} file in {sorted(p.name for p in index_dir.iterdir())}"
    for path in files:
        size = path.stat().st_size
        path.write_bytes(b"\x80garbage\xff" * max(1, size // 9 + 1))
    with caplog.at_level(logging.WARNING), reopen(filled) as again:
        assert snapshot(again) == before
        assert build_id(again) != old_build
        assert again.index.parity_problems() == []
    assert "rebuilding it" in caplog.text


def test_an_older_schema_version_triggers_a_rebuild(filled: Archive, caplog) -> None:
    before = snapshot(filled)
    old_build = build_id(filled)
    filled.close()
    state_file = filled.location.index_dir / STATE_FILENAME
    state = json.loads(state_file.read_text())
    state["schema"] = SCHEMA_VERSION - 1
    state_file.write_text(json.dumps(state))
    with caplog.at_level(logging.WARNING), reopen(filled) as again:
        assert snapshot(again) == before
        assert build_id(again) != old_build
        assert read_state(again.location.index_dir).schema == SCHEMA_VERSION  # type: ignore[union-attr]
    assert f"built with schema version {SCHEMA_VERSION - 1}" in caplog.text


def test_the_work_before_the_index_answers_is_foreseen(filled: Archive) -> None:
    """What the window tells an editor while searches wait: a rebuild of every clipping when
    the index is missing or outdated, else the number of changes to catch up."""
    assert filled.pending_index_work() == index_module.IndexWork(rebuild=False, items=0)
    add(filled, "Dispatch", "The junta in Niamey again.")
    assert filled.pending_index_work() == index_module.IndexWork(rebuild=False, items=1)
    filled.index.catch_up()
    assert filled.pending_index_work().items == 0
    filled.close()
    state_file = filled.location.index_dir / STATE_FILENAME
    state = json.loads(state_file.read_text())
    state["schema"] = SCHEMA_VERSION - 1
    state_file.write_text(json.dumps(state))
    with reopen(filled) as again:
        expected = index_module.IndexWork(rebuild=True, items=len(NEWSROOM) + 1)
        assert again.pending_index_work() == expected
        again.index.catch_up()
        assert again.pending_index_work() == index_module.IndexWork(rebuild=False, items=0)


def test_a_file_vanishing_while_opening_is_retried_not_rebuilt(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(filled)
    old_build = build_id(filled)
    filled.close()
    real_open_dir = whoosh_index.open_dir
    calls = []

    def flaky_open_dir(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == 1:
            raise FileNotFoundError("MAIN_x.trm vanished (another process committed)")
        return real_open_dir(*args, **kwargs)

    monkeypatch.setattr(index_module.whoosh_index, "open_dir", flaky_open_dir)
    with reopen(filled) as again:
        assert snapshot(again) == before
        assert build_id(again) == old_build
    assert len(calls) >= 2


def test_an_index_is_reused_when_nothing_is_wrong(filled: Archive) -> None:
    old_build = build_id(filled)
    filled.close()
    with reopen(filled) as again:
        assert again.search("junta").total == 1
        assert build_id(again) == old_build


def test_catch_up_applies_changes_made_by_another_archive_instance(filled: Archive) -> None:
    index = filled.index
    other = reopen(filled)
    try:
        new = add(other, "Tillabéri ambush", "Soldiers were ambushed near Tillabéri.")
        niger = other.find_tag("region", "Niger")
        assert niger is not None
        other.add_tag([1], "topic", "Diplomacy")
        other.add_note(2, "Check the casualty figures with Niamey.")
        other.trash([5])
        other.update(3, title="Burkina Faso : le scrutin n'aura pas lieu")
        # The other process caught up the shared index folder itself, as the CLI does.
        other.index.catch_up()
        assert index.applied_seq < other.last_seq()
        assert filled.search("Tillabéri").total == 1
        assert [h.id for h in filled.search("topic:diplomacy").hits] == [1]
        assert [h.id for h in filled.search("casualty").hits] == [2]
        assert filled.search("uranium").total == 0
        assert [h.id for h in filled.search("scrutin").hits] == [3]
        assert filled.search("title:reportées").total == 0
        assert index.applied_seq == other.last_seq()
        assert index.parity_problems() == []
        other.purge([5])
        other.restore([])
        assert new in {h.id for h in filled.search("ambushed").hits}
        assert index.parity_problems() == []
    finally:
        other.close()


def test_links_and_dossiers_need_no_reindexing(filled: Archive) -> None:
    index = filled.index
    segments = index.segment_count()
    filled.link(1, 2, "same week")
    dossier = filled.create_dossier("Sahel").value
    filled.add_to_dossier(dossier.id, [1, 2])
    assert index.catch_up() == 0
    assert index.segment_count() == segments
    assert index.applied_seq == filled.last_seq()


def test_catch_up_on_a_worker_thread_while_searching_on_another(filled: Archive) -> None:
    index = filled.index
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching() -> None:
        try:
            while not stop.is_set():
                results = index.search("report OR junta", page_size=5)
                assert results.total >= 1
                filled.search("", ClippingFilter(), page_size=5)
        except BaseException as exc:
            errors.append(exc)

    reader = threading.Thread(target=searching)
    reader.start()
    try:
        for n in range(25):
            add(filled, f"Field report {n}", f"Report number {n} from the Sahel.")
            index.catch_up()
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert index.search("report").total == 25
    assert index.parity_problems() == []


def test_writer_errors_are_raised_and_leave_the_index_as_it_was(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = filled.index
    seq_before = index.applied_seq
    files_before = sorted(p.name for p in filled.location.index_dir.iterdir())
    add(filled, "Doomed", "This clipping will not reach the index on the first try.")

    def disk_full(self: SegmentBuilder, values: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SegmentBuilder, "add", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        index.catch_up()
    assert index.applied_seq == seq_before
    assert sorted(p.name for p in filled.location.index_dir.iterdir()) == files_before
    monkeypatch.undo()
    # The lock was released and nothing half-written remains: the next catch-up works.
    assert index.catch_up() == 1
    assert index.search("doomed").total == 1
    assert index.parity_problems() == []


def test_small_segments_are_folded_tier_by_tier_and_maintain_merges_the_rest(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clippings caught up one at a time leave small segments, folded a size tier at a time:
    there are never more than FOLD_AT of one tier, and a clipping is re-indexed a few times at most
    (folding them all at every commit re-indexed each of them at every commit)."""
    index = filled.index
    reindexed: list[int] = []
    build = IndexWriter.build

    def counted(writer: IndexWriter, ids: Sequence[int]) -> None:
        reindexed.append(len(ids))
        build(writer, ids)

    monkeypatch.setattr(IndexWriter, "build", counted)
    briefs = 60
    for n in range(briefs):
        add(filled, f"Brief {n}", f"Brief number {n}.")
        index.catch_up()
        tiers = [len(str(size)) for size in segment_sizes(filled)]
        assert all(tiers.count(tier) <= index_module.FOLD_AT for tier in set(tiers)), tiers
    # Each catch-up indexes its one clipping; the folds add at most a few passes over each.
    assert sum(reindexed) - briefs <= 3 * briefs, reindexed
    assert index.search("brief").total == briefs
    monkeypatch.undo()
    before = snapshot(filled)
    index.maintain(max_segments=1)
    assert index.segment_count() == 1
    assert snapshot(filled) == before
    assert index.parity_problems() == []


def test_where_folds_wait_for_idle_time_a_catch_up_indexes_only_its_own_clippings(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window folds in idle time: a catch-up's commit then re-indexes only the clipping
    just added (a fold of four tiers re-indexed up to hundreds before it was found), up to
    FOLD_BACKSTOP segments of a tier; the idle fold leaves no tier with FOLD_AT, changes
    nothing a search finds, and stops the backstop from ever being reached."""
    index = filled.index
    index.folds_when_idle = True
    reindexed: list[int] = []
    build = IndexWriter.build

    def counted(writer: IndexWriter, ids: Sequence[int], *args: object) -> None:
        reindexed.append(len(ids))
        build(writer, ids, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(IndexWriter, "build", counted)
    backstop = index_module.FOLD_BACKSTOP
    adds = backstop - 1 - len(tier_one(filled))  # the newsroom's own segment may be one
    for n in range(adds):
        add(filled, f"Brief {n}", f"Brief number {n}.")
        index.catch_up()
    assert reindexed == [1] * adds, "a catch-up folded"
    assert len(tier_one(filled)) == backstop - 1
    before = snapshot(filled)
    reindexed.clear()
    in_small = sum(tier_one(filled))
    assert index.fold_small_segments() == in_small
    assert reindexed == [in_small]
    tiers = [len(str(size)) for size in segment_sizes(filled) if size < 2000]
    assert all(tiers.count(tier) < index_module.FOLD_AT for tier in set(tiers)), tiers
    assert snapshot(filled) == before
    assert index.search("brief").total == adds
    assert index.parity_problems() == []
    assert index.fold_small_segments() == 0, "nothing left to fold"
    # Where nobody folds in idle time, the backstop keeps a tier from growing for ever.
    for n in range(backstop + 1):
        add(filled, f"Note {n}", f"Note number {n}.")
        index.catch_up()
        tiers = [len(str(size)) for size in segment_sizes(filled) if size < 2000]
        assert all(tiers.count(tier) < backstop for tier in set(tiers)), tiers
    assert index.search("note").total == backstop + 1


def test_a_catch_up_that_comes_during_an_idle_fold_goes_first(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fold stops between clippings for a catch-up (the clipping just added is found at
    once, not after the fold), leaves the index as it was, and folds at the next idle time."""
    index = filled.index
    index.folds_when_idle = True
    for n in range(index_module.FOLD_AT):
        add(filled, f"Brief {n}", f"Brief number {n}.")
        index.catch_up()
    folding = threading.Event()
    real_add = SegmentBuilder.add_document

    def slow_add(builder: SegmentBuilder, doc: object) -> None:
        if threading.current_thread().name == "folder":
            folding.set()
            threading.Event().wait(0.2)  # a long fold, a clipping at a time
        real_add(builder, doc)  # type: ignore[arg-type]

    monkeypatch.setattr(SegmentBuilder, "add_document", slow_add)
    folded: list[int] = []
    folder = threading.Thread(
        target=lambda: folded.append(index.fold_small_segments()), name="folder"
    )
    sizes = segment_sizes(filled)
    folder.start()
    assert folding.wait(10)
    add(filled, "Urgent dispatch", "Filed while the index was folding.")
    assert index.catch_up(timeout=None) == 1
    assert index.search("urgent").total == 1
    folder.join(10)
    assert folded == [0], "the fold gave way"
    assert sorted(segment_sizes(filled)) == sorted([*sizes, 1])
    assert index.parity_problems() == []
    monkeypatch.undo()
    waiting = sum(tier_one(filled))
    assert index.fold_small_segments() == waiting
    assert index.search("brief OR urgent").total == index_module.FOLD_AT + 1
    assert index.parity_problems() == []


def test_an_idle_fold_leaves_the_index_to_a_writer_in_another_process(filled: Archive) -> None:
    index = filled.index
    index.folds_when_idle = True
    for n in range(index_module.FOLD_AT):
        add(filled, f"Brief {n}", f"Brief number {n}.")
        index.catch_up()
    lock = whoosh_index.open_dir(str(filled.location.index_dir)).lock("WRITELOCK")
    assert lock.acquire()
    try:
        assert index.fold_small_segments() == 0
    finally:
        lock.release()
    waiting = sum(tier_one(filled))
    assert index.fold_small_segments() == waiting


def tier_one(archive: Archive) -> list[int]:
    """The sizes of the segments of the smallest tier (1-9 clippings)."""
    return [size for size in segment_sizes(archive) if size < 10]


def test_a_search_after_a_commit_reuses_the_readers_of_unchanged_segments(
    archive: Archive,
) -> None:
    """A new view keeps the readers of segments the commit did not touch, and opens a new one
    for a segment that has deleted documents since: with the old reader, a clipping edited
    away would still be found by its old words."""
    index = archive.index
    kept = add(archive, "Niamey", "The junta met a delegation in Niamey.")
    index.catch_up()
    edited = add(archive, "Bamako", "Uranium talks in Bamako.")
    index.catch_up()
    assert index.search("uranium").total == 1 and index.search("junta").total == 1
    before = {leaf.reader.segment().segment_id(): leaf.reader for leaf in index._view().leaves}
    assert len(before) == 2

    archive.update(edited, body="Gold talks in Bamako.")
    index.catch_up()
    assert index.search("uranium").total == 0
    assert [hit.id for hit in index.search("gold").hits] == [edited]
    assert [hit.id for hit in index.search("junta").hits] == [kept]
    after = {leaf.reader.segment().segment_id(): leaf.reader for leaf in index._view().leaves}
    assert len(after) == 3
    untouched = [segment_id for segment_id in before if after[segment_id].doc_count() == 1]
    touched = [segment_id for segment_id in before if after[segment_id].doc_count() == 0]
    assert len(untouched) == 1 and len(touched) == 1
    assert after[untouched[0]] is before[untouched[0]]
    assert after[touched[0]] is not before[touched[0]] and before[touched[0]].is_closed
    assert index.parity_problems() == []


def test_rebuild_recreates_the_same_results(filled: Archive) -> None:
    before = snapshot(filled)
    assert filled.index.rebuild() == len(NEWSROOM)
    assert snapshot(filled) == before


def test_parity_problems_name_the_drift(filled: Archive, tmp_path: Path) -> None:
    index = filled.index
    writer = whoosh_index.open_dir(str(filled.location.index_dir)).writer()
    writer.delete_by_term("id", "3")
    writer.commit(merge=False)
    filled.update(4, title="Changed behind the index's back")
    # Pretend the index had applied the update.
    state_file = filled.location.index_dir / STATE_FILENAME
    state = json.loads(state_file.read_text())
    state["seq"] = filled.last_seq()
    state_file.write_text(json.dumps(state))
    with reopen(filled) as other:
        problems = other.index.parity_problems()
    assert "clipping 3 is live in the archive but missing from the index" in problems
    assert "clipping 4: the index holds an older version" in problems
    assert len(problems) == 2
    del index


def test_catch_up_leaves_the_work_to_a_writer_that_holds_the_index(filled: Archive) -> None:
    index = filled.index
    add(filled, "Late dispatch", "Filed while another process was indexing.")
    # Another process (the command line importing a big batch) holds the write lock.
    lock = whoosh_index.open_dir(str(filled.location.index_dir)).lock("WRITELOCK")
    assert lock.acquire()
    try:
        assert index.catch_up(timeout=0.2) == 0
        assert filled.search("junta").total == 1  # searching still works meanwhile
        assert index.search("dispatch").total == 0
    finally:
        lock.release()
    assert index.catch_up() == 1
    assert index.search("dispatch").total == 1


def test_leftovers_of_a_killed_rebuild_are_cleaned_up(filled: Archive) -> None:
    index_dir = filled.location.index_dir
    building = index_dir.parent / f".{index_dir.name}.building-dead1234"
    retired = index_dir.parent / f".{index_dir.name}.old-dead1234"
    for folder in (building, retired):
        folder.mkdir()
        (folder / "junk").write_bytes(b"half an index")
    assert filled.search("junta").total == 1
    filled.index.rebuild()
    assert not building.exists() and not retired.exists()
    assert filled.search("junta").total == 1


def test_a_rebuild_swapped_in_by_another_process_is_picked_up(filled: Archive) -> None:
    index = filled.index
    assert index.search("junta").total == 1
    with reopen(filled) as other:
        add(other, "Junta again", "The junta met once more.")
        other.index.rebuild()
    # This instance notices the swapped folder and reads the new index.
    assert index.search("junta").total == 2
    assert index.parity_problems() == []


def test_an_index_folder_that_vanishes_for_good_is_rebuilt(filled: Archive) -> None:
    index = filled.index
    before = snapshot(filled)
    index_dir = filled.location.index_dir
    for path in index_dir.iterdir():
        path.unlink()
    index_dir.rmdir()
    assert snapshot(filled) == before
    assert index.parity_problems() == []


def test_reindexing_an_outdated_index_builds_it_once(
    filled: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled.close()
    state_file = filled.location.index_dir / STATE_FILENAME
    state = json.loads(state_file.read_text())
    state["schema"] = SCHEMA_VERSION - 1
    state_file.write_text(json.dumps(state))
    builds = []
    real_build = index_module.build_index

    def counting_build(*args: object, **kwargs: object) -> int:
        builds.append(args)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module, "build_index", counting_build)
    with reopen(filled) as again:
        # What `clipper reindex` does: open (which rebuilds the outdated index), rebuild.
        assert again.index.rebuild() == len(NEWSROOM)
        assert len(builds) == 1
        # Asked again later, after use, it really rebuilds.
        assert again.search("junta").total == 1
        assert again.index.rebuild() == len(NEWSROOM)
        assert len(builds) == 2
