"""The item models: qtmodeltester on each, lazy loading in pages, row updates that keep the
selection, and clipping ids carried in drag data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from clipper.core.archive import Archive
from clipper.core.views import ClippingSummary
from clipper.ui.clipping_model import (
    PAGE_SIZE,
    ClippingTableModel,
    Column,
    Role,
    SearchPage,
    ids_from_mime,
    ids_to_mime,
)
from clipper.ui.sidebar import LIBRARY, TRASH, NodeKey, SidebarModel, read_sidebar


def fake_summary(clipping_id: int) -> ClippingSummary:
    return ClippingSummary(
        id=clipping_id,
        title=f"Clipping {clipping_id}",
        source="Le Monde",
        published=dt.date(2023, 12, 1 + clipping_id % 28),
        published_precision="day",
        language="en",
        regions=("Niger",),
        topics=("Security",),
        imported_at=dt.datetime(2024, 1, 1),
        trashed=False,
    )


class CountingLoader:
    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    def __call__(self, ids: Sequence[int]) -> list[ClippingSummary]:
        self.calls.append(list(ids))
        return [fake_summary(i) for i in ids]


def test_clipping_model_passes_modeltester(qtmodeltester, archive: Archive, stories) -> None:
    model = ClippingTableModel(archive.summaries)
    model.set_ids(archive.list_ids())
    qtmodeltester.check(model)
    assert (
        model.data(model.index(0, Column.TITLE))
        == "Burkina Faso strengthens its alliance with Russia"
    )
    assert model.data(model.index(0, Column.REGIONS)) == "Burkina Faso"
    assert model.data(model.index(0, Column.DATE)) == "2023-12-05"


def search_page_of(number: int) -> SearchPage:
    """Page `number` (of 10 hits) of a search that found clippings 1 to 25."""
    start = (number - 1) * 10
    ids = tuple(range(start + 1, min(start + 10, 25) + 1))
    return SearchPage(25, ids, {i: f"about <b>Niger</b> {i}" for i in ids})


def test_search_model_passes_modeltester_and_loads_later_pages(qtmodeltester) -> None:
    requested: list[int] = []

    def page(number: int, deliver: Callable[[SearchPage], None]) -> None:
        requested.append(number)
        deliver(search_page_of(number))

    model = ClippingTableModel(CountingLoader())
    model.set_search(search_page_of(1), page, 10)
    qtmodeltester.check(model)
    assert model.rowCount() == 25
    assert model.data(model.index(24, Column.TITLE)) == "Clipping 25"
    assert model.data(model.index(24, Column.SNIPPET)) == "about Niger 25"
    assert model.data(model.index(24, 0), Role.SNIPPET_HTML) == "about <b>Niger</b> 25"
    assert 3 in requested and 1 not in requested
    assert requested.count(3) == 1, "a page is asked for once"


def test_later_search_pages_arrive_without_the_gui_waiting(qtbot) -> None:
    """A page is asked for when its rows are first shown; they read "…" until it comes."""
    waiting: dict[int, object] = {}
    model = ClippingTableModel(CountingLoader())
    model.set_search(search_page_of(1), lambda n, deliver: waiting.setdefault(n, deliver), 10)
    assert model.data(model.index(0, Column.TITLE)) == "Clipping 1"
    assert model.data(model.index(21, Column.TITLE)) == "…"
    assert model.id_at(21) is None
    assert list(waiting) == [3]
    with qtbot.waitSignal(model.dataChanged) as changed:
        waiting.pop(3)(search_page_of(3))  # type: ignore[operator]
    assert changed.args[0].row() == 20 and changed.args[1].row() == 24
    assert model.data(model.index(21, Column.TITLE)) == "Clipping 22"
    assert model.data(model.index(21, 0), Role.SNIPPET_HTML) == "about <b>Niger</b> 22"

    model.data(model.index(12, Column.TITLE))  # asks for page 2...
    model.set_ids([7, 8])  # ...but the list changes before it comes
    waiting.pop(2)(search_page_of(2))  # type: ignore[operator]
    assert [model.id_at(r) for r in range(model.rowCount())] == [7, 8]


def test_rows_load_lazily_one_page_at_a_time() -> None:
    loader = CountingLoader()
    model = ClippingTableModel(loader)
    model.set_ids(range(1, 100_001))
    assert model.rowCount() == 100_000
    assert loader.calls == []
    assert model.data(model.index(99_999, Column.TITLE)) == "Clipping 100000"
    assert len(loader.calls) == 1 and len(loader.calls[0]) == PAGE_SIZE
    model.data(model.index(99_950, Column.SOURCE))
    assert len(loader.calls) == 1, "a row of a page already read is not read again"
    assert model.data(model.index(0, 0), Role.CLIPPING_ID) == 1


def test_update_ids_inserts_and_removes_rows_keeping_persistent_indexes(qtmodeltester) -> None:
    model = ClippingTableModel(CountingLoader())
    model.set_ids([10, 20, 30, 40])
    kept = QPersistentModelIndex(model.index(2, 0))  # clipping 30
    events: list[str] = []
    model.rowsInserted.connect(lambda *_: events.append("insert"))
    model.rowsRemoved.connect(lambda *_: events.append("remove"))
    model.modelReset.connect(lambda: events.append("reset"))
    model.update_ids([5, 10, 30, 35, 40])
    assert [model.id_at(r) for r in range(model.rowCount())] == [5, 10, 30, 35, 40]
    assert "reset" not in events and events.count("insert") == 2 and events.count("remove") == 1
    assert kept.isValid() and kept.row() == 2 and kept.data(Role.CLIPPING_ID) == 30
    qtmodeltester.check(model)
    model.update_ids([40, 30])  # a new order cannot be patched: the model resets
    assert events[-1] == "reset"


def test_title_edit_is_shown_at_once_and_handed_on() -> None:
    model = ClippingTableModel(CountingLoader())
    model.set_ids([7])
    edited: list[tuple[int, str]] = []
    model.title_edited.connect(lambda cid, title: edited.append((cid, title)))
    index = model.index(0, Column.TITLE)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(index, "  A  better   title ")
    assert edited == [(7, "A better title")]
    assert model.data(index) == "A better title"
    assert not model.setData(model.index(0, Column.SOURCE), "x")


def test_clipping_ids_travel_in_mime_data() -> None:
    model = ClippingTableModel(CountingLoader())
    model.set_ids([3, 1, 2])
    mime = model.mimeData([model.index(2, 0), model.index(0, 1), model.index(0, 0)])
    assert ids_from_mime(mime) == [3, 2]
    assert ids_from_mime(ids_to_mime([9])) == [9]


def test_sidebar_model_passes_modeltester(qapp, qtmodeltester, archive: Archive, stories) -> None:
    archive.create_dossier("Russia in the Sahel")
    archive.trash([stories["eu"]])
    model = SidebarModel()
    model.populate(read_sidebar(archive))
    qtmodeltester.check(model)
    assert model.index_of(LIBRARY).data(Qt.ItemDataRole.UserRole + 2) == 2
    assert model.index_of(TRASH).data(Qt.ItemDataRole.UserRole + 2) == 1
    sahel = archive.find_tag("region", "Sahel")
    africa = archive.find_tag("region", "Africa")
    assert sahel is not None and africa is not None
    # Mali and Burkina Faso are both in the Sahel grouping and under Africa.
    assert model.index_of(NodeKey("region", sahel.id)).data(Qt.ItemDataRole.UserRole + 2) == 2
    assert model.index_of(NodeKey("region", africa.id)).data(Qt.ItemDataRole.UserRole + 2) == 2
    niger = archive.find_tag("region", "Niger")
    assert niger is not None
    assert not model.index_of(NodeKey("region", niger.id)).isValid(), "empty regions are hidden"
    # library; feeds, saved searches, dossiers, topics, regions, sources; trash
    assert model.rowCount(QModelIndex()) == 8


def test_a_snippet_cell_starts_just_before_the_first_match() -> None:
    from clipper.ui.results_table import around_match

    long = "word " * 20 + "the <b>Yevkurov</b> delegation"
    trimmed = around_match(long)
    assert trimmed.startswith("…") and "<b>Yevkurov</b>" in trimmed
    assert len(trimmed.split("<b>")[0]) <= 1 + 16, "at most 16 characters before the match"
    assert around_match("<b>Niger</b> first") == "<b>Niger</b> first"
