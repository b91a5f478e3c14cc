"""The sidebar as the editor uses it: a topic tree of any depth, and its context menu (rename,
merge and delete a topic, see and edit its match rule; a dossier's commands)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clipper.core.archive import Archive
from clipper.core.models import Tag
from clipper.core.text import name_key
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import COUNT_ROLE, NodeKey
from tests.helpers.archives import add_story

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
