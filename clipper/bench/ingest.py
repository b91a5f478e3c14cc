"""`clipper bench-import DIR`: the HTML reader against bare `trafilatura.extract`, scored with
the article-extraction-benchmark's own metric, both timed in the same run.

The metric (re-implemented from the set's README): tokens are `\\w+` matches with case kept;
each text is the multiset of its 4-token shingles; per page TP is the overlap, FP the surplus
in the prediction, FN the surplus in the truth, each divided by TP+FP+FN so every page weighs
the same; precision is averaged over pages with a non-empty prediction, recall over all
pages, F1 comes from the two means; accuracy is the share of pages whose token list equals the
truth's.

Timing: both extractors first warm up (imports, models), then run over every page in
alternating rounds; pages/s is the median over rounds, so the shared machine's noise hits
both alike.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clipper.core.ingest.base import IngestError

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    accuracy: float


@dataclass(frozen=True)
class BenchResult:
    name: str
    score: Score
    pages_per_second: float
    failures: int


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + SHINGLE])
        for i in range(max(1, len(tokens) - SHINGLE + 1))
        if tokens[i : i + SHINGLE]
    )


def page_counts(truth: str, prediction: str) -> tuple[float, float, float]:
    """Normalized (TP, FP, FN) of one page."""
    expected, predicted = _shingles(truth), _shingles(prediction)
    tp = sum((expected & predicted).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def score(truths: dict[str, str], predictions: dict[str, str]) -> Score:
    precisions, recalls = [], []
    exact = 0
    for key, truth in truths.items():
        prediction = predictions.get(key, "")
        tp, fp, fn = page_counts(truth, prediction)
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        recalls.append(tp / (tp + fn) if tp + fn > 0 else 0.0)
        exact += _TOKEN.findall(truth) == _TOKEN.findall(prediction)
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, exact / len(truths) if truths else 0.0)


def load_corpus(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(pages, truths) by page id, from ground-truth.json and html/<id>.html.gz."""
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(f"{folder}: no ground-truth.json (is this the benchmark folder?)")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        key = path.name.split(".", 1)[0]
        if key in truth:
            pages[key] = gzip.decompress(path.read_bytes()).decode("utf-8")
    return pages, {key: truth[key].get("articleBody", "") for key in pages}


def bare_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def clipper_reader(html: str) -> str:
    from clipper.core.ingest.html import read_html

    try:
        return read_html(html, "page").body
    except IngestError:
        return ""


def run(
    folder: Path,
    rounds: int = 3,
    extractors: dict[str, Callable[[str], str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[BenchResult]:
    pages, truths = load_corpus(folder)
    extractors = extractors or {
        "bare trafilatura.extract": bare_trafilatura,
        "clipper HTML reader": clipper_reader,
    }
    warm = list(pages.values())[:3]
    for extract in extractors.values():
        for html in warm:
            extract(html)
    outputs: dict[str, dict[str, str]] = {name: {} for name in extractors}
    rates: dict[str, list[float]] = {name: [] for name in extractors}
    for round_number in range(1, rounds + 1):
        for name, extract in extractors.items():
            started = time.perf_counter()
            produced = {key: extract(html) for key, html in pages.items()}
            elapsed = time.perf_counter() - started
            rates[name].append(len(pages) / elapsed)
            outputs[name] = produced
            if progress is not None:
                progress(f"round {round_number}: {name} {len(pages) / elapsed:.1f} pages/s")
    return [
        BenchResult(
            name,
            score(truths, outputs[name]),
            statistics.median(rates[name]),
            sum(1 for key in pages if not outputs[name].get(key)),
        )
        for name in extractors
    ]
