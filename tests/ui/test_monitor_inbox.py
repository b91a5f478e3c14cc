"""The Inbox in the window: feeds served from 127.0.0.1 polled (synchronously, as the window's
timer would), the Feeds section's unread counts, and the inbox worked from the keyboard: j/k,
Enter keeps with the suggested tags (undone into the trash), x skips for good, o opens the
page; a near duplicate says which clipping it repeats and opens it; syndicated copies
collapse under one item; a feed's rule keeps all it matches at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.core.views import ClippingFilter
from clipper.ui import monitor_desk
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import COUNT_ROLE, INBOX, NodeKey
from tests.helpers.archives import add
from tests.helpers.feeds import Entry, article_page, rss, story
from tests.helpers.web import local_server
from tests.ui.helpers import click_node, on_screen, press, shows_text

WAGNER = ("Wagner arrives in Niamey", story("The arrival of Wagner"))
URANIUM = ("Uranium exports halted", story("Uranium exports", "Agadez"))
CORPS = ("Africa Corps lands in Bamako", story("The Africa Corps", "Bamako"))
WIRE = story("The junta's withdrawal from ECOWAS", words="The three juntas signed a treaty.")
EDITED = [*WIRE[:-1], WIRE[-1] + " More reactions are expected on Monday."]


@pytest.fixture
def web() -> Iterator[Any]:
    with local_server() as route:
        yield route


def serve_feed(web: Any, path: str, title: str, pages: list[tuple[str, list[str]]]) -> str:
    entries = []
    for number, (headline, paragraphs) in enumerate(pages, start=1):
        page = f"{path}/story-{number}"
        web(page, 200, "text/html; charset=utf-8", article_page(headline, paragraphs))
        entries.append(Entry(headline, page, guid=f"{path}-{number}"))
    return web(path, 200, "application/rss+xml", rss(title, entries, web.base))  # type: ignore[no-any-return]


def sidebar_count(window: MainWindow, key: NodeKey) -> int | None:
    index = window.sidebar.sidebar_model.index_of(key)
    assert index.isValid(), f"no sidebar node {key}"
    return index.data(COUNT_ROLE)  # type: ignore[no-any-return]


def shown_titles(window: MainWindow) -> list[str]:
    table = window.monitor_desk.inbox.table
    assert on_screen(table)
    model = table.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def seen(qtbot: Any, label: Any, text: str | None = None) -> bool:
    """The label shows `text` once the layout has given it room (the next event loop turn)."""
    qtbot.waitUntil(lambda: shows_text(label, text), timeout=3000)
    return True


def test_the_inbox_is_worked_from_the_keyboard(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monitor = Monitor(archive)
    feed = monitor.add_feed(
        serve_feed(web, "/wire", "Sahel Wire", [WAGNER, URANIUM, CORPS]), tags=[("topic", "Wires")]
    )
    assert window.monitor_desk.poller.poll_due()
    feed_key = NodeKey("feed", feed.id)
    assert sidebar_count(window, INBOX) == 3
    assert sidebar_count(window, feed_key) == 3

    click_node(qtbot, window, INBOX)
    inbox = window.monitor_desk.inbox
    assert not window.results.isVisible()
    assert shown_titles(window) == [WAGNER[0], URANIUM[0], CORPS[0]]
    assert seen(qtbot, inbox.count_label, "3 items waiting")
    detail = inbox.detail
    assert seen(qtbot, detail.title, WAGNER[0])
    assert "Sahel Wire" in detail.meta.text() and seen(qtbot, detail.meta)
    # Enter keeps with the feed's tags and the confident suggestions: they are said first.
    assert seen(qtbot, detail.tags)
    assert "Wires (topic)" in detail.tags.text() and "Niger (region)" in detail.tags.text()

    inbox.table.setFocus()
    press(qtbot, window, "J", inbox.table)
    assert seen(qtbot, detail.title, URANIUM[0])
    press(qtbot, window, "K", inbox.table)
    assert seen(qtbot, detail.title, WAGNER[0])

    press(qtbot, window, "Return", inbox.table)
    # The library has it at once; the inbox and the counts follow.
    (kept,) = archive.list_ids(ClippingFilter())
    tags = {(t.kind, t.name) for t in archive.get(kept).tags}
    assert {("topic", "Wires"), ("region", "Niger")} <= tags
    assert shown_titles(window) == [URANIUM[0], CORPS[0]]
    assert seen(qtbot, detail.title, URANIUM[0])
    assert sidebar_count(window, INBOX) == 2
    assert window.archive_label.text() == "1 clippings"
    assert window.undo_action.text() == f"&Undo Keep {WAGNER[0]}"

    press(qtbot, window, "X", inbox.table)
    assert shown_titles(window) == [CORPS[0]]
    assert sidebar_count(window, feed_key) == 1
    assert archive.count() == 1

    opened: list[QUrl] = []
    monkeypatch.setattr(monitor_desk, "open_url", lambda url: opened.append(url) or True)
    press(qtbot, window, "O", inbox.table)
    assert [u.toString() for u in opened] == [web.base + "/wire/story-3"]

    # Undoing the keep trashes the clipping; the skipped entry never comes back.
    window.runner.undo()
    assert archive.count() == 0 and archive.count(ClippingFilter(in_trash=True)) == 1
    assert window.monitor_desk.poller.poll_all()
    assert shown_titles(window) == [CORPS[0]]
    assert sidebar_count(window, INBOX) == 1


def test_a_near_duplicate_names_the_clipping_and_opens_it(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    clipping = add(
        archive, "Sahel juntas quit ECOWAS", "\n\n".join(WIRE), source="AFP", url="http://afp/1"
    )
    web("/b/story", 200, "text/html", article_page("Juntas leave the bloc", EDITED))
    web("/c/story", 200, "text/html", article_page("Juntas quit the bloc", EDITED, site="Daily"))
    monitor = Monitor(archive)
    for path, name, page in (("/one", "One", "/b/story"), ("/two", "Two", "/c/story")):
        url = web(path, 200, "application/rss+xml", rss(name, [Entry(name, page)], web.base))
        monitor.add_feed(url)
    assert window.monitor_desk.poller.poll_due()
    click_node(qtbot, window, INBOX)
    # The second feed's copy is collapsed under the first item.
    assert len(shown_titles(window)) == 1
    assert "(+1 copy)" in shown_titles(window)[0]
    detail = window.monitor_desk.inbox.detail
    assert seen(qtbot, detail.copies, "Also through: Two")
    assert on_screen(detail.finding)
    assert f"Already clipped as #{clipping} from AFP" in detail.finding.text()
    detail.finding.linkActivated.emit(f"clipping:{clipping}")
    assert window.reader.selected_ids == [clipping]


def test_keep_all_matching_a_feeds_rule(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    monitor = Monitor(archive)
    url = serve_feed(web, "/mixed", "Mixed", [WAGNER, URANIUM, CORPS])
    feed = monitor.add_feed(url, rule="Wagner OR Uranium")
    assert window.monitor_desk.poller.poll_due()
    click_node(qtbot, window, NodeKey("feed", feed.id))
    inbox = window.monitor_desk.inbox
    assert seen(qtbot, inbox.rule_label, "Rule: Wagner OR Uranium")
    # The rule dropped the third story on arrival; the two it matched wait.
    assert shown_titles(window) == [WAGNER[0], URANIUM[0]]
    qtbot.mouseClick(inbox.keep_matching_button, Qt.MouseButton.LeftButton)
    assert archive.count() == 2
    assert shown_titles(window) == []
    assert seen(qtbot, inbox.detail.title, "Nothing waiting")
