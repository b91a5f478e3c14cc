"""The sidebar: Library, Feeds (the Inbox and each feed, with unread counts), Saved searches
(with what is new in each), Dossiers, Topics, Regions, Sources and Trash, each with a count.

`read_sidebar` (a plain function, run on a worker) reads everything the tree shows;
`SidebarModel.populate` turns it into items. Selecting a node emits the `ClippingFilter` it
stands for; a region includes its sub-regions and the members of a grouping (the archive
does that). Clippings dropped on a dossier, a topic, a region or the trash are added, tagged
or trashed; files dropped here are imported like anywhere else.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.core.monitor import FeedView, Monitor, SavedSearchStatus
from clipper.core.views import ClippingFilter, DossierView, SourceCount, TagNode
from clipper.ui.clipping_model import ids_from_mime
from clipper.ui.icons import icon
from clipper.ui.text import clippings, plain_tooltip
from clipper.ui.theme import theme_for

log = logging.getLogger(__name__)

NODE_ROLE = Qt.ItemDataRole.UserRole + 1  # a NodeKey
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2  # int, or None for section headers
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 3  # a dossier's description, as typed


@dataclass(frozen=True)
class NodeKey:
    """What a sidebar node stands for: kind is library, trash, dossier, topic, region,
    source, inbox, feed, saved or section; value is the id or name (None for library, trash,
    the inbox and sections). A saved search's node carries its facets."""

    kind: str
    value: int | str | None = None
    facets: ClippingFilter | None = None

    def clipping_filter(self) -> ClippingFilter | None:
        if self.kind == "library":
            return ClippingFilter()
        if self.kind == "trash":
            return ClippingFilter(in_trash=True)
        if self.kind == "dossier" and isinstance(self.value, int):
            return ClippingFilter(dossier_id=self.value)
        if self.kind in ("topic", "region") and isinstance(self.value, int):
            return ClippingFilter(tag_ids=(self.value,))
        if self.kind == "source" and isinstance(self.value, str):
            return ClippingFilter(source=self.value)
        if self.kind == "saved":
            return self.facets or ClippingFilter()
        return None


LIBRARY = NodeKey("library")
TRASH = NodeKey("trash")
INBOX = NodeKey("inbox")


@dataclass(frozen=True)
class SidebarData:
    library: int
    trash: int
    dossiers: list[DossierView]
    topics: list[TagNode]
    regions: list[TagNode]
    sources: list[SourceCount]
    # What each dossier lists: its members out of the trash.
    dossier_counts: dict[int, int] = field(default_factory=dict)
    feeds: list[FeedView] = field(default_factory=list)
    # Waiting items per feed, and in the whole inbox (watch folders' too).
    unread: dict[int, int] = field(default_factory=dict)
    inbox_new: int = 0


def read_sidebar(archive: Archive) -> SidebarData:
    """Everything the sidebar shows, read in one go (on a worker)."""
    dossiers = archive.dossiers()
    monitor = Monitor(archive)
    counts = monitor.inbox_counts()
    return SidebarData(
        library=archive.count(),
        trash=archive.count(ClippingFilter(in_trash=True)),
        dossiers=dossiers,
        topics=archive.tag_tree("topic"),
        regions=archive.tag_tree("region"),
        sources=archive.sources(),
        dossier_counts={d.id: archive.count(ClippingFilter(dossier_id=d.id)) for d in dossiers},
        feeds=monitor.feeds(),
        unread={c.feed_id: c.new for c in counts if c.feed_id is not None},
        inbox_new=sum(c.new for c in counts),
    )


def saved_key(status: SavedSearchStatus) -> NodeKey:
    return NodeKey("saved", status.search.name, status.search.facets)


def feed_tooltip(feed: FeedView) -> str:
    """A feed's address, and why its last poll failed when it did (the editor sees it here
    and in the inbox, never in a modal dialog)."""
    lines = [feed.url]
    if feed.rule:
        lines.append(f"Rule: {feed.rule}")
    if feed.last_error:
        lines.append(f"Last poll failed: {feed.last_error}")
    return "\n".join(lines)


