"""Reading a batch on every core: `clipper import --jobs 2` stores what `--jobs 1` stores, in
the same order, bad inputs included; a worker that dies costs its one item a line and the
rest are read; a batch closed early leaves no worker behind; workers that cannot start leave
the batch to its own process."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.ingest import InputItem
from clipper.core.ingest.pool import MIN_ITEMS_FOR_WORKERS, read_in_order, workers_for
from clipper.core.paths import resolve_location
from tests.helpers.readers import dying_reader

WORDS = (
    "The delegation met the transitional government in Niamey and spoke of grain, fuel and"
    " the security of the roads to the north, where convoys have been attacked twice since"
    " the rains ended."
)


def _page(number: int) -> str:
    paragraphs = "".join(
        f"<p>Report {number}, paragraph {p}: {WORDS} The ministers answered {number + p}"
        " questions.</p>"
        for p in range(6)
    )
    return (
        f"<html><head><title>Report {number} from Niamey</title></head><body><article>"
        f"<h1>Report {number} from Niamey</h1>{paragraphs}</article></body></html>"
    )


def _folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for number in range(count):
        (folder / f"page-{number:02d}.html").write_text(_page(number), encoding="utf-8")
    (folder / "page-05b-empty.html").write_bytes(b"")  # a bad input in the middle
    (folder / "page-07b-again.html").write_text(_page(3), encoding="utf-8")  # a duplicate
    return folder


def _import(tmp_path: Path, capsys, folder: Path, name: str, jobs: str) -> list[dict]:
    home = tmp_path / name
    code = main(["--archive", str(home), "import", "--json", "--jobs", jobs, str(folder)])
    assert code == 1  # the empty file failed, and said so
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for row in rows:
        row.pop("path", None)
    return rows


def test_two_workers_store_what_one_process_stores(tmp_path: Path, capsys) -> None:
    folder = _folder(tmp_path, 10)
    alone = _import(tmp_path, capsys, folder, "alone", "1")
    shared = _import(tmp_path, capsys, folder, "shared", "2")
    assert shared == alone
    assert len(alone) == 12
    assert [row["ok"] for row in alone].count(False) == 1
    assert any(row.get("duplicate_of") for row in alone)
    stored = {name: _stored(tmp_path / name) for name in ("alone", "shared")}
    assert stored["shared"] == stored["alone"]
    assert [title for title, _body, _source in stored["alone"]][:3] == [
        "Report 0 from Niamey",
        "Report 1 from Niamey",
        "Report 2 from Niamey",
    ]


def _stored(home: Path) -> list[tuple[str, str, str | None]]:
    archive = Archive(resolve_location(home))
    try:
        details = [archive.get(cid) for cid in sorted(archive.live_ids())]
        return [(d.title, d.body, d.source) for d in details]
    finally:
        archive.close()


def test_a_worker_that_dies_costs_its_item_one_line(tmp_path: Path) -> None:
    items = [
        InputItem(label=f"page {n}" if n != 4 else "page 4 (die)", data=_page(n).encode())
        for n in range(9)
    ]
    read = list(read_in_order(items, dying_reader, "auto", 2))
    assert [item.label for item, _ in read] == [item.label for item in items]
    errors = {item.label: r.error for item, r in read if r is not None and r.draft is None}
    assert errors == {"page 4 (die)": "page 4 (die): reading it stopped the process that read it"}
    titles = [r.draft.title for _, r in read if r is not None and r.draft is not None]
    assert titles == [f"Report {n} from Niamey" for n in range(9) if n != 4]
    assert multiprocessing.active_children() == []


def test_a_batch_closed_early_stops_its_workers() -> None:
    items = [InputItem(label=f"page {n}", data=_page(n).encode()) for n in range(20)]
    reads = read_in_order(items, dying_reader, "auto", 2)
    first_item, first = next(reads)
    assert first_item.label == "page 0" and first is not None and first.draft is not None
    reads.close()  # the editor cancelled
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("items", "asked", "expected"),
    [
        (MIN_ITEMS_FOR_WORKERS - 1, None, 0),  # a few files: no workers to start
        (3, 2, 2),
        (1, 4, 0),  # never more workers than items, and one is none
        (100, 1, 0),
        (100, 0, 0),
    ],
)
def test_how_many_workers_read_a_batch(items: int, asked: int | None, expected: int) -> None:
    assert workers_for(items, asked) == expected


def test_a_batch_whose_workers_cannot_start_is_read_in_its_own_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def cannot_fork(*_args: object, **_kwargs: object) -> None:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", cannot_fork)
    items = [InputItem(label=f"page {n}", data=_page(n).encode()) for n in range(4)]
    read = list(read_in_order(items, dying_reader, "auto", 2))
    titles = [r.draft.title for _, r in read if r is not None and r.draft is not None]
    assert titles == [f"Report {n} from Niamey" for n in range(4)]
    assert "no worker could start" in caplog.text


KILLED_BATCH = """
import multiprocessing, sys, time
from clipper.core.ingest import InputItem
from clipper.core.ingest.pool import read_in_order
from tests.helpers.readers import dying_reader
page = sys.argv[1]
items = [InputItem(label=f"page {n}", data=page.encode()) for n in range(40)]
reads = read_in_order(items, dying_reader, "auto", 2)
next(reads)
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(600)
"""


def test_the_workers_of_a_batch_killed_outright_end_too(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    batch = subprocess.Popen(
        [sys.executable, "-c", KILLED_BATCH, _page(1)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert batch.stdout is not None
        workers = [int(pid) for pid in batch.stdout.readline().split()]
        assert workers
    finally:
        batch.send_signal(signal.SIGKILL)  # as the window kills an import that will not stop
        batch.wait()
        if batch.stdout is not None:
            batch.stdout.close()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_the_fork_server_starts_before_the_batch_opens_the_archive_when_workers_will_read(
    tmp_path: Path,
) -> None:
    from multiprocessing import forkserver as server

    from clipper.core import forkserver

    one = tmp_path / "one.html"
    one.write_text(_page(1), encoding="utf-8")
    assert not forkserver.start_early([str(one)], None)  # one page: read in the batch itself
    assert not forkserver.start_early([str(tmp_path)], 1)  # --jobs 1
    assert forkserver.start_early([str(tmp_path)], 2)  # a folder may hold many
    assert forkserver.start_early([str(one)] * MIN_ITEMS_FOR_WORKERS, 2)
    # Inputs that cannot be folders are not folders, whatever the system says of them:
    # three inputs read by two workers (--jobs 2), and no error for the odd ones.
    assert forkserver.start_early(["x" * 5000, "a\0b", "https://example.org/a"], 2)
    assert not forkserver.start_early(["x" * 5000, "a\0b"], None)
    # The window's import process: items already read, counted, never taken for folders.
    pasted = InputItem(label=str(tmp_path), data=b"text")
    assert not forkserver.start_early([pasted], 2)
    assert forkserver.start_early([pasted] * MIN_ITEMS_FOR_WORKERS, None) == (
        workers_for(MIN_ITEMS_FOR_WORKERS) > 0
    )
    running = server._forkserver._forkserver_pid
    assert running is not None
    # The batch's pool forks its workers from that server, not from a new one.
    items = [InputItem(label=f"page {n}", data=_page(n).encode()) for n in range(3)]
    from clipper.core.ingest import read_item

    drafts = [read.draft for _item, read in read_in_order(items, read_item, "auto", 2)]
    assert [d.title for d in drafts if d] == [f"Report {n} from Niamey" for n in range(3)]
    assert server._forkserver._forkserver_pid == running


def test_the_fork_server_loads_what_a_first_page_loads_so_workers_start_with_it() -> None:
    # A fresh interpreter importing the fork server's preload list, as the server does.
    import subprocess
    import sys

    from clipper.core.forkserver import PRELOAD

    probe = (
        "import sys\n"
        f"for name in {PRELOAD!r}: __import__(name)\n"
        "import py3langid.langid as langid\n"
        "from trafilatura import external\n"
        "print(langid.IDENTIFIER is not None, external.JT_STOPLIST is not None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["True", "True"]
    assert done.stderr == ""  # the warm-up page reads without a word


def test_the_batch_learns_the_words_its_workers_analysed_as_it_would_analyse_them() -> None:
    from clipper.core.ingest import read_item
    from clipper.core.search.analysis import WORD_RE, WORDS, WordCache, stem_language

    WORDS.clear()  # whatever is in this process's cache now came from the workers
    count = MIN_ITEMS_FOR_WORKERS
    items = [InputItem(label=f"page {n}", data=_page(n).encode()) for n in range(count)]
    reads = [read for _item, read in read_in_order(items, read_item, "auto", 2)]
    fresh = WordCache()
    for read in reads:
        assert read.draft is not None and read.words is not None
        language = stem_language(read.draft.language)
        assert read.words.language == language
        written = {
            token
            for text in (read.draft.title, read.draft.standfirst, read.draft.body)
            for token in WORD_RE.findall(text)
        }
        assert written and set(read.words.tokens) == written
        learned = WORDS._token_terms[language]
        assert {t: learned.get(t) for t in written} == {
            t: fresh.token_term(t, language) for t in written
        }
        assert {t: WORDS._folded.get(t) for t in written} == {t: fresh.folded(t) for t in written}
