"""Indexing in worker processes (fresh interpreters, never forks) gives the same index as
indexing in this process; a failing worker fails the build cleanly."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive
from clipper.core.search import index as index_module
from clipper.core.search import parallel
from clipper.core.search.corpus import NewsCorpus
from tests.core.search.test_lifecycle import snapshot

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
    in_process = snapshot(corpus_archive)
    monkeypatch.setattr(index_module, "PARALLEL_MIN_DOCUMENTS", 10)
    index.parallel = True
    assert index.rebuild() == 60
    assert index.segment_count() == parallel.worker_count()  # one segment per worker
    assert snapshot(corpus_archive) == in_process
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
    monkeypatch.setattr(index_module, "PARALLEL_MIN_DOCUMENTS", 10)
    index.parallel = True
    # Workers read the archive themselves: point them at a database that is not there.
    broken = type(corpus_archive.location)(corpus_archive.location.home, "nosuchdatabase://nowhere")
    monkeypatch.setattr(corpus_archive, "location", broken)
    with pytest.raises(parallel.IndexBuildError, match="worker processes failed"):
        index.rebuild()
    assert sorted(p.name for p in index.index_dir.iterdir()) == before
    assert [p.name for p in index.index_dir.parent.iterdir() if ".building-" in p.name] == []
    assert index.search("security").total > 0
