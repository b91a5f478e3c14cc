"""Following a feed from the window: the Feeds menu's dialog (a malformed rule or tag said
inline as it is typed, "not a feed" said under the address), and a dropped or pasted address
that serves a feed, or a page that links one, offered for following; any other page is
imported as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QApplication

from clipper.core.archive import Archive
from clipper.core.monitor import Monitor
from clipper.ui.feeds import AddFeedDialog
from clipper.ui.main_window import MainWindow
from clipper.ui.sidebar import COUNT_ROLE, INBOX, NodeKey
from tests.helpers.feeds import Entry, article_page, rss, story
from tests.helpers.web import local_server
from tests.ui.helpers import drop, press, shows_text

WAGNER = ("Wagner arrives in Niamey", story("The arrival of Wagner"))


@pytest.fixture
def web() -> Iterator[Any]:
    with local_server() as route:
        yield route


def serve_feed(web: Any) -> str:
    web("/story", 200, "text/html", article_page(*WAGNER))
    body = rss("Sahel Wire", [Entry(WAGNER[0], "/story")], web.base)
    return web("/feed.xml", 200, "application/rss+xml", body)  # type: ignore[no-any-return]


def dialog_of(window: MainWindow) -> AddFeedDialog:
    dialog = window.dialog
    assert isinstance(dialog, AddFeedDialog) and dialog.isVisible()
    return dialog


def seen(qtbot: Any, label: Any, text: str | None = None) -> None:
    qtbot.waitUntil(lambda: shows_text(label, text), timeout=3000)


def test_follow_a_feed_from_the_menu(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    url = serve_feed(web)
    press(qtbot, window, "Ctrl+Shift+F")
    dialog = dialog_of(window)
    qtbot.keyClicks(dialog.url_field, url)
    qtbot.keyClicks(dialog.tags_field, "Security")
    seen(qtbot, dialog.tags_error)
    assert "topic:NAME or region:NAME" in dialog.tags_error.text()
    dialog.tags_field.clear()
    qtbot.keyClicks(dialog.tags_field, "topic:Security")
    assert not dialog.tags_error.text()
    qtbot.keyClicks(dialog.rule_field, "region:Sahel AND (")
    seen(qtbot, dialog.rule_error)
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and Monitor(archive).feeds() == []
    # A rule naming a tag the archive does not have is refused by the core, inline too.
    dialog.rule_field.setText("region:Atlantis")
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)
    seen(qtbot, dialog.rule_error)
    assert "Atlantis" in dialog.rule_error.text()
    assert dialog.isVisible() and Monitor(archive).feeds() == []
    dialog.rule_field.clear()
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    (feed,) = Monitor(archive).feeds()
    assert (feed.name, feed.url, feed.tags) == ("Sahel Wire", url, (("topic", "Security"),))
    # Followed, then polled at once: its entry waits in the inbox.
    index = window.sidebar.sidebar_model.index_of(NodeKey("feed", feed.id))
    assert index.data() == "Sahel Wire" and index.data(COUNT_ROLE) == 1
    assert window.sidebar.sidebar_model.index_of(INBOX).data(COUNT_ROLE) == 1


def test_an_address_that_is_no_feed_is_said_under_it(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    page = web("/page", 200, "text/html", article_page(*WAGNER))
    window.follow_feed_action.trigger()
    dialog = dialog_of(window)
    dialog.url_field.setText(page)
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)
    seen(qtbot, dialog.url_error)
    assert f"{page}: this is not a feed" in dialog.url_error.text()
    assert dialog.isVisible() and dialog.follow_button.isEnabled()


def test_a_dropped_feed_address_is_offered_for_following(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    url = serve_feed(web)
    mime = QMimeData()
    mime.setUrls([QUrl(url)])
    drop(window.results.table.viewport(), mime)
    dialog = dialog_of(window)
    seen(qtbot, dialog.intro, "This address serves a feed. Follow it?")
    assert dialog.url_field.text() == url and dialog.name_field.text() == "Sahel Wire"
    assert archive.count() == 0  # nothing was imported
    qtbot.mouseClick(dialog.follow_button, Qt.MouseButton.LeftButton)
    assert [f.url for f in Monitor(archive).feeds()] == [url]


def test_a_pasted_page_that_links_a_feed_offers_it_or_imports_the_page(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    feed = serve_feed(web)
    head = '<link rel="alternate" type="application/rss+xml" title="Wire" href="/feed.xml">'
    page = article_page(*WAGNER).replace(b"</head>", head.encode() + b"</head>")
    page_url = web("/front", 200, "text/html", page)
    QApplication.clipboard().setText(page_url)
    window.paste_action.trigger()
    dialog = dialog_of(window)
    seen(qtbot, dialog.intro, f"The page {page_url} links a feed. Follow it?")
    assert dialog.url_field.text() == feed and dialog.name_field.text() == "Wire"
    assert dialog.import_button is not None
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and Monitor(archive).feeds() == []
    qtbot.waitUntil(lambda: archive.count() == 1, timeout=10000)


def test_a_dropped_page_without_a_feed_is_imported_as_before(
    qtbot: Any, window: MainWindow, archive: Archive, web: Any
) -> None:
    page_url = web("/page", 200, "text/html", article_page(*WAGNER))
    mime = QMimeData()
    mime.setUrls([QUrl(page_url)])
    drop(window.results.table.viewport(), mime)
    qtbot.waitUntil(lambda: archive.count() == 1, timeout=10000)
    assert window.dialog is None
