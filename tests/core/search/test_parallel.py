"""Indexing in worker processes (fresh interpreters, never forks) gives the same index as
indexing in this process; a failing worker fails the build cleanly."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from clipper.bench.corpus import NewsCorpus
from clipper.core.archive import Archive
from clipper.core.paths import resolve_location
from clipper.core.search import parallel, segments, writer
from tests.helpers.archives import search_snapshot

QUERIES = ["security", "uranium sécurité", '"de la"', "region:Niger", "goita~", "secu*", ""]


@pytest.fixture
def corpus_archive(archive: Archive) -> Archive:
    for article in NewsCorpus(seed=11, tail_words=3000).articles(60):
        archive.add(article.draft, article.tags)
    return archive


needs_two_cores = pytest.mark.skipif(
    parallel.worker_count() < 2, reason="worker processes are used with two cores or more"
)


@pytest.mark.slow
@needs_two_cores
def test_worker_processes_build_the_same_index(
    corpus_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = corpus_archive.index
    index.parallel = False
    index.rebuild()
    in_process = search_snapshot(corpus_archive, QUERIES)
    monkeypatch.setattr(writer, "PARALLEL_MIN_DOCUMENTS", 10)
    index.parallel = True
    assert index.rebuild() == 60
    assert index.segment_count() == parallel.worker_count()  # one segment per worker
    assert search_snapshot(corpus_archive, QUERIES) == in_process
    assert index.parity_problems() == []
    # A big catch-up goes to the workers too.
    for article in NewsCorpus(seed=12, tail_words=3000).articles(15):
        corpus_archive.add(article.draft, article.tags)
    assert index.catch_up() == 15
    assert index.parity_problems() == []


@pytest.mark.slow
@needs_two_cores
def test_a_failing_worker_fails_the_build_and_leaves_no_files(
    corpus_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = corpus_archive.index
    assert index.search("security").total > 0
    before = sorted(p.name for p in corpus_archive.location.index_dir.iterdir())
    monkeypatch.setattr(writer, "PARALLEL_MIN_DOCUMENTS", 10)
    index.parallel = True
    # Workers read the archive themselves: point them at a database that is not there.
    broken = type(corpus_archive.location)(corpus_archive.location.home, "nosuchdatabase://nowhere")
    monkeypatch.setattr(index, "worker_location", broken)
    with pytest.raises(parallel.IndexBuildError, match="worker processes failed"):
        index.rebuild()
    assert sorted(p.name for p in index.index_dir.iterdir()) == before
    assert [p.name for p in index.index_dir.parent.iterdir() if ".building-" in p.name] == []
    assert index.search("security").total > 0


@pytest.mark.parametrize("workers", [False, pytest.param(True, marks=needs_two_cores)])
def test_a_rebuild_is_cancelled_when_the_app_closes(
    corpus_archive: Archive, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    """Opening an archive whose index is gone rebuilds it; closing the window meanwhile
    cancels that build within a moment, swaps nothing in, and the next opening builds."""

    index_dir = corpus_archive.location.index_dir
    assert corpus_archive.search("security").total > 0  # the index exists, then is lost
    corpus_archive.close()
    again = Archive(resolve_location(corpus_archive.location.home))
    if workers:
        monkeypatch.setattr(writer, "PARALLEL_MIN_DOCUMENTS", 10)
    else:
        # One clipping per chunk, each a little slow: a build of several seconds.
        monkeypatch.setattr(segments, "READ_CHUNK", 1)
        documents = again.stores.documents
        read = documents.index_documents
        monkeypatch.setattr(
            documents, "index_documents", lambda ids: (time.sleep(0.05), read(ids))[1]
        )
    shutil.rmtree(index_dir)
    outcome: list[BaseException | None] = []

    def open_index() -> None:
        try:
            again.index  # noqa: B018 - opening is the point
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    opener = threading.Thread(target=open_index)
    opener.start()
    time.sleep(0.3)
    cancelled_at = time.perf_counter()
    again.cancel_index_build()
    opener.join(timeout=15)
    assert not opener.is_alive()
    assert time.perf_counter() - cancelled_at < 5
    assert len(outcome) == 1 and isinstance(outcome[0], parallel.IndexBuildCancelled)
    assert not index_dir.exists()
    assert [p.name for p in index_dir.parent.iterdir() if ".building-" in p.name] == []
    # The next opening builds it whole.
    monkeypatch.undo()
    assert again.search("security").total > 0
    assert again.index.parity_problems() == []
    again.close()


def test_cancelling_when_no_build_runs_changes_nothing(corpus_archive: Archive) -> None:
    corpus_archive.cancel_index_build()  # nothing is being opened: a no-op
    assert corpus_archive.search("security").total > 0
    assert corpus_archive.index.rebuild() == 60