def _item(
    text: str, key: NodeKey, count: int | None, icon_name: str | None = None
) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(key, NODE_ROLE)
    item.setData(count, COUNT_ROLE)
    item.setDropEnabled(key.kind in ("dossier", "topic", "region", "trash", "library"))
    item.setDragEnabled(False)
    if icon_name:
        item.setIcon(icon(icon_name))
    return item


def _fixed_item(text: str, key: NodeKey) -> QStandardItem:
    """A row that only labels: it cannot be selected, edited, dragged or dropped on."""
    item = QStandardItem(text)
    item.setEditable(False)
    item.setSelectable(False)
    item.setDropEnabled(False)
    item.setDragEnabled(False)
    item.setData(key, NODE_ROLE)
    item.setData(None, COUNT_ROLE)
    return item


def _section(text: str, name: str) -> QStandardItem:
    item = _fixed_item(text.upper(), NodeKey("section", name))
    font = QFont(QApplication.font())
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 0.85)
    item.setFont(font)
    return item


def _hint(text: str) -> QStandardItem:
    """A quiet line in an empty section saying how to fill it."""
    item = _fixed_item(text, NodeKey("hint", text))
    font = QFont(QApplication.font())
    font.setItalic(True)
    item.setFont(font)
    return item


class SidebarModel(QStandardItemModel):
    """The sidebar's tree, rebuilt from a `SidebarData`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_read: SidebarData | None = None
        # Saved searches with their new counts, read apart (they need the search index).
        self.saved: list[SavedSearchStatus] = []
        # The first item standing for each node, so finding one never walks the tree.
        self._first_item: dict[NodeKey, QStandardItem] = {}

    def populate(self, data: SidebarData) -> None:
        self.data_read = data
        self.clear()
        self._first_item = {}
        root = self.invisibleRootItem()
        root.appendRow(_item("Library", LIBRARY, data.library, "library"))
        root.appendRow(self._feeds_section(data))
        root.appendRow(self._saved_section())

        dossiers = _section("Dossiers", "dossiers")
        if not data.dossiers:
            dossiers.appendRow(_hint("None yet: Ctrl+Shift+N"))
        for dossier in data.dossiers:
            count = data.dossier_counts.get(dossier.id, len(dossier.clipping_ids))
            node = _item(dossier.name, NodeKey("dossier", dossier.id), count, "dossier")
            if dossier.description:
                node.setToolTip(plain_tooltip(dossier.description))
                node.setData(dossier.description, DESCRIPTION_ROLE)
            dossiers.appendRow(node)
        root.appendRow(dossiers)

        topics = _section("Topics", "topics")
        self._add_tree(topics, data.topics, "topic", hide_empty=False)
        if not topics.hasChildren():
            topics.appendRow(_hint("Tag a clipping to start"))
        root.appendRow(topics)

        regions = _section("Regions", "regions")
        self._add_tree(regions, data.regions, "region", hide_empty=True)
        root.appendRow(regions)

        sources = _section("Sources", "sources")
        for source in data.sources:
            sources.appendRow(
                _item(source.name, NodeKey("source", source.name), source.count, "source")
            )
        root.appendRow(sources)

        root.appendRow(_item("Trash", TRASH, data.trash, "trash"))
        for item in self.items():
            key = item.data(NODE_ROLE)
            if key is not None and key.kind not in ("topic", "region"):
                self._first_item.setdefault(key, item)

    def _feeds_section(self, data: SidebarData) -> QStandardItem:
        feeds = _section("Feeds", "feeds")
        feeds.appendRow(_item("Inbox", INBOX, data.inbox_new, "inbox"))
        for feed in data.feeds:
            node = _item(feed.name, NodeKey("feed", feed.id), data.unread.get(feed.id, 0))
            node.setIcon(icon("warning" if feed.last_error else "feed"))
            node.setToolTip(plain_tooltip(feed_tooltip(feed)))
            feeds.appendRow(node)
        if not data.feeds:
            feeds.appendRow(_hint("Follow a feed: drop its address"))
        return feeds

    def _saved_section(self) -> QStandardItem:
        section = _section("Saved searches", "saved")
        for status in self.saved:
            node = _item(status.search.name, saved_key(status), status.new, "saved")
            node.setToolTip(plain_tooltip(status.search.query or status.search.name))
            section.appendRow(node)
        if not self.saved:
            section.appendRow(_hint("Save a search: Ctrl+Shift+S"))
        return section

    def _add_tree(
        self, section: QStandardItem, nodes: list[TagNode], kind: str, hide_empty: bool
    ) -> None:
        """The tree by parent, then each grouping (Sahel, AES...) with its members under it.

        Walked with a stack, not by recursion: a tree may be thousands of levels deep."""
        shown = [n for n in nodes if n.total > 0 or not hide_empty]
        children: dict[int | None, list[TagNode]] = defaultdict(list)
        members: dict[int, list[TagNode]] = defaultdict(list)
        for node in shown:
            children[node.parent_id].append(node)
            for group_id in node.group_ids:
                members[group_id].append(node)
        groupings = [n for n in shown if n.id in members]

        def by_name(nodes: list[TagNode]) -> list[TagNode]:
            return sorted(nodes, key=lambda n: n.name.casefold())

        def add(parent: QStandardItem, top: TagNode) -> QStandardItem:
            """`top` and everything under it; a node already on its own path is not added
            again (a grouping may list one of its ancestors)."""
            first = self._tag_item(top, kind)
            parent.appendRow(first)
            # (item, node, the ids on the path from `top` to node)
            stack = [(first, top, frozenset({top.id}))]
            while stack:
                item, node, path = stack.pop()
                below = by_name(children.get(node.id, []) + members.get(node.id, []))
                pending = []
                for child in below:
                    if child.id in path:
                        continue
                    child_item = self._tag_item(child, kind)
                    item.appendRow(child_item)
                    pending.append((child_item, child, path | {child.id}))
                stack.extend(reversed(pending))
            return first

        grouping_ids = {g.id for g in groupings}
        for node in by_name(children.get(None, [])):
            if node.id not in grouping_ids:
                add(section, node)
        for node in by_name(groupings):
            add(section, node).setIcon(icon("grouping" if kind == "region" else kind))

    def _tag_item(self, node: TagNode, kind: str) -> QStandardItem:
        key = NodeKey(kind, node.id)
        item = _item(node.name, key, node.total, kind)
        if node.code:
            item.setToolTip(plain_tooltip(f"{node.name} ({node.code}): {clippings(node.total)}"))
        self._first_item.setdefault(key, item)
        return item

    def index_of(self, key: NodeKey) -> QModelIndex:
        """The first node standing for `key` (a country may show under a grouping too)."""
        item = self._first_item.get(key)
        return item.index() if item is not None else QModelIndex()

    def items(self) -> Iterator[QStandardItem]:
        """Every item of the tree, parents before children, without recursion."""
        stack = [self.invisibleRootItem()]
        while stack:
            item = stack.pop()
            if item is not self.invisibleRootItem():
                yield item
            stack.extend(item.child(row) for row in reversed(range(item.rowCount())))


class CountDelegate(QStyledItemDelegate):
    """Paints each node's count, right-aligned and quiet, after its name."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        count = index.data(COUNT_ROLE)
        if count is None:
            # Section headings and hints: quiet text, from the theme (still readable).
            quiet = QStyleOptionViewItem(option)
            quiet.palette.setColor(
                QPalette.ColorRole.Text, theme_for(option.palette).muted_on_window
            )
            super().paint(painter, quiet, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Background, selection and icon over the whole row; then the name and the count.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        count_text = str(count)
        metrics = opt.fontMetrics
        count_width = metrics.horizontalAdvance(count_text) + 10
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setFont(opt.font)
        name_rect = text_rect.adjusted(2, 0, -count_width, 0)
        # Selected nodes get a soft tint of the accent (the style sheet): the text keeps the
        # palette's text colour; counts and disabled hints are the theme's quiet text.
        theme = theme_for(opt.palette)
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        painter.setPen(theme.window_text if enabled else theme.muted_on_window)
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided
        )
        painter.setPen(theme.window_text if selected else theme.muted_on_window)
        count_rect = QRect(
            text_rect.right() - count_width, text_rect.top(), count_width - 4, text_rect.height()
        )
        painter.drawText(
            count_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count_text
        )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 40, max(hint.height(), 24))


