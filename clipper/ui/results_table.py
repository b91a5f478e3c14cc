"""The table of clippings in the results pane: `ClippingTableView` (its drops: files to
import, a clipping on another to link them, rows moved within a dossier) and the delegate
that paints a search snippet with its matched words in bold.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPalette,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from clipper.ui.clipping_model import ClippingTableModel, Column, Role, ids_from_mime

# The title is what an editor reads a list by: it keeps this much room, the other columns
# narrow down to their minimum first, and then the least needed of them step aside.
TITLE_MIN_WIDTH = 240
COLUMN_MIN_WIDTH = 40
# Below these a column says nothing ("2023-…"): it steps aside instead.
LEAST_WIDTHS = {
    Column.SOURCE: 80,
    Column.DATE: 84,
    Column.REGIONS: 72,
    Column.TOPICS: 72,
    Column.SNIPPET: 120,
}
PREFERRED_WIDTHS = {
    Column.TITLE: 300,
    Column.SOURCE: 110,
    Column.DATE: 88,
    Column.REGIONS: 110,
    Column.TOPICS: 110,
    Column.SNIPPET: 240,
}
# Which columns give way first when the list is narrow (the title never does).
GIVE_WAY_ORDER = (Column.TOPICS, Column.REGIONS, Column.SOURCE, Column.DATE, Column.SNIPPET)


class SnippetDelegate(QStyledItemDelegate):
    """Paints a search snippet with its matched words in bold, on one line."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        snippet = index.data(Role.SNIPPET_HTML)
        if not snippet:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        document = QTextDocument()
        document.setDefaultFont(opt.font)
        document.setDocumentMargin(0)
        document.setHtml(f'<span style="color:{colour.name()}">{around_match(snippet)}</span>')
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        painter.save()
        painter.setClipRect(rect)
        top = rect.top() + max(0, (rect.height() - document.size().height()) / 2)
        painter.translate(rect.left() + 2, top)
        document.drawContents(painter)
        painter.restore()


