"""`clipper bench-import`: the import against the bare libraries, each set scored with its
own metric, every reader timed in the same run.

`--set extraction` (the default; `clipper bench-import DIR`): the HTML reader against bare
`trafilatura.extract` on the article-extraction-benchmark. The metric (re-implemented from
the set's README): tokens are `\\w+` matches with case kept; each text is the multiset of its
4-token shingles; per page TP is the overlap, FP the surplus in the prediction, FN the
surplus in the truth, each divided by TP+FP+FN so every page weighs the same; precision is
averaged over pages with a non-empty prediction, recall over all pages, F1 comes from the two
means; accuracy is the share of pages whose token list equals the truth's.

`--set peer-eval`: the whole pipeline `clipper import --dry-run --json FILE.html` runs
(`read_item`: sniffing, the reader, the cleaner, metadata, suggestions) against bare
`trafilatura.bare_extraction` (with metadata), `trafilatura.extract` and `htmldate.find_date`
on the development half of trafilatura's and htmldate's own evaluation sets, with their
metrics (see that folder's README): body snippets found or not, published date, author and
title equal after folding.

Timing: every reader first warms up (imports, models), then runs over every page in rounds;
pages/s is the median over rounds, so the shared machine's noise hits all alike.
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


# -- the peers' own evaluation sets -----------------------------------------------------------

PEER_SETS = ("trafilatura", "htmldate")
_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b)\s*", re.IGNORECASE)
_NON_WORD = re.compile(r"\W+", re.UNICODE)
_COMBINING = re.compile(r"[\u0300-\u036f]")


@dataclass(frozen=True)
class PeerPage:
    """One page of trafilatura's or htmldate's evaluation set with what it should give."""

    key: str
    peer: str  # "trafilatura" | "htmldate"
    html: bytes
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    title: str | None = None
    author: str | tuple[str, ...] | None = None  # a list in the truth when names hold commas
    date: str | None = None


@dataclass(frozen=True)
class Reading:
    """What a reader made of a page; a reader that does not give a field leaves it None."""

    body: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class PeerScore:
    """Body counts with the peers' metric (snippets found or not), and metadata accuracy."""

    tp: int
    fp: int
    fn: int
    tn: int
    # (right, counted) per field; None when the reader does not give that field.
    date_htmldate: tuple[int, int] | None
    date_trafilatura: tuple[int, int] | None
    author: tuple[int, int] | None
    title: tuple[int, int] | None
    body: bool

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0


@dataclass(frozen=True)
class PeerResult:
    name: str
    score: PeerScore
    pages_per_second: float
    pages: int


def load_peer_eval(folder: Path) -> list[PeerPage]:
    """Both sets' pages with their truth, from <peer>/truth.json and <peer>/html/*.html.gz."""
    pages: list[PeerPage] = []
    for peer in PEER_SETS:
        truth_file = folder / peer / "truth.json"
        if not truth_file.is_file():
            raise FileNotFoundError(f"{folder}: no {peer}/truth.json (is this peer-eval?)")
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        for entry in sorted(truth.values(), key=lambda item: item["file"]):
            html = gzip.decompress((folder / peer / "html" / entry["file"]).read_bytes())
            pages.append(
                PeerPage(
                    key=f"{peer}/{entry['file']}",
                    peer=peer,
                    html=html,
                    with_=tuple(entry.get("with") or ()),
                    without=tuple(entry.get("without") or ()),
                    title=entry.get("title") or None,
                    author=_truth_author(entry.get("author")),
                    date=entry.get("date") or None,
                )
            )
    return pages


def _truth_author(value: object) -> str | tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v) or None
    return str(value) if value else None


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def meta_key(value: str) -> str:
    """A title or a name as the peers compare them: folded, case-folded, word characters only."""
    import unicodedata

    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", value)).casefold()
    return _NON_WORD.sub("", folded).replace("_", "")


def author_keys(value: str | tuple[str, ...]) -> frozenset[str]:
    """Authors as a set of names: a string split on ; , & and "and"; a list name by name."""
    names = value if isinstance(value, tuple) else _NAME_SPLIT.split(value)
    return frozenset(k for k in (meta_key(n) for n in names) if k)


