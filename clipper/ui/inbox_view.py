"""The Inbox: what feeds and watch folders brought in, waiting for the editor, worked from the
keyboard (j/k move, Enter keeps with the suggested tags, x skips, o opens the page).

`InboxModel` holds the waiting items one read brought (`InboxListing`, read on a worker by
`read_inbox`); `InboxView` shows them with the selected item's details under the list: its
feed, date, the tags keeping gives it, the clipping it may repeat (a link that opens it) and
the syndicated copies collapsed under it. The view decides nothing itself: it asks, through
its signals, and the monitor desk runs the operations.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.core.monitor import FeedView, InboxItemView, Monitor
from clipper.core.monitor.rules import TagSpec, suggested_tags
from clipper.ui.text import plural
from clipper.ui.widgets import plain_label

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1

TITLE, FEED, DATE, TAGS, FINDING = range(5)
HEADERS = ("Title", "Feed", "Date", "Suggested tags", "Clipped as")


@dataclass(frozen=True)
class InboxListing:
    """One read of the inbox for a scope (the whole inbox, or one feed)."""

    feed_id: int | None
    items: list[InboxItemView]
    feeds: dict[int, FeedView]
    # The feeds each item's collapsed copies came through.
    copy_feeds: dict[int, list[str]] = field(default_factory=dict)


def read_inbox(archive: Archive, feed_id: int | None) -> InboxListing:
    """The waiting items of the scope, with what the view says of each (on a worker)."""
    monitor = Monitor(archive)
    feeds = {f.id: f for f in monitor.feeds()}
    items = monitor.inbox(feed_id=feed_id)
    copy_feeds: dict[int, list[str]] = {}
    for item in items:
        names = []
        for copy_id in item.copies:
            copy = monitor.inbox_item(copy_id)
            feed = feeds.get(copy.feed_id) if copy.feed_id is not None else None
            names.append(feed.name if feed else copy.source or f"item #{copy_id}")
        if names:
            copy_feeds[item.id] = names
    return InboxListing(feed_id, items, feeds, copy_feeds)


def keep_tags(item: InboxItemView, feeds: dict[int, FeedView]) -> list[TagSpec]:
    """The tags Enter keeps the item with: its feed's, then its confident suggestions."""
    feed = feeds.get(item.feed_id) if item.feed_id is not None else None
    return suggested_tags(item.regions, item.topics, feed.tags if feed else ())


def feed_name(item: InboxItemView, feeds: dict[int, FeedView]) -> str:
    feed = feeds.get(item.feed_id) if item.feed_id is not None else None
    if feed is not None:
        return feed.name
    return "Watch folder" if item.watch_id is not None else (item.source or "")


def item_date(item: InboxItemView) -> str:
    day = item.published or item.arrived_at.date()
    return day.isoformat()


