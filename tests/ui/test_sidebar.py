"""The sidebar as the editor uses it: a topic tree of any depth, and its context menu (rename,
merge and delete a topic, see and edit its match rule; a dossier's commands)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMenu
from sqlalchemy import func, select

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.models import Tag
from clipper.core.text import name_key
from clipper.ui import main_window
from clipper.ui.clipping_model import Column
from clipper.ui.dialogs import DossierDialog, MergeDialog, RuleDialog, TagNameDialog
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import COUNT_ROLE, NodeKey
from tests.helpers.archives import add_story
from tests.ui.helpers import press, visible_chip_texts

WAIT = 10_000
DEPTH = 3000

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)


def topic_chain(archive: Archive, depth: int) -> list[int]:
    """Topics nested `depth` levels deep (Level 0 > Level 1 > ...), written in one go."""
    with archive.stores.unit.writing() as session:
        start = (session.scalar(select(func.max(Tag.id))) or 0) + 1
        ids = list(range(start, start + depth))
        session.add_all(
            Tag(
                id=tag_id,
                kind="topic",
                name=f"Level {level}",
                key=name_key(f"Level {level}"),
                parent_id=ids[level - 1] if level else None,
            )
            for level, tag_id in enumerate(ids)
        )
    return ids


def test_a_topic_tree_thousands_of_levels_deep_fills_the_sidebar(
    qtbot, archive: Archive, make_window
) -> None:
    chain = topic_chain(archive, DEPTH)
    deepest = chain[-1]
    clipping = add_story(archive, "Filed at the bottom of the tree")
    archive.add_tag([clipping], "topic", f"Level {DEPTH - 1}")
    window: MainWindow = make_window()
    qtbot.waitUntil(
        lambda: window.sidebar.sidebar_model.index_of(NodeKey("topic", deepest)).isValid(),
        timeout=WAIT,
    )
    model = window.sidebar.sidebar_model
    top = model.index_of(NodeKey("topic", chain[0]))
    assert top.data(COUNT_ROLE) == 1, "the top of the tree counts the clipping under it"
    window.sidebar.select(NodeKey("topic", deepest))
    qtbot.waitUntil(lambda: window.results.model.rowCount() == 1, timeout=WAIT)
    assert window.results.heading.text() == f"Level {DEPTH - 1}"
    # Refreshing keeps the deep node expanded and selected, without recursion either.
    window.refresh_sidebar()
    assert window.sidebar.current_key == NodeKey("topic", deepest)


def test_the_list_is_shown_while_the_sidebar_counts_are_still_read(
    qtbot, archive: Archive, make_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the app's own threads the sidebar's counts (a second or two at 200,000 clippings)
    are read beside the list, not before it: the first rows are on screen, with their
    titles, while the counts are still being read; the counts follow, and then the search
    index opens (opened beside them, it slowed them down)."""
    monkeypatch.setattr(main_window, "INDEX_OPEN_WAIT_MS", 60_000)
    titles = [f"Dispatch {n} from Niamey" for n in range(3)]
    for title in titles:
        add_story(archive, title)
    gate = threading.Event()
    real_read = main_window.read_sidebar

    def slow_read(archive: Archive) -> object:
        gate.wait(WAIT / 1000)
        return real_read(archive)

    monkeypatch.setattr(main_window, "read_sidebar", slow_read)
    refreshed: list[bool] = []
    window: MainWindow = make_window(reader=None)  # the app's real reader threads
    window.sidebar_refreshed.connect(lambda: refreshed.append(True))
    try:
        table = window.results.table
        qtbot.waitUntil(lambda: window.results.model.rowCount() == len(titles), timeout=WAIT)
        assert table.isVisible() and table.width() > 0 and table.height() > 0
        shown = {window.results.model.index(row, Column.TITLE).data() for row in range(len(titles))}
        assert shown == set(titles)
        assert not refreshed and not gate.is_set(), "the list did not wait for the counts"
        assert not window.results.index_ready
    finally:
        gate.set()
    qtbot.waitUntil(lambda: bool(refreshed), timeout=WAIT)
    assert window.archive_label.text() == f"{len(titles)} clippings"
    qtbot.waitUntil(lambda: window.results.index_ready, timeout=WAIT)


def test_the_index_opens_even_when_the_sidebar_cannot_be_read(
    qtbot, archive: Archive, make_window, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    add_story(archive, "Dispatch from Niamey")

    def failing_read(archive: Archive) -> object:
        raise OSError("disk I/O error")

    monkeypatch.setattr(main_window, "read_sidebar", failing_read)
    monkeypatch.setattr(main_window, "INDEX_OPEN_WAIT_MS", 300)
    archive.add(ClippingDraft(title="Uranium talks", body="Uranium talks in Bamako."))
    window: MainWindow = make_window()
    assert window.results.model.rowCount() == 2
    assert "sidebar read failed" in caplog.text
    # A search typed now waits for the index, which opens all the same, and then runs.
    field = window.results.search_field
    field.setFocus()
    qtbot.keyClicks(field, "uranium")
    qtbot.waitUntil(lambda: window.results.index_ready, timeout=WAIT)
    qtbot.waitUntil(lambda: window.results.model.rowCount() == 1, timeout=WAIT)
    title = window.results.model.index(0, Column.TITLE).data()
    assert title == "Uranium talks"


def open_menu(qtbot, window: MainWindow, key: NodeKey) -> QMenu:  # type: ignore[no-untyped-def]
    """Right-click a sidebar node; the menu that opens."""
    sidebar = window.sidebar
    index = sidebar.sidebar_model.index_of(key)
    assert index.isValid(), key
    sidebar.scrollTo(index)
    sidebar.customContextMenuRequested.emit(sidebar.visualRect(index).center())
    menu = window.sidebar_commands.menu
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=WAIT)
    return menu


