"""The list as the editor uses it: counts that match what is listed, reordering a dossier from
the keyboard, a malformed query that shows no stale results, Tab that leaves the list, a
title column that keeps its room in a small window, Delete that moves on to the next row,
and a status line for every change that has no other echo on screen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from clipper.core.archive import Archive
from clipper.ui.clipping_model import Column
from clipper.ui.main_window import MainWindow
from clipper.ui.results_table import TITLE_MIN_WIDTH
from clipper.ui.sidebar import COUNT_ROLE, NodeKey
from tests.helpers.archives import add_story
from tests.ui.helpers import HeldExecutor, click_node, press

WAIT = 5000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)


def listed(window: MainWindow) -> list[int]:
    model = window.results.model
    return [model.id_at(row) for row in range(model.rowCount())]  # type: ignore[misc]


@pytest.fixture
def dossier(archive: Archive) -> tuple[int, list[int]]:
    ids = [
        add_story(archive, f"Stop {number} of the tour", published=dt.date(2023, 12, number))
        for number in range(1, 6)
    ]
    view, _changes = archive.create_dossier("Yevkurov tour")
    archive.add_to_dossier(view.id, ids)
    return view.id, ids


def test_a_dossier_counts_only_what_it_lists(
    qtbot, dossier, window: MainWindow, archive: Archive
) -> None:
    dossier_id, ids = dossier
    archive.trash([ids[1]])
    window.refresh_sidebar()
    key = NodeKey("dossier", dossier_id)
    click_node(qtbot, window, key)
    assert len(listed(window)) == 4
    assert window.sidebar.sidebar_model.index_of(key).data(COUNT_ROLE) == 4


def test_alt_up_and_down_move_a_clipping_and_keep_it_selected(
    qtbot, dossier, window: MainWindow, archive: Archive
) -> None:
    dossier_id, ids = dossier
    archive.trash([ids[2]])  # a member in the trash must not stop the reordering
    window.refresh_sidebar()
    click_node(qtbot, window, NodeKey("dossier", dossier_id))
    first = ids[0]
    window.results.select_ids([first])
    table = window.results.table
    table.setFocus()
    for expected_row in (1, 2, 3):
        press(qtbot, window, "Alt+Down", table)
        qtbot.waitUntil(lambda r=expected_row: listed(window).index(first) == r, timeout=WAIT)
        qtbot.wait(50)
        assert window.results.selected_ids() == [first]
        assert window.reader.detail is not None and window.reader.detail.id == first
    press(qtbot, window, "Alt+Up", table)
    qtbot.waitUntil(lambda: listed(window).index(first) == 2, timeout=WAIT)
    assert window.results.selected_ids() == [first]
    order = archive.dossier(dossier_id).clipping_ids
    assert [cid for cid in order if cid != ids[2]] == listed(window)
    assert ids[2] in order, "the trashed member keeps its place in the dossier"


def test_a_malformed_query_shows_no_results_of_another_query(
    qtbot, stories, window: MainWindow
) -> None:
    archive_rows = len(listed(window))
    assert archive_rows == 3
    field = window.results.search_field
    field.setFocus()
    qtbot.keyClicks(field, '"Bamako')
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.results.message.isVisible()
    assert window.results.model.rowCount() == 0
    assert window.results.count_label.text() == ""
    assert window.results.stack.currentWidget() is window.results.empty
    assert window.results.empty.title.text() == "This query cannot be read"
    assert window.reader.detail is None


def test_tab_leaves_the_list_and_arrows_move_in_it(qtbot, stories, window: MainWindow) -> None:
    table = window.results.table
    window.results.select_ids([stories["eu"]])
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=WAIT)
    before = window.results.selected_ids()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus(), "Tab moves on to the next control"
    assert window.results.selected_ids() == before
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert window.results.selected_ids() != before


def test_the_title_column_keeps_its_room_in_a_small_window(
    qtbot, stories, window: MainWindow
) -> None:
    window.resize(1024, 700)
    table = window.results.table
    qtbot.waitUntil(lambda: table.width() < 700, timeout=WAIT)
    QApplication.processEvents()
    assert table.columnWidth(Column.TITLE) >= TITLE_MIN_WIDTH
    shown = [c for c in Column if not table.isColumnHidden(c)]
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width() + 1
    field = window.results.search_field
    field.setFocus()
    qtbot.keyClicks(field, "Yevkurov")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert table.columnWidth(Column.TITLE) >= TITLE_MIN_WIDTH
    assert not table.isColumnHidden(Column.SNIPPET)
    # Given room again, every column comes back.
    window.resize(1600, 900)
    field.clear()
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not table.isColumnHidden(Column.TOPICS), timeout=WAIT)
    assert not table.isColumnHidden(Column.REGIONS)


def test_delete_selects_the_next_row_and_says_what_happened(
    qtbot, stories, window: MainWindow
) -> None:
    order = listed(window)
    window.results.select_ids([order[0]])
    table = window.results.table
    table.setFocus()
    press(qtbot, window, "Delete", table)
    qtbot.waitUntil(lambda: order[0] not in listed(window), timeout=WAIT)
    assert window.results.selected_ids() == [order[1]]
    assert window.reader.detail is not None and window.reader.detail.id == order[1]
    message = window.statusBar().currentMessage()
    assert "Moved" in message and "to the trash" in message and "Ctrl+Z" in message
    # The last row: the one before it is selected.
    window.results.select_ids([order[2]])
    press(qtbot, window, "Delete", table)
    qtbot.waitUntil(lambda: listed(window) == [order[1]], timeout=WAIT)
    assert window.results.selected_ids() == [order[1]]


def test_link_add_to_dossier_and_delete_dossier_say_what_they_did(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    window.results.select_ids([stories["mali"], stories["burkina"]])
    window.clipping_commands.link_selected()
    dialog = window.dialog
    assert dialog is not None
    dialog.accept()  # type: ignore[attr-defined]
    assert "Linked" in window.statusBar().currentMessage()
    view, _changes = archive.create_dossier("Tour")
    window.refresh_sidebar()
    window.dossier_commands.add_selection_to(view.id)
    assert window.statusBar().currentMessage() == "Added 2 clippings to Tour."
    click_node(qtbot, window, NodeKey("dossier", view.id))
    window.delete_dossier_action.trigger()
    message = window.statusBar().currentMessage()
    assert message.startswith("Deleted the dossier Tour") and "Ctrl+Z" in message


def count_listings(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """From now on, the arguments of every listing the archive is asked for."""
    real_list_ids = archive.list_ids
    listings: list[object] = []

    def counted(*args: object, **kwargs: object) -> list[int]:
        listings.append(args)
        return real_list_ids(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archive, "list_ids", counted)
    return listings


def test_a_window_opening_on_its_saved_layout_reads_its_list_once(
    qtbot, stories, make_window, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Restoring the columns' state (a sort indicator with it) listed the library twice more
    before the window's own first listing, on the reader thread one after the other: at
    200,000 clippings, 0.3-0.4 s each of an editor's every startup."""
    first = make_window()
    header = first.results.table.horizontalHeader()
    header.setSortIndicator(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert first.results.sort_column == Column.TITLE
    first.close()  # saves the layout, the sort indicator in the header's state
    real_list_ids = archive.list_ids
    listings = count_listings(archive, monkeypatch)
    second = make_window()
    assert len(listings) == 1
    assert second.results.sort_column is None
    assert listed(second) == real_list_ids()  # newest first, as every window opens
    assert second.results.count_label.text() == f"{len(stories)} clippings"


def test_listings_clicked_past_read_nothing(
    qtbot, stories, make_window, archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Clicking through the sidebar while the reader is busy queues a listing a click; only
    the last one is still wanted, and only it reads (at 200,000 each read 0.3-0.4 s)."""
    reader = HeldExecutor()
    window = make_window(reader=reader)
    reader.run_all()  # the first listing and the sidebar's counts
    real_list_ids = archive.list_ids
    listings = count_listings(archive, monkeypatch)
    for key in (NodeKey("trash"), NodeKey("library"), NodeKey("trash"), NodeKey("library")):
        click_node(qtbot, window, key)
    reader.run_all()
    assert len(listings) == 1
    assert listed(window) == real_list_ids()
    assert window.results.heading.text() == window.results.node_title