def score_peer(pages: list[PeerPage], readings: dict[str, Reading]) -> PeerScore:
    """The peers' metrics over every page (see the corpus README)."""
    tp = fp = fn = tn = 0
    right: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    gives: set[str] = set()
    for reading in readings.values():
        gives.update(f for f in ("body", "title", "author", "date") if getattr(reading, f))
    for page in pages:
        reading = readings.get(page.key, Reading())
        if page.peer == "trafilatura":
            text = _squeeze(reading.body or "")
            for snippet in page.with_:
                found = bool(text) and _squeeze(snippet) in text
                tp += found
                fn += not found
            for snippet in page.without:
                found = bool(text) and _squeeze(snippet) in text
                fp += found
                tn += not found
            if page.title:
                counted["title"] += 1
                right["title"] += bool(reading.title) and meta_key(reading.title or "") == meta_key(
                    page.title
                )
            if page.author:
                counted["author"] += 1
                right["author"] += bool(reading.author) and author_keys(
                    reading.author or ""
                ) == author_keys(page.author)
        if page.date:
            field = f"date_{page.peer}"
            counted[field] += 1
            right[field] += (reading.date or "")[:10] == page.date

    def pair(field: str, given: str) -> tuple[int, int] | None:
        return (right[field], counted[field]) if given in gives else None

    return PeerScore(
        tp,
        fp,
        fn,
        tn,
        date_htmldate=pair("date_htmldate", "date"),
        date_trafilatura=pair("date_trafilatura", "date"),
        author=pair("author", "author"),
        title=pair("title", "title"),
        body="body" in gives,
    )


def clipper_pipeline(page: PeerPage) -> Reading:
    """The page through `read_item` as `clipper import --dry-run --json FILE.html` reads it:
    sniffing, the reader, the cleaner, metadata and suggestions (without an archive's)."""
    from clipper.core.ingest import InputItem, read_item

    name = page.key.rsplit("/", 1)[-1].removesuffix(".gz")
    try:
        draft = read_item(InputItem(label=name, path=Path(name), data=page.html))
    except IngestError:
        return Reading()
    return Reading(
        body=draft.body,
        title=None if draft.title_guessed else draft.title,
        author=draft.author,
        date=draft.published.isoformat() if draft.published else None,
    )


def trafilatura_with_metadata(page: PeerPage) -> Reading:
    """Bare `trafilatura.bare_extraction` with its metadata, as the peers' evaluation runs it."""
    import trafilatura

    document = trafilatura.bare_extraction(
        page.html, include_comments=False, include_tables=True, with_metadata=True
    )
    if document is None or isinstance(document, dict):
        return Reading()
    return Reading(document.text, document.title, document.author, document.date)


def trafilatura_extract(page: PeerPage) -> Reading:
    """Bare `trafilatura.extract` (text only), the body baseline of issue 12."""
    import trafilatura

    text = trafilatura.extract(page.html, include_comments=False, include_tables=True)
    return Reading(body=text or "")


def htmldate_find_date(page: PeerPage) -> Reading:
    """Bare `htmldate.find_date` with its defaults."""
    from htmldate import find_date

    return Reading(date=find_date(page.html))


PEER_READERS: dict[str, Callable[[PeerPage], Reading]] = {
    "clipper import pipeline": clipper_pipeline,
    "trafilatura.bare_extraction": trafilatura_with_metadata,
    "trafilatura.extract": trafilatura_extract,
    "htmldate.find_date": htmldate_find_date,
}


def run_peer_eval(
    folder: Path,
    rounds: int = 1,
    readers: dict[str, Callable[[PeerPage], Reading]] | None = None,
    progress: Callable[[str], None] | None = None,
    limit: int | None = None,
) -> list[PeerResult]:
    """Every reader over both sets in rounds, each round in a different order; pages/s is
    the median over rounds (use three or more: see the comment on the order)."""
    pages = load_peer_eval(folder)
    if limit is not None:
        pages = [p for p in pages if p.peer == "trafilatura"][:limit] + [
            p for p in pages if p.peer == "htmldate"
        ][:limit]
    readers = readers or PEER_READERS
    for read in readers.values():
        for page in pages[:3]:
            read(page)
    outputs: dict[str, dict[str, Reading]] = {name: {} for name in readers}
    rates: dict[str, list[float]] = {name: [] for name in readers}
    names = list(readers)
    for round_number in range(1, rounds + 1):
        # Each round starts with the next reader: whoever runs first pays for the caches the
        # libraries share (htmldate's, dateparser's), so that cost moves round by round.
        offset = (round_number - 1) % len(names)
        for name in names[offset:] + names[:offset]:
            read = readers[name]
            started = time.perf_counter()
            produced = {page.key: read(page) for page in pages}
            elapsed = time.perf_counter() - started
            rates[name].append(len(pages) / elapsed)
            outputs[name] = produced
            if progress is not None:
                progress(f"round {round_number}: {name} {len(pages) / elapsed:.1f} pages/s")
    return [
        PeerResult(
            name, score_peer(pages, outputs[name]), statistics.median(rates[name]), len(pages)
        )
        for name in readers
    ]