class InboxModel(QAbstractTableModel):
    """The waiting items of one read, as rows (an inbox is a few hundred items at most)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listing = InboxListing(None, [], {})

    def set_listing(self, listing: InboxListing) -> None:
        self.beginResetModel()
        self.listing = listing
        self.endResetModel()

    @property
    def items(self) -> list[InboxItemView]:
        return self.listing.items

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.listing.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.listing.items):
            return None
        item = self.listing.items[index.row()]
        if role == ITEM_ID_ROLE:
            return item.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(item, index.column())
        return None

    def _text(self, item: InboxItemView, column: int) -> str:
        feeds = self.listing.feeds
        if column == TITLE:
            copies = len(item.copies)
            return item.title + (f"  (+{plural(copies, 'copy', 'copies')})" if copies else "")
        if column == FEED:
            return feed_name(item, feeds)
        if column == DATE:
            return item_date(item)
        if column == TAGS:
            return ", ".join(name for _kind, name in keep_tags(item, feeds))
        if column == FINDING:
            return f"#{item.duplicate_of}" if item.duplicate_of is not None else ""
        return ""

    def row_of(self, item_id: int) -> int | None:
        for row, item in enumerate(self.listing.items):
            if item.id == item_id:
                return row
        return None


class InboxTable(QTableView):
    """The inbox list, with its keys.

    Signals:
        keep_requested(): Enter on an item.
        skip_requested(): x on an item.
        open_requested(): o on an item.
    """

    keep_requested = Signal()
    skip_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(False)

    def size_columns(self) -> None:
        header = self.horizontalHeader()
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((FEED, 120), (DATE, 90), (TAGS, 150), (FINDING, 90)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, width)

    def step(self, step: int) -> None:
        rows = self.model().rowCount()
        if not rows:
            return
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        row = max(0, min(rows - 1, current + step if current >= 0 else 0))
        self.selectRow(row)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if plain and key == Qt.Key.Key_J:
            self.step(+1)
        elif plain and key == Qt.Key.Key_K:
            self.step(-1)
        elif plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.keep_requested.emit()
        elif plain and key == Qt.Key.Key_X:
            self.skip_requested.emit()
        elif plain and key == Qt.Key.Key_O:
            self.open_requested.emit()
        else:
            super().keyPressEvent(event)


class InboxDetail(QWidget):
    """The selected item: title, where and when from, the tags keeping gives it, the clipping
    it may repeat, its copies and its opening lines.

    Signals:
        open_clipping(int): the editor followed the "already clipped as #N" link.
    """

    open_clipping = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxDetail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        self.title = plain_label(name="inboxItemTitle", wrap=True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.meta = plain_label(name="inboxItemMeta", wrap=True)
        self.tags = plain_label(name="inboxItemTags", wrap=True)
        self.finding = QLabel()
        self.finding.setObjectName("inboxItemFinding")
        self.finding.setTextFormat(Qt.TextFormat.RichText)
        self.finding.setWordWrap(True)
        self.finding.linkActivated.connect(self._on_link)
        self.copies = plain_label(name="inboxItemCopies", wrap=True)
        self.excerpt = plain_label(name="inboxItemExcerpt", wrap=True)
        self.keys = plain_label(
            "j/k move  ·  Enter keep  ·  x skip  ·  o open the page", name="inboxKeys", wrap=True
        )
        for widget in (
            self.title,
            self.meta,
            self.tags,
            self.finding,
            self.copies,
            self.excerpt,
            self.keys,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_item(None, InboxListing(None, [], {}))

    def show_item(self, item: InboxItemView | None, listing: InboxListing) -> None:
        if item is None:
            self.title.setText("Nothing waiting" if not listing.items else "")
            for label in (self.meta, self.tags, self.finding, self.copies, self.excerpt):
                label.clear()
                label.hide()
            return
        self.title.setText(item.title)
        parts = [feed_name(item, listing.feeds), item_date(item)]
        if item.url:
            parts.append(item.url)
        self.meta.setText("  ·  ".join(p for p in parts if p))
        tags = keep_tags(item, listing.feeds)
        self.tags.setText(
            "Kept with: " + ", ".join(f"{name} ({kind})" for kind, name in tags)
            if tags
            else "Kept without tags"
        )
        finding = item.duplicate_label
        if finding is not None and item.duplicate_of is not None:
            title = f" — {html.escape(item.duplicate_title)}" if item.duplicate_title else ""
            text = html.escape(finding[:1].upper() + finding[1:])
            self.finding.setText(f'<a href="clipping:{item.duplicate_of}">{text}</a>{title}')
        else:
            self.finding.clear()
        copies = listing.copy_feeds.get(item.id, [])
        self.copies.setText(f"Also through: {', '.join(copies)}" if copies else "")
        self.excerpt.setText(item.excerpt)
        for label_widget in (self.meta, self.tags, self.finding, self.copies, self.excerpt):
            label_widget.setVisible(bool(label_widget.text()))

    def _on_link(self, link: str) -> None:
        if link.startswith("clipping:"):
            self.open_clipping.emit(int(link.partition(":")[2]))


class InboxView(QWidget):
    """The inbox pane, shown in place of the clipping list when the Inbox or a feed is picked.

    Signals:
        keep_requested(list): item ids to keep (with the suggested tags).
        skip_requested(list): item ids to skip.
        open_requested(object): the InboxItemView whose page to open.
        keep_matching_requested(str, int): a feed's rule and the feed's id.
        open_clipping(int): the clipping an item may repeat.
    """

    keep_requested = Signal(list)
    skip_requested = Signal(list)
    open_requested = Signal(object)
    keep_matching_requested = Signal(str, int)
    open_clipping = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inbox")
        self.feed_id: int | None = None
        self._select_next: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 0)
        layout.setSpacing(6)

        heading = QHBoxLayout()
        self.heading = plain_label("Inbox", name="inboxHeading")
        heading.addWidget(self.heading)
        heading.addStretch(1)
        self.count_label = plain_label(name="inboxCount")
        heading.addWidget(self.count_label)
        layout.addLayout(heading)

        # Why feeds failed at their last poll: where the editor looks, not in a dialog.
        self.problems = plain_label(name="inboxProblems", wrap=True)
        self.problems.hide()
        layout.addWidget(self.problems)

        rule_bar = QHBoxLayout()
        self.rule_label = plain_label(name="inboxRule", wrap=True)
        rule_bar.addWidget(self.rule_label, 1)
        self.keep_matching_button = QPushButton("Keep all matching")
        self.keep_matching_button.setObjectName("keepMatching")
        self.keep_matching_button.clicked.connect(self._on_keep_matching)
        rule_bar.addWidget(self.keep_matching_button)
        self.rule_bar = QWidget()
        self.rule_bar.setLayout(rule_bar)
        rule_bar.setContentsMargins(0, 0, 0, 0)
        self.rule_bar.hide()
        layout.addWidget(self.rule_bar)

        self.model = InboxModel(self)
        self.table = InboxTable()
        self.table.setModel(self.model)
        self.table.size_columns()
        self.detail = InboxDetail()
        # Scrolled, so that a long title or a list of tags wraps instead of overlapping.
        self.detail_area = QScrollArea()
        self.detail_area.setObjectName("inboxDetailArea")
        self.detail_area.setWidgetResizable(True)
        self.detail_area.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_area.setWidget(self.detail)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_area)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([360, 300])
        layout.addWidget(self.splitter, 1)

        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.keep_requested.connect(lambda: self._ask(self.keep_requested))
        self.table.skip_requested.connect(lambda: self._ask(self.skip_requested))
        self.table.open_requested.connect(self._on_open)
        self.table.doubleClicked.connect(lambda _index: self._on_open())
        self.detail.open_clipping.connect(self.open_clipping)

    # -- what it shows -----------------------------------------------------------------------

    def current_item(self) -> InboxItemView | None:
        index = self.table.currentIndex()
        items = self.model.items
        return items[index.row()] if index.isValid() and index.row() < len(items) else None

    def show_listing(self, listing: InboxListing, title: str) -> None:
        """Show a fresh read; the item that was current (or the one after a decided item)
        stays current."""
        wanted = self._select_next
        if wanted is None:
            current = self.current_item()
            wanted = current.id if current is not None else None
        self._select_next = None
        self.feed_id = listing.feed_id
        self.model.set_listing(listing)
        self.heading.setText(title)
        self.count_label.setText(plural(len(listing.items), "item") + " waiting")
        self._show_problems(listing)
        self._show_rule(listing)
        row = self.model.row_of(wanted) if wanted is not None else None
        if row is None and listing.items:
            row = 0
        if row is not None:
            self.table.selectRow(row)
        self._show_current()

    def _show_problems(self, listing: InboxListing) -> None:
        failing = [
            f
            for f in listing.feeds.values()
            if f.last_error and (listing.feed_id is None or f.id == listing.feed_id)
        ]
        lines = [f"{f.name}: the last poll failed ({f.last_error})" for f in failing]
        self.problems.setText("\n".join(lines))
        self.problems.setVisible(bool(lines))

    def _show_rule(self, listing: InboxListing) -> None:
        feed = listing.feeds.get(listing.feed_id) if listing.feed_id is not None else None
        if feed is None or not feed.rule:
            self.rule_bar.hide()
            return
        self.rule_label.setText(f"Rule: {feed.rule}")
        self.keep_matching_button.setEnabled(bool(listing.items))
        self.rule_bar.show()

    def _show_current(self) -> None:
        self.detail.show_item(self.current_item(), self.model.listing)

    # -- what it asks ------------------------------------------------------------------------

    def _ask(self, signal: Any) -> None:
        item = self.current_item()
        if item is None:
            return
        self._select_next = self._neighbour(item.id)
        signal.emit([item.id])

    def _neighbour(self, item_id: int) -> int | None:
        """The item to go on with once `item_id` is decided: the next, else the one before."""
        items: Sequence[InboxItemView] = self.model.items
        row = self.model.row_of(item_id)
        if row is None:
            return None
        if row + 1 < len(items):
            return items[row + 1].id
        return items[row - 1].id if row > 0 else None

    def _on_open(self) -> None:
        item = self.current_item()
        if item is not None:
            self.open_requested.emit(item)

    def _on_keep_matching(self) -> None:
        feed = self.model.listing.feeds.get(self.feed_id) if self.feed_id is not None else None
        if feed is not None and feed.rule:
            self.keep_matching_requested.emit(feed.rule, feed.id)
