"""Searching from the window: results as you type, inline errors, "did you mean", facet
chips, snippets, sorting hits, and search within a sidebar node."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QGuiApplication

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.search import index as search_index
from clipper.core.search import segments as search_segments
from clipper.ui import idle_folds, main_window
from clipper.ui.clipping_model import Column, Role
from clipper.ui.main_window import MainWindow
from clipper.ui.samples import load_samples
from clipper.ui.sidebar import TRASH, NodeKey
from tests.helpers.archives import segment_sizes
from tests.ui.helpers import click_node, drop, on_screen, visible_chips

WAIT = 5000


@pytest.fixture
def samples(archive: Archive) -> dict[str, int]:
    _changes, ids = load_samples(archive)
    archive.index.catch_up()
    return ids


@pytest.fixture
def index_lost(archive: Archive) -> dict[str, int]:
    """The sample clippings in an archive whose index folder is gone (deleted, or from an
    older schema): the window opened on it next rebuilds the index."""
    ids = load_samples(archive)[1]
    archive.close()
    shutil.rmtree(archive.location.index_dir)
    return ids


def titles(window: MainWindow) -> list[str]:
    model = window.results.model
    return [model.data(model.index(row, Column.TITLE)) for row in range(model.rowCount())]


def type_query(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    field = window.results.search_field
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)


def test_results_come_as_you_type(qtbot, samples, window: MainWindow) -> None:
    assert len(titles(window)) == 5
    type_query(qtbot, window, "Yevkurov")
    assert len(titles(window)) == 5, "the search waits for a pause in typing"
    qtbot.waitUntil(lambda: len(titles(window)) == 3, timeout=WAIT)
    results = window.results
    assert results.heading.text() == "Search" and results.count_label.text() == "3 results"
    assert not results.table.isColumnHidden(Column.SNIPPET)
    model = results.model
    snippets = [model.data(model.index(r, 0), Role.SNIPPET_HTML) for r in range(3)]
    assert all("<b>Yevkurov</b>" in snippet for snippet in snippets)
    type_query(qtbot, window, "")
    qtbot.waitUntil(lambda: len(titles(window)) == 5, timeout=WAIT)
    assert results.table.isColumnHidden(Column.SNIPPET)


def test_a_malformed_query_says_what_is_wrong_inline(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    type_query(qtbot, window, '"Bamako')
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    message = window.results.message
    assert message.isVisible() and "never closed" in message.text()
    assert message.property("kind") == "error"
    # No stale hits: the last query's results would read as this one's (issue 13, item 6).
    assert titles(window) == [], "the list shows no results of another query"
    qtbot.keyClicks(window.results.search_field, '"')
    qtbot.waitUntil(lambda: not message.isVisible(), timeout=WAIT)
    assert len(titles(window)) == archive.search('"Bamako"').total == 4


def test_did_you_mean_is_offered_and_one_click_away(qtbot, samples, window: MainWindow) -> None:
    type_query(qtbot, window, "yevkurof")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    message = window.results.message
    assert message.isVisible() and "Did you mean" in message.text()
    assert window.results.empty.title.text() == "No clippings match"
    message.linkActivated.emit("suggest")
    assert window.results.search_field.text() == "yevkurov"
    assert len(titles(window)) == 3


def test_facet_chips_narrow_and_widen_the_results(qtbot, samples, window: MainWindow) -> None:
    type_query(qtbot, window, "Yevkurov")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    chips = {chip.text: chip for chip in visible_chips(window.results.facet_bar)}
    assert "Le Monde  1" in chips and "Mali  1" in chips
    qtbot.mouseClick(chips["Mali  1"], Qt.MouseButton.LeftButton)
    assert titles(window) == ["Russian delegation led by Yevkurov received in Bamako"]

    def active_chips() -> list:  # type: ignore[type-arg]
        return [c for c in visible_chips(window.results.facet_bar) if c.property("active")]

    qtbot.waitUntil(lambda: [c.text for c in active_chips()] == ["Region: Mali"], timeout=WAIT)
    active = active_chips()
    assert window.results.query == '(Yevkurov) region:"Mali"'
    assert active[0].remove_button is not None
    qtbot.mouseClick(active[0].remove_button, Qt.MouseButton.LeftButton)
    assert len(titles(window)) == 3


def test_every_facet_chip_leaves_as_many_results_as_it_counts(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    """A chip's number is the count of what clicking it leaves, for every kind; a source is
    matched by its whole name ("Le Monde" does not take in "Le Monde Afrique")."""
    from tests.helpers.archives import add

    add(
        archive,
        "Bamako talks resume",
        "Talks with the Russian delegation resumed in Bamako.",
        source="Le Monde Afrique",
    )
    archive.index.catch_up()
    type_query(qtbot, window, "Bamako")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    everything = titles(window)
    offered = [c.text for c in visible_chips(window.results.facet_bar)]
    assert "Le Monde  1" in offered and "Le Monde Afrique  1" in offered
    for text in offered:

        def offered_chip(text: str = text) -> list:  # type: ignore[type-arg]
            return [c for c in visible_chips(window.results.facet_bar) if c.text == text]

        qtbot.waitUntil(lambda: len(offered_chip()) == 1, timeout=WAIT)
        chip = offered_chip()[0]
        count = int(text.rsplit("  ", 1)[1])
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda n=count: len(titles(window)) == n, timeout=WAIT)
        assert window.results.count_label.text().startswith(f"{count} result"), text

        def active() -> list:  # type: ignore[type-arg]
            return [c for c in visible_chips(window.results.facet_bar) if c.property("active")]

        qtbot.waitUntil(lambda: len(active()) == 1, timeout=WAIT)
        qtbot.mouseClick(active()[0].remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: titles(window) == everything, timeout=WAIT)


def marked_words(window: MainWindow) -> list[str]:
    """The words the reader's article shows on the highlighter's colour, in reading order."""
    from clipper.ui.theme import theme_for

    article = window.reader.article
    assert on_screen(article)
    mark = theme_for(QGuiApplication.palette()).mark_bg.name()
    words = []
    block = article.document().begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().background().color().name() == mark:
                words.append(fragment.text())
            fragments += 1
        block = block.next()
    return words


def test_the_reader_highlights_the_words_searched_for(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    """Issue 13, item 18: the searched words light up in the article, as the index matched
    them (any case, the stems of the clipping's language), and go when the search does."""
    type_query(qtbot, window, "yevkurov officials")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    first = window.results.model.id_at(0)
    assert first is not None
    window.results.select_ids([first])
    qtbot.waitUntil(lambda: window.reader.clipping_id == first, timeout=WAIT)
    words = marked_words(window)
    assert "Yevkurov" in words, words
    assert {word.lower() for word in words} <= {"yevkurov", "yevkurov's", "official", "officials"}
    assert words.count("Yevkurov") == archive.get(first).body.count("Yevkurov") + archive.get(
        first
    ).title.count("Yevkurov")
    type_query(qtbot, window, "")
    qtbot.waitUntil(lambda: marked_words(window) == [], timeout=WAIT)


def test_sorting_hits_by_a_column(qtbot, samples, window: MainWindow) -> None:
    type_query(qtbot, window, "Yevkurov")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    header = window.results.table.horizontalHeader()
    header.setSortIndicator(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert titles(window) == sorted(titles(window))
    model = window.results.model
    assert all("<b>" in model.data(model.index(r, 0), Role.SNIPPET_HTML) for r in range(3))


def test_sorting_the_library_by_regions_and_by_topics(qtbot, samples, window: MainWindow) -> None:
    from clipper.core.text import name_key

    model = window.results.model
    header = window.results.table.horizontalHeader()

    def first_tags(column: Column) -> list[str]:
        cells = [model.data(model.index(r, column)) or "" for r in range(model.rowCount())]
        return [name_key(cell.split(",")[0]) for cell in cells]

    for column in (Column.REGIONS, Column.TOPICS):
        header.setSortIndicator(column, Qt.SortOrder.AscendingOrder)
        qtbot.waitUntil(lambda c=column: first_tags(c) == sorted(first_tags(c)), timeout=WAIT)
        header.setSortIndicator(column, Qt.SortOrder.DescendingOrder)
        qtbot.waitUntil(
            lambda c=column: first_tags(c) == sorted(first_tags(c), reverse=True), timeout=WAIT
        )
        assert len(set(first_tags(column))) > 1, "the samples tell the orders apart"
    assert window.statusBar().currentMessage() == ""


def test_search_within_a_sidebar_node(qtbot, samples, window: MainWindow, archive: Archive) -> None:
    mali = archive.find_tag("region", "Mali")
    assert mali is not None
    window.sidebar.select(NodeKey("region", mali.id))
    type_query(qtbot, window, "Yevkurov")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    assert window.results.heading.text() == "Search in Mali"
    assert titles(window) == ["Russian delegation led by Yevkurov received in Bamako"]
    window.sidebar.select(TRASH)
    assert "trash cannot be searched" in window.results.message.text()


def test_ctrl_f_goes_to_the_search_field(qtbot, samples, window: MainWindow) -> None:
    window.results.table.setFocus()
    window.find_action.trigger()
    assert window.results.search_field.hasFocus()


def test_exporting_a_long_search_takes_every_hit_not_only_the_rows_read(
    qtbot, archive: Archive, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clipper.ui import export_dialog
    from clipper.ui.results import SEARCH_PAGE_SIZE

    count = SEARCH_PAGE_SIZE + 30
    for number in range(count):
        archive.add(ClippingDraft(title=f"Dispatch {number}", body=f"Niamey junta, day {number}."))
    archive.index.catch_up()
    exported: list[tuple[list[int], str]] = []
    monkeypatch.setattr(
        export_dialog,
        "start_export",
        lambda _parent, _archive, ids, title, **_how: exported.append((list(ids), title)),
    )
    type_query(qtbot, window, "junta")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    assert window.results.model.rowCount() == count
    assert not window.results.model.all_ids_known(), "later pages wait until they are shown"
    window.results.table.clearSelection()
    window.export_action.trigger()
    ((ids, title),) = exported
    assert sorted(ids) == sorted(archive.list_ids()) and len(ids) == count
    assert title == "Search: junta"


@pytest.mark.parametrize("by_ids_max", [500, 50])
def test_a_long_search_sorts_by_date_across_every_page(
    qtbot,
    archive: Archive,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    by_ids_max: int,
) -> None:
    """All hits are ordered, not only the first page; snippets load with each page. (With
    more hits than `SORT_BY_IDS_MAX`, the library's order is filtered down to the hits.)"""
    import datetime as dt

    from clipper.core import finding
    from clipper.ui import export_dialog
    from clipper.ui.results import SEARCH_PAGE_SIZE

    monkeypatch.setattr(finding, "SORT_BY_IDS_MAX", by_ids_max)
    count = SEARCH_PAGE_SIZE + 30
    for number in range(count):
        # Dates in no relation to the order of adding, nor to relevance.
        day = dt.date(2023, 1, 1) + dt.timedelta(days=(number * 37) % 300)
        junta = "junta " * (1 + number % 4)
        body = f"Niamey {junta}day {number}."
        archive.add(ClippingDraft(title=f"Dispatch {number}", body=body, published=day))
    archive.add(ClippingDraft(title="Elsewhere", body="Nothing of the kind."))
    archive.index.catch_up()
    type_query(qtbot, window, "junta")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    header = window.results.table.horizontalHeader()
    header.setSortIndicator(Column.DATE, Qt.SortOrder.DescendingOrder)
    model = window.results.model
    assert model.rowCount() == count
    assert not model.all_ids_known(), "later pages wait until they are shown"
    last = model.index(count - 1, 0)
    assert "<b>junta</b>" in (model.data(last, Role.SNIPPET_HTML) or "")
    shown = [model.id_at(row) for row in range(count)]
    dates = [archive.get(cid).published for cid in shown]  # type: ignore[arg-type]
    assert dates == sorted(dates, reverse=True)
    hits = {cid for cid, _score in archive.ranked_ids("junta")}
    assert [cid for cid in archive.list_ids(sort="published") if cid in hits] == shown
    assert window.statusBar().currentMessage() == ""
    # Exporting the list takes it in the order shown.
    exported: list[list[int]] = []
    monkeypatch.setattr(
        export_dialog,
        "start_export",
        lambda _parent, _archive, ids, _title, **_how: exported.append(ids),
    )
    window.results.table.clearSelection()
    window.export_action.trigger()
    assert exported == [shown]


def test_while_the_index_is_built_the_desk_works_and_searches_wait_saying_why(
    qtbot, index_lost: dict[str, int], make_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive whose index is missing (new schema, deleted folder) is indexed again when
    the window opens, on a thread of its own: the list and the reader keep working, a search
    typed meanwhile waits and says why, and runs by itself once the index is ready."""
    monkeypatch.setattr(main_window, "INDEX_NOTICE_MIN", 1)
    gate = threading.Event()
    real_build = search_index.build_index

    def slow_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(WAIT / 1000)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(search_index, "build_index", slow_build)
    window = make_window(reader=None, indexer=None)  # the app's real threads
    try:
        label = window.index_label
        qtbot.waitUntil(label.isVisible, timeout=WAIT)
        assert label.text() == "Building the search index for 5 clippings…"
        qtbot.waitUntil(lambda: len(titles(window)) == 5, timeout=WAIT)
        qtbot.waitUntil(lambda: window.sidebar.sidebar_model.rowCount() > 0, timeout=WAIT)
        click_node(qtbot, window, NodeKey("source", "Le Monde"))
        qtbot.waitUntil(lambda: len(titles(window)) == 1, timeout=WAIT)
        click_node(qtbot, window, NodeKey("library"))
        qtbot.waitUntil(lambda: len(titles(window)) == 5, timeout=WAIT)
        seed = index_lost["le-monde-niger-russia-2023-12-06.txt"]
        window.results.select_ids([seed])
        reader = window.reader
        qtbot.waitUntil(
            lambda: reader.detail is not None and reader.detail.id == seed, timeout=WAIT
        )
        type_query(qtbot, window, "Yevkurov")
        message = window.results.message
        qtbot.waitUntil(message.isVisible, timeout=WAIT)
        assert "search index is being prepared" in message.text()
        assert len(titles(window)) == 5, "the list stays as it was"
        assert not gate.is_set()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: len(titles(window)) == 3, timeout=WAIT)
    assert not window.results.message.isVisible()
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=WAIT)
    assert window.statusBar().currentMessage() == "The search index is ready."
    # Similar stories, which need the index, came once it was ready.
    qtbot.waitUntil(
        lambda: any(why == "similar story" for _id, _title, why in window.reader.suggested),
        timeout=WAIT,
    )


def test_closing_the_window_cancels_a_rebuild_instead_of_waiting_for_it(
    qtbot, archive: Archive, index_lost, make_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_window, "INDEX_NOTICE_MIN", 1)
    # One clipping at a time, each slow: without a cancel the build would read all five.
    monkeypatch.setattr(search_segments, "READ_CHUNK", 1)
    documents = archive.stores.documents
    read = documents.index_documents
    reads: list[int] = []
    started = threading.Event()

    def slow_read(ids):  # type: ignore[no-untyped-def]
        reads.append(len(ids))
        started.set()
        threading.Event().wait(0.5)
        return read(ids)

    monkeypatch.setattr(documents, "index_documents", slow_read)
    window = make_window(indexer=None)  # the app's real indexer thread
    assert started.wait(WAIT / 1000), "the rebuild started"
    window.close()  # waits for the indexer thread, which stops at the next clipping
    assert len(reads) < 5, "the build stopped when the window closed"
    assert not archive.location.index_dir.exists(), "nothing half-built was swapped in"
    building = [p for p in archive.location.home.iterdir() if ".building-" in p.name]
    assert building == []


def test_an_index_that_cannot_be_built_is_reported_in_the_status_bar(
    qtbot, index_lost, make_window, monkeypatch: pytest.MonkeyPatch
) -> None:

    def disk_full(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search_index, "build_index", disk_full)
    window = make_window()
    label = window.index_label
    assert label.isVisible()
    assert label.text().startswith("The search index could not be prepared:")
    assert "No space left on device" in label.text()
    assert "clipper reindex" in label.toolTip()


def test_did_you_mean_keeps_the_case_the_editor_typed(qtbot, samples, window: MainWindow) -> None:
    type_query(qtbot, window, "Yevkurof")
    qtbot.keyClick(window.results.search_field, Qt.Key.Key_Return)
    message = window.results.message
    assert message.isVisible() and ">Yevkurov</a>" in message.text()
    message.linkActivated.emit("suggest")
    assert window.results.search_field.text() == "Yevkurov"
    assert len(titles(window)) == 3


def test_a_dropped_clipping_is_found_at_once_and_the_index_folds_when_the_window_is_still(
    qtbot, samples, make_window, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Each clipping dropped is found by the next search without waiting for a fold of the
    index's small segments (a catch-up left them); once the archive is still, the window
    folds them, and every search finds what it found before."""
    monkeypatch.setattr(idle_folds, "FOLD_IDLE_MS", 300)
    window = make_window()
    qtbot.waitUntil(lambda: window.results.index_ready, timeout=WAIT)
    assert archive.index.folds_when_idle
    count = archive.count()
    dropped = search_index.FOLD_AT + 1
    for n in range(dropped):
        mime = QMimeData()
        mime.setText(f"Dispatch {n} from Agadez\n\nThe convoy number {n} reached Agadez.")
        drop(window, mime)
        qtbot.waitUntil(lambda n=n: archive.count() == count + n + 1, timeout=WAIT)
        type_query(qtbot, window, f"convoy {n}")
        qtbot.waitUntil(lambda n=n: f"Dispatch {n} from Agadez" in titles(window), timeout=WAIT)
    qtbot.waitUntil(lambda: window.idle_folds.folded >= dropped, timeout=WAIT)
    assert len([size for size in segment_sizes(archive) if size < 10]) < search_index.FOLD_AT
    type_query(qtbot, window, "agadez")
    qtbot.waitUntil(lambda: len(titles(window)) == dropped, timeout=WAIT)
    assert archive.index.parity_problems() == []
