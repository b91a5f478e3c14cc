"""The benchmark's metric (re-implemented from the corpus README) and `clipper bench-import`
run on the five fixture pages."""

from __future__ import annotations

import pytest

from clipper.bench.ingest import page_counts, run, score
from clipper.cli import main
from tests.helpers.documents import CORPUS
from tests.helpers.paths import SHARED_CORPUS


def test_page_counts_are_shingle_multisets_normalized_per_page() -> None:
    truth = "one two three four five"  # shingles: (1 2 3 4), (2 3 4 5)
    assert page_counts(truth, truth) == (1.0, 0.0, 0.0)
    # The prediction keeps one shingle and adds one: TP 1, FP 1, FN 1, each over 3.
    tp, fp, fn = page_counts(truth, "one two three four six")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    # Repeated text counts twice: a multiset, not a set.
    tp, fp, fn = page_counts("a b c d", "a b c d a b c d")
    assert tp > 0 and fp > 0 and fn == 0


def test_corpus_score_means_and_accuracy() -> None:
    truths = {"a": "w1 w2 w3 w4 w5", "b": "x1 x2 x3 x4 x5 x6"}
    perfect = score(truths, {"a": "w1, w2 w3 w4 w5!", "b": "x1 x2 x3 x4 x5 x6"})
    assert (perfect.precision, perfect.recall, perfect.f1, perfect.accuracy) == (1, 1, 1, 1)
    # An empty prediction is left out of precision but counts as zero recall.
    half = score(truths, {"a": "w1 w2 w3 w4 w5", "b": ""})
    assert half.precision == 1.0 and half.recall == 0.5 and half.accuracy == 0.5
    assert half.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_the_reader_beats_bare_trafilatura_on_the_fixture_pages() -> None:
    results = {r.name: r for r in run(CORPUS, rounds=1)}
    ours, bare = results["clipper HTML reader"], results["bare trafilatura.extract"]
    assert ours.failures == 0
    assert ours.score.f1 > bare.score.f1
    assert ours.score.precision > 0.95 and ours.score.recall > 0.95
    assert ours.pages_per_second > 0 and bare.pages_per_second > 0


def test_bench_import_command_prints_both_scores_and_speeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["bench-import", str(CORPUS), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "bare trafilatura.extract" in out and "clipper HTML reader" in out
    assert "pages/s" in out and "F1 +" in out


def test_bench_import_refuses_a_folder_without_ground_truth(tmp_path: object) -> None:
    assert main(["bench-import", str(tmp_path)]) == 2


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_CORPUS.is_dir(), reason="../shared corpus not available")
def test_on_the_whole_corpus_the_reader_beats_bare_trafilatura_f1() -> None:
    results = {r.name: r for r in run(SHARED_CORPUS, rounds=1)}
    ours, bare = results["clipper HTML reader"], results["bare trafilatura.extract"]
    assert ours.score.f1 > bare.score.f1
    assert ours.score.precision > bare.score.precision
