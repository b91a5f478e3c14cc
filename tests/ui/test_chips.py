"""Chips as the editor sees them: facet chips under the search field through every refinement,
an active facet as a visible chip that removes it, and a clipping's tag chips in the reader
after every way its tags change. A chip counts only when it is on screen with its text
(`tests.ui.helpers.visible_chip_texts`)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.ingest import ImportOutcome
from clipper.ui.facets import Facet
from clipper.ui.main_window import MainWindow
from clipper.ui.samples import load_samples
from clipper.ui.sidebar import LIBRARY, NodeKey
from tests.ui.helpers import click_node, press, visible_chip_texts, visible_chips

WAIT = 5000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard)$"
)


@pytest.fixture
def samples(archive: Archive) -> dict[str, int]:
    _changes, ids = load_samples(archive)
    archive.index.catch_up()
    return ids


def search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    field = window.results.search_field
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def facet_texts(window: MainWindow) -> list[str]:
    return visible_chip_texts(window.results.facet_bar)


def test_facet_chips_stay_on_screen_while_the_query_is_refined(
    qtbot, samples, window: MainWindow
) -> None:
    search(qtbot, window, "Yevkurov")
    qtbot.waitUntil(lambda: "Le Monde  1" in facet_texts(window), timeout=WAIT)
    for refined in ("Yevkurov Bamako", "Yevkurov", "Russia", "Yevkurov OR Niamey"):
        search(qtbot, window, refined)
        expected = [chip.text for chip in window.results.facet_chips()]
        assert expected, refined
        qtbot.waitUntil(lambda e=expected: facet_texts(window) == e, timeout=WAIT)


def test_a_clicked_facet_is_a_visible_chip_that_removes_it(
    qtbot, samples, window: MainWindow
) -> None:
    search(qtbot, window, "Yevkurov")
    qtbot.waitUntil(lambda: "Mali  1" in facet_texts(window), timeout=WAIT)
    [mali] = [chip for chip in visible_chips(window.results.facet_bar) if chip.text == "Mali  1"]
    qtbot.mouseClick(mali, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Region: Mali" in facet_texts(window), timeout=WAIT)
    assert window.results.count_label.text() == "1 result"
    [active] = [c for c in visible_chips(window.results.facet_bar) if c.text == "Region: Mali"]
    assert active.remove_button is not None and active.remove_button.isVisible()
    qtbot.mouseClick(active.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.results.count_label.text() == "3 results", timeout=WAIT)
    assert "Region: Mali" not in facet_texts(window)


def test_a_facet_never_follows_the_editor_to_another_node_or_query(
    qtbot, samples, window: MainWindow, archive: Archive
) -> None:
    search(qtbot, window, "Yevkurov")
    qtbot.waitUntil(lambda: "Mali  1" in facet_texts(window), timeout=WAIT)
    window.results.facet_bar.add(Facet("region", "Mali"))
    qtbot.waitUntil(lambda: "Region: Mali" in facet_texts(window), timeout=WAIT)
    # Clearing the field and moving to another node drops the facet: no invisible filter.
    search(qtbot, window, "")
    assert window.results.facet_bar.active == []
    assert window.results.heading.text() == "Library"
    assert window.results.model.rowCount() == 5
    search(qtbot, window, "Yevkurov")
    qtbot.waitUntil(lambda: "Mali  1" in facet_texts(window), timeout=WAIT)
    window.results.facet_bar.add(Facet("region", "Mali"))
    qtbot.waitUntil(lambda: "Region: Mali" in facet_texts(window), timeout=WAIT)
    dossier = archive.dossier("Russia in the Sahel")
    click_node(qtbot, window, NodeKey("dossier", dossier.id))
    assert window.results.facet_bar.active == []
    click_node(qtbot, window, LIBRARY)
    assert window.results.query == "Yevkurov"
    assert window.results.count_label.text() == "3 results"
    assert "Region: Mali" not in facet_texts(window)


def reader_chips(window: MainWindow) -> list[str]:
    return visible_chip_texts(window.reader.tags)


def test_tag_chips_stay_on_screen_after_every_change(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    mali = stories["mali"]
    window.results.select_ids([mali])
    qtbot.waitUntil(lambda: reader_chips(window) == ["Mali", "Russia in Africa"], timeout=WAIT)
    # Ctrl+T, a name, Enter.
    window.results.table.setFocus()
    press(qtbot, window, "Ctrl+T")
    field = window.reader.tags.field
    assert field.hasFocus()
    qtbot.keyClicks(field, "Wagner")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: reader_chips(window) == ["Mali", "Russia in Africa", "Wagner"], timeout=WAIT
    )
    # The chip's ×.
    chip = window.reader.tags.chip("Russia in Africa")
    assert chip is not None and chip.remove_button is not None
    qtbot.mouseClick(chip.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reader_chips(window) == ["Mali", "Wagner"], timeout=WAIT)
    # Undo.
    press(qtbot, window, "Ctrl+Z", window.results.table)
    qtbot.waitUntil(
        lambda: reader_chips(window) == ["Mali", "Russia in Africa", "Wagner"], timeout=WAIT
    )
    # Plain navigation: Down to the next clipping and back up.
    table = window.results.table
    table.setFocus()
    row = window.results.model.row_of(mali)
    assert row is not None
    qtbot.keyClick(table, Qt.Key.Key_Up)
    other = window.reader.detail
    assert other is not None and other.id != mali
    expected = [t.name for t in (*other.regions, *other.topics)]
    qtbot.waitUntil(lambda: reader_chips(window) == expected, timeout=WAIT)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.waitUntil(
        lambda: reader_chips(window) == ["Mali", "Russia in Africa", "Wagner"], timeout=WAIT
    )


def test_tag_chips_stay_on_screen_after_an_import_and_an_accepted_suggestion(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    draft = ClippingDraft(
        title="Niger ends European security missions",
        body="Eucap Sahel Niger and EUMPM were asked to leave Niamey.",
        regions=[Suggestion("Niger", "NE", 0.9)],
    )
    batch = window.importer.start([])
    window.importer._on_outcome(batch, ImportOutcome(label="eu.txt", ok=True, draft=draft))
    window.importer._on_reading_finished(batch)
    [clipping_id] = archive.list_ids()
    qtbot.waitUntil(lambda: window.results.model.row_of(clipping_id) is not None, timeout=WAIT)
    window.results.select_ids([clipping_id])
    assert reader_chips(window) == []
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 1, timeout=WAIT)
    [card] = window.review_panel.entries
    [niger] = [chip for chip in card.suggestion_chips if chip.text == "+ Niger"]
    qtbot.mouseClick(niger, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reader_chips(window) == ["Niger"], timeout=WAIT)
