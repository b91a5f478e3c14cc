"""Saved searches in the window: the current search (with the list's facets) saved under a
name from the menu or the button in the search field, shown in the sidebar with how many
clippings are new in it, and opened (run, and marked opened) with a click."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from clipper.core import operations as ops
from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.monitor import Monitor
from clipper.core.views import ClippingFilter
from clipper.ui.main_window import MainWindow
from clipper.ui.saved_searches import SaveSearchDialog
from clipper.ui.sidebar import COUNT_ROLE, NodeKey
from tests.ui.helpers import click_node, press, shows_text


def saved_node(window: MainWindow, name: str) -> Any:
    model = window.sidebar.sidebar_model
    for status in model.saved:
        if status.search.name == name:
            return model.index_of(NodeKey("saved", name, status.search.facets))
    raise AssertionError(f"no saved search {name} in the sidebar")


def shown_rows(window: MainWindow) -> list[str]:
    model = window.results.model
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def test_save_a_search_see_what_is_new_and_open_it(
    qtbot: Any, stories: dict[str, int], window: MainWindow, archive: Archive
) -> None:
    niger = archive.find_tag("region", "Niger")
    assert niger is not None
    click_node(qtbot, window, NodeKey("region", niger.id))
    window.results.set_query("missions OR Yevkurov")
    assert shown_rows(window) == ["Niger ends European security missions"]

    press(qtbot, window, "Ctrl+Shift+S")
    dialog = window.dialog
    assert isinstance(dialog, SaveSearchDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: shows_text(dialog.summary), timeout=3000)
    assert dialog.summary.text() == "missions OR Yevkurov — in Niger"
    dialog.name_field.setText("Niger watch")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    (saved,) = Monitor(archive).saved_searches()
    assert saved.search.query == "missions OR Yevkurov"
    assert saved.search.facets == ClippingFilter(tag_ids=(niger.id,))
    assert saved_node(window, "Niger watch").data(COUNT_ROLE) == 0

    # The same name again is refused in the dialog, which stays open.
    window.save_search_action.trigger()
    again = window.dialog
    assert isinstance(again, SaveSearchDialog)
    again.name_field.setText("Niger watch")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shows_text(again.error), timeout=3000)
    assert "Niger watch" in again.error.text() and again.isVisible()
    again.reject()

    # A clipping the search finds arrives: the sidebar counts it as new.
    draft = ClippingDraft(
        title="Yevkurov returns to Niamey", body="Yevkurov was back in Niamey for talks."
    )
    window.runner.run(ops.store_draft(draft, tags=[("region", "Niger")]))
    qtbot.waitUntil(lambda: saved_node(window, "Niger watch").data(COUNT_ROLE) == 1, timeout=5000)

    # Opening it runs it (its query, its facets) and it has nothing new any more.
    click_node(qtbot, window, NodeKey("library"))
    window.results.set_query("")
    index = saved_node(window, "Niger watch")
    window.sidebar.scrollTo(index)
    qtbot.mouseClick(
        window.sidebar.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.sidebar.visualRect(index).center(),
    )
    assert window.results.search_field.text() == "missions OR Yevkurov"
    assert set(shown_rows(window)) == {
        "Niger ends European security missions",
        "Yevkurov returns to Niamey",
    }
    qtbot.waitUntil(lambda: saved_node(window, "Niger watch").data(COUNT_ROLE) == 0, timeout=5000)


def test_the_button_in_the_search_field_saves_the_search(
    qtbot: Any, stories: dict[str, int], window: MainWindow, archive: Archive
) -> None:
    window.results.set_query("Yevkurov")
    button = window.monitor_desk.save_search_button
    assert button in window.results.search_field.actions() and button.isVisible()
    button.trigger()
    dialog = window.dialog
    assert isinstance(dialog, SaveSearchDialog)
    assert dialog.name_field.text() == "Yevkurov"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [s.search.name for s in Monitor(archive).saved_searches()] == ["Yevkurov"]