class ClippingTableView(QTableView):
    """The table; handles drops: files to import, a clipping on another to link them, and
    clippings moved within a dossier to reorder it.

    Signals:
        import_dropped(object): QMimeData from outside the app.
        link_dropped(int, int): a clipping dropped on another one.
        reorder_dropped(list, int): clipping ids dropped at a row of a dossier.
        open_requested(): Enter on the current row.
    """

    import_dropped = Signal(object)
    link_dropped = Signal(int, int)
    reorder_dropped = Signal(list, int)
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clippingTable")
        self.reordering = False
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSortingEnabled(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicatorClearable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setItemDelegateForColumn(Column.SNIPPET, SnippetDelegate(self))
        # Tab and Shift+Tab move to the next control; the arrows move within the list.
        self.setTabKeyNavigation(False)
        self.searching = False
        # The widths the editor wants (by dragging a header edge), and the columns that
        # stepped aside because the list is too narrow for them.
        self.wanted_widths = dict(PREFERRED_WIDTHS)
        self.squeezed: set[Column] = set()
        self._fitting = False

    def size_columns(self) -> None:
        """Column widths and resize modes; once a model is set (they apply to its columns)."""
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The title takes whatever width the other columns leave: no sideways scrolling.
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(COLUMN_MIN_WIDTH)
        for column, width in PREFERRED_WIDTHS.items():
            self.setColumnWidth(column, width)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionResized.connect(self._on_section_resized)
        self.show_search_columns(False)

    def remember_widths(self) -> None:
        """Take the current widths as the editor's (after a saved header state is restored)."""
        for column in Column:
            if column != Column.TITLE and not self.isColumnHidden(column):
                self.wanted_widths[column] = max(COLUMN_MIN_WIDTH, self.columnWidth(column))
        self.fit_columns()

    def show_search_columns(self, searching: bool) -> None:
        """A search shows where each clipping matched in place of its regions and topics
        (those are in the facet chips above)."""
        self.searching = searching
        self.fit_columns()

    def _mode_columns(self) -> list[Column]:
        """The columns this kind of list shows when there is room for all of them."""
        hidden = {Column.REGIONS, Column.TOPICS} if self.searching else {Column.SNIPPET}
        return [column for column in Column if column not in hidden]

    def fit_columns(self) -> None:
        """Give the title at least TITLE_MIN_WIDTH: narrow the other columns toward their
        minimum, then let them step aside in GIVE_WAY_ORDER; they come back with room."""
        if self.model() is None:
            return
        others = [c for c in self._mode_columns() if c != Column.TITLE]
        # The width a vertical scroll bar would leave: whether one shows changes the
        # viewport, not the table, and must not push the title under its minimum.
        usable = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        room = usable - TITLE_MIN_WIDTH
        squeezed: set[Column] = set()
        for column in GIVE_WAY_ORDER:
            staying = [c for c in others if c not in squeezed]
            if not staying or sum(LEAST_WIDTHS[c] for c in staying) <= room:
                break
            if column in others:
                squeezed.add(column)
        shown = [c for c in others if c not in squeezed]
        wanted = sum(self.wanted_widths[c] for c in shown)
        scale = 1.0 if wanted <= room or wanted == 0 else max(0.0, room) / wanted
        self._fitting = True
        try:
            for column in Column:
                hide = column not in self._mode_columns() or column in squeezed
                if self.isColumnHidden(column) != hide:
                    self.setColumnHidden(column, hide)
            for column in shown:
                least = min(LEAST_WIDTHS[column], self.wanted_widths[column])
                width = max(least, int(self.wanted_widths[column] * scale))
                if self.columnWidth(column) != width:
                    self.setColumnWidth(column, width)
        finally:
            self._fitting = False
        self.squeezed = squeezed

    def _on_section_resized(self, section: int, _old: int, new: int) -> None:
        if self._fitting or section == Column.TITLE or new <= 0:
            return
        self.wanted_widths[Column(section)] = max(COLUMN_MIN_WIDTH, new)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.open_requested.emit()
            return
        super().keyPressEvent(event)

    def select_ids(self, ids: Sequence[int], current: int | None = None) -> None:
        """Select the rows of these clippings (those listed), `current` (or the first) the
        current row, scrolled to."""
        model = self.model()
        assert isinstance(model, ClippingTableModel)
        selection = QItemSelection()
        for clipping_id in ids:
            row = model.row_of(clipping_id)
            if row is not None:
                selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selection_model = self.selectionModel()
        selection_model.select(selection, flags)
        target = current if current is not None else (ids[0] if ids else None)
        row = model.row_of(target) if target is not None else None
        if row is not None:
            selection_model.setCurrentIndex(
                model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
            self.scrollTo(model.index(row, 0))

    def _target_id(self, event: QDropEvent | QDragMoveEvent) -> int | None:
        index = self.indexAt(event.position().toPoint())
        return index.data(Role.CLIPPING_ID) if index.isValid() else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        ids = ids_from_mime(event.mimeData())
        if ids and not self.reordering:
            target = self._target_id(event)
            if target is None or len(ids) != 1 or target in ids:
                event.ignore()
                return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        ids = ids_from_mime(event.mimeData())
        if not ids:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.import_dropped.emit(event.mimeData())
            return
        if self.reordering:
            index = self.indexAt(event.position().toPoint())
            row = index.row() if index.isValid() else self.model().rowCount()
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.reorder_dropped.emit(ids, row)
            return
        target = self._target_id(event)
        if target is None or len(ids) != 1 or target in ids:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.link_dropped.emit(ids[0], target)


def around_match(snippet_html: str, before: int = 16) -> str:
    """A one-line cell shows the start of a snippet: start it just before the first match.
    The text ahead of the first <b> is escaped plain text, so cutting it at a space is safe."""
    first = snippet_html.find("<b>")
    if first <= before:
        return snippet_html
    space = snippet_html.find(" ", first - before, first)
    start = space + 1 if space != -1 else first
    return "…" + snippet_html[start:]