def choose(menu: QMenu, text: str) -> None:
    [action] = [a for a in menu.actions() if a.text() == text]
    menu.hide()
    action.trigger()


def topic_node(archive: Archive, name: str) -> NodeKey:
    tag = archive.find_tag("topic", name)
    assert tag is not None, name
    return NodeKey("topic", tag.id)


def test_a_topic_is_renamed_from_its_context_menu_and_back_with_undo(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    key = topic_node(archive, "Russia in Africa")
    choose(open_menu(qtbot, window, key), "Rename topic…")
    dialog = window.dialog
    assert isinstance(dialog, TagNameDialog)
    dialog.name.setText("Russia and Africa")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert archive.find_tag("topic", "Russia and Africa") is not None
    assert window.statusBar().currentMessage() == ("Renamed Russia in Africa to Russia and Africa.")
    qtbot.waitUntil(
        lambda: window.sidebar.sidebar_model.index_of(key).data() == ("Russia and Africa"),
        timeout=WAIT,
    )
    window.results.select_ids([stories["mali"]])
    assert "Russia and Africa" in visible_chip_texts(window.reader.tags)
    press(qtbot, window, "Ctrl+Z", window.results.table)
    assert archive.find_tag("topic", "Russia in Africa") is not None


def test_a_topic_is_merged_into_another_and_undo_separates_them(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    archive.add_tag([stories["burkina"]], "topic", "Russia")
    archive.add_tag([stories["mali"]], "topic", "Russia")
    window.refresh_sidebar()
    key = topic_node(archive, "Russia in Africa")
    choose(open_menu(qtbot, window, key), "Merge into…")
    dialog = window.dialog
    assert isinstance(dialog, MergeDialog)
    dialog.target.setCurrentIndex(dialog.target.findText("Russia"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert archive.find_tag("topic", "Russia in Africa") is None
    names = {t.name for t in archive.get(stories["mali"]).topics}
    assert names == {"Russia"}
    assert window.statusBar().currentMessage() == (
        "Merged Russia in Africa into Russia (1 clipping)."
    )
    press(qtbot, window, "Ctrl+Z", window.results.table)
    assert {t.name for t in archive.get(stories["mali"]).topics} == {"Russia in Africa", "Russia"}
    assert {t.name for t in archive.get(stories["burkina"]).topics} == {"Russia"}


def test_a_topic_is_deleted_from_the_menu_and_undo_brings_back_its_clippings_and_rule(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    key = topic_node(archive, "Russia in Africa")
    assert isinstance(key.value, int)
    archive.set_topic_rule(key.value, "any", "Wagner Yevkurov")
    window.refresh_sidebar()
    choose(open_menu(qtbot, window, key), "Delete topic")
    assert archive.find_tag("topic", "Russia in Africa") is None
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("Deleted the topic Russia in Africa (it was on 1 clipping).")
    )
    qtbot.waitUntil(lambda: not window.sidebar.sidebar_model.index_of(key).isValid(), timeout=WAIT)
    press(qtbot, window, "Ctrl+Z", window.results.table)
    back = archive.find_tag("topic", "Russia in Africa")
    assert back is not None
    assert "Russia in Africa" in {t.name for t in archive.get(stories["mali"]).topics}
    [node] = [n for n in archive.tag_tree("topic") if n.id == back.id]
    assert (node.match_mode, node.match_pattern, node.match_enabled) == (
        "any",
        "Wagner Yevkurov",
        True,
    )


def test_a_topic_rule_is_seen_and_edited_from_the_menu(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    key = topic_node(archive, "Russia in Africa")
    assert isinstance(key.value, int)
    archive.set_topic_rule(key.value, "any", "Wagner", enabled=False)  # came from an export
    window.refresh_sidebar()
    choose(open_menu(qtbot, window, key), "Match rule…")
    dialog = window.dialog
    assert isinstance(dialog, RuleDialog)
    assert dialog.chosen_mode() == "any" and dialog.pattern.text() == "Wagner"
    assert not dialog.enabled.isChecked(), "the dialog shows the rule is off"
    dialog.mode.setCurrentIndex(dialog.mode.findData("regex"))
    dialog.pattern.setText("(Wagner")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.error.isVisible(), "a broken pattern is refused inline"
    assert "cannot be read" in dialog.error.text()
    dialog.pattern.setText(r"Wagner|Africa Corps")
    dialog.enabled.setChecked(True)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    [node] = [n for n in archive.tag_tree("topic") if n.id == key.value]
    assert (node.match_mode, node.match_pattern, node.match_enabled) == (
        "regex",
        "Wagner|Africa Corps",
        True,
    )
    assert window.statusBar().currentMessage() == "Saved the match rule of Russia in Africa."


def test_a_dossier_is_described_and_deleted_from_its_context_menu(
    qtbot, stories, window: MainWindow, archive: Archive
) -> None:
    view, _changes = archive.create_dossier("Tour")
    window.refresh_sidebar()
    key = NodeKey("dossier", view.id)
    choose(open_menu(qtbot, window, key), "Rename or describe…")
    dialog = window.dialog
    assert isinstance(dialog, DossierDialog)
    dialog.name.setText("Yevkurov tour")
    dialog.accept()
    assert archive.dossier(view.id).name == "Yevkurov tour"
    window.refresh_sidebar()
    choose(open_menu(qtbot, window, key), "Delete dossier")
    assert archive.dossiers() == []
    assert window.statusBar().currentMessage().startswith("Deleted the dossier Yevkurov tour")