class SidebarView(QTreeView):
    """The sidebar tree; drops of clippings and of things to import are handed on.

    Signals:
        node_selected(NodeKey): the editor picked a node.
        clippings_dropped(NodeKey, list): clipping ids dropped on a node.
        import_dropped(object): a QMimeData from outside, to import.
    """

    node_selected = Signal(object)
    clippings_dropped = Signal(object, list)
    import_dropped = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.sidebar_model = SidebarModel(self)
        self.setModel(self.sidebar_model)
        self.setHeaderHidden(True)
        self.setItemDelegate(CountDelegate(self))
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        self.setIndentation(14)
        self.setMinimumWidth(190)
        self._expanded: set[NodeKey] = {
            NodeKey("section", s)
            for s in ("feeds", "saved", "dossiers", "topics", "regions", "sources")
        }
        self._current: NodeKey = LIBRARY
        self._restoring = False
        self.expanded.connect(lambda index: self._expanded.add(index.data(NODE_ROLE)))
        self.collapsed.connect(lambda index: self._expanded.discard(index.data(NODE_ROLE)))

    @property
    def current_key(self) -> NodeKey:
        return self._current

    def populate(self, data: SidebarData) -> None:
        """Rebuild from fresh data, keeping what was expanded and selected."""
        self._restoring = True
        try:
            self.sidebar_model.populate(data)
            self._restore_expanded()
            index = self.sidebar_model.index_of(self._current)
            if not index.isValid():
                index = self.sidebar_model.index_of(LIBRARY)
            self.selectionModel().currentChanged.connect(
                self._on_current_changed, Qt.ConnectionType.UniqueConnection
            )
            self.setCurrentIndex(index)
        finally:
            self._restoring = False
        key = index.data(NODE_ROLE)
        if key != self._current:
            # What was selected is gone (a deleted dossier): fall back to the library.
            self._current = key
            self.node_selected.emit(key)

    def set_saved(self, saved: list[SavedSearchStatus]) -> None:
        """Show fresh saved searches and their new counts (read apart from the rest)."""
        self.sidebar_model.saved = list(saved)
        if self.sidebar_model.data_read is not None:
            self.populate(self.sidebar_model.data_read)

    def select(self, key: NodeKey) -> None:
        index = self.sidebar_model.index_of(key)
        if index.isValid():
            self.setCurrentIndex(index)

    def _restore_expanded(self) -> None:
        for item in self.sidebar_model.items():
            if item.hasChildren() and item.data(NODE_ROLE) in self._expanded:
                self.setExpanded(item.index(), True)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(NODE_ROLE)
        if (
            self._restoring
            or key is None
            or key.kind in ("section", "hint")
            or key == self._current
        ):
            return
        self._current = key
        self.node_selected.emit(key)

    # -- drops -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if ids_from_mime(event.mimeData()):
            key = self.indexAt(event.position().toPoint()).data(NODE_ROLE)
            if key is None or key.kind not in ("dossier", "topic", "region", "trash"):
                event.ignore()
                return
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        ids = ids_from_mime(event.mimeData())
        if ids:
            key = self.indexAt(event.position().toPoint()).data(NODE_ROLE)
            if key is None or key.kind not in ("dossier", "topic", "region", "trash"):
                event.ignore()
                return
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.clippings_dropped.emit(key, ids)
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_dropped.emit(event.mimeData())


SidebarReader = Callable[[Archive], SidebarData]
