"""The table of clippings: a model that holds ids and loads rows lazily, a page at a time.

Anki's browser habit: the model knows the ordered ids (or, for a search, how many hits there
are and the ids of the pages fetched so far) and asks the archive for the rows it is asked to
show, `PAGE_SIZE` at a time, keeping a bounded cache. So 100,000 clippings scroll smoothly:
only what is on screen is ever read.
"""

from __future__ import annotations

import html as html_module
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from clipper.core.views import ClippingSummary
from clipper.ui.text import plain_tooltip

log = logging.getLogger(__name__)

PAGE_SIZE = 100
CACHE_ROWS = 5_000
CLIPPING_IDS_MIME = "application/x-clipper-clipping-ids"

ModelIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    TITLE = 0
    SOURCE = 1
    DATE = 2
    REGIONS = 3
    TOPICS = 4
    SNIPPET = 5


COLUMN_TITLES = {
    Column.TITLE: "Title",
    Column.SOURCE: "Source",
    Column.DATE: "Date",
    Column.REGIONS: "Regions",
    Column.TOPICS: "Topics",
    Column.SNIPPET: "Matches",
}

# The archive's sort keys for the columns it can sort by (the others sort nothing).
SORT_KEYS = {
    Column.TITLE: "title",
    Column.SOURCE: "source",
    Column.DATE: "published",
    Column.REGIONS: "regions",
    Column.TOPICS: "topics",
}


class Role(IntEnum):
    CLIPPING_ID = Qt.ItemDataRole.UserRole + 1
    SUMMARY = Qt.ItemDataRole.UserRole + 2
    SNIPPET_HTML = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class SearchPage:
    """One page of search hits: ids in rank order and their highlighted snippets."""

    total: int
    ids: tuple[int, ...]
    snippets: dict[int, str]


# Roles this model never answers: multiData clears them without another lookup.
QUIET_ROLES = frozenset(
    {
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.TextAlignmentRole,
    }
)

RowLoader = Callable[[Sequence[int]], list[ClippingSummary]]
# Asks for a page of search hits (1-based) and hands it to the callback when it is read,
# usually later, from a worker: the GUI thread never waits for a search.
SearchPageLoader = Callable[[int, Callable[[SearchPage], None]], None]


def format_date(summary: ClippingSummary) -> str:
    published = summary.published
    if published is None:
        return ""
    if summary.published_precision == "year":
        return f"{published.year}"
    if summary.published_precision == "month":
        return published.strftime("%b %Y")
    return published.isoformat()


def ids_to_mime(ids: Sequence[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(CLIPPING_IDS_MIME, ",".join(str(i) for i in ids).encode("ascii"))
    mime.setText("\n".join(f"clipping #{i}" for i in ids))
    return mime


def ids_from_mime(mime: QMimeData) -> list[int]:
    """Clipping ids dragged from inside the app (empty for anything else)."""
    if not mime.hasFormat(CLIPPING_IDS_MIME):
        return []
    raw = bytes(mime.data(CLIPPING_IDS_MIME).data()).decode("ascii", "replace")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


class ClippingTableModel(QAbstractTableModel):
    """Clippings by id, in the archive's order, with rows read on demand.

    Signals:
        title_edited(int, str): the user edited a title in place (F2); the window runs it.
    """

    title_edited = Signal(int, str)

    def __init__(self, load_rows: RowLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load_rows = load_rows
        self._ids: list[int | None] = []
        self._row_of: dict[int, int] | None = None
        self._cache: OrderedDict[int, ClippingSummary] = OrderedDict()
        self._snippets: dict[int, str] = {}
        self._search_page: SearchPageLoader | None = None
        self._search_page_size = PAGE_SIZE
        # Pages of the current search already asked for, and what identifies that search,
        # so a page arriving after the list changed is dropped.
        self._pages_asked: set[int] = set()
        self._search_token = object()
        self._pending_titles: dict[int, str] = {}
        self.reorderable = False
        # The quiet colour of the columns after the title; the pane sets it from the theme.
        self.secondary_text = QBrush()

    # -- what the model shows ----------------------------------------------------------------

    def set_ids(self, ids: Sequence[int], snippets: dict[int, str] | None = None) -> None:
        """Show these clippings in this order (a listing, or search hits sorted by a column)."""
        self.beginResetModel()
        self._search_page = None
        self._search_token = object()
        self._ids = list(ids)
        self._snippets = dict(snippets or {})
        self._forget_rows()
        self.endResetModel()

    def set_search(self, first: SearchPage, load_page: SearchPageLoader, page_size: int) -> None:
        """Show search hits: the first page is known, later ones load as they scroll in."""
        self.beginResetModel()
        self._search_page = load_page
        self._search_page_size = page_size
        self._search_token = object()
        self._pages_asked = {1}
        self._ids = [None] * first.total
        self._ids[: len(first.ids)] = list(first.ids)
        self._snippets = dict(first.snippets)
        self._forget_rows()
        self.endResetModel()

    @property
    def searching(self) -> bool:
        return self._search_page is not None

    def known_ids(self) -> list[int]:
        return [i for i in self._ids if i is not None]

    def all_ids_known(self) -> bool:
        return all(i is not None for i in self._ids)

    def id_at(self, row: int) -> int | None:
        if not 0 <= row < len(self._ids):
            return None
        if self._ids[row] is None:
            self._fetch_search_page(row)
        return self._ids[row]

    def row_of(self, clipping_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: row for row, cid in enumerate(self._ids) if cid is not None}
        return self._row_of.get(clipping_id)

    def summary(self, row: int) -> ClippingSummary | None:
        clipping_id = self.id_at(row)
        if clipping_id is None:
            return None
        if clipping_id not in self._cache:
            self._fetch_rows(row)
        summary = self._cache.get(clipping_id)
        if summary is not None:
            self._cache.move_to_end(clipping_id)
        return summary

    def prime(self, summaries: Sequence[ClippingSummary]) -> None:
        """Rows read ahead on a worker, so painting them needs no query."""
        for summary in summaries:
            if summary.id not in self._cache:
                self._cache[summary.id] = summary
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    # -- refreshing from what an operation changed -------------------------------------------

    def forget(self, clipping_ids: Iterable[int]) -> None:
        """Drop cached rows of changed clippings and repaint their rows."""
        for clipping_id in clipping_ids:
            self._cache.pop(clipping_id, None)
            self._pending_titles.pop(clipping_id, None)
            row = self.row_of(clipping_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def update_ids(self, new_ids: Sequence[int]) -> None:
        """Move to a new listing of the same query with row inserts and removals, so the
        selection, current row and scroll position survive; a reordering resets."""
        old = self._ids
        new = list(new_ids)
        if self.searching or any(i is None for i in old):
            self.set_ids(new)
            return
        new_set, old_set = set(new), set(old)
        if [i for i in old if i in new_set] != [i for i in new if i in old_set]:
            self.set_ids(new)
            return
        row = len(old) - 1
        while row >= 0:
            if old[row] in new_set:
                row -= 1
                continue
            end = row
            while row >= 0 and old[row] not in new_set:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row + 1, end)
            del self._ids[row + 1 : end + 1]
            self._row_of = None
            self.endRemoveRows()
        row = 0
        while row < len(new):
            if new[row] in old_set:
                row += 1
                continue
            start = row
            while row < len(new) and new[row] not in old_set:
                row += 1
            self.beginInsertRows(QModelIndex(), start, row - 1)
            self._ids[start:start] = new[start:row]
            self._row_of = None
            self.endInsertRows()

    # -- loading -----------------------------------------------------------------------------

    def _forget_rows(self) -> None:
        self._row_of = None
        self._cache.clear()
        self._pending_titles.clear()

    def _fetch_rows(self, row: int) -> None:
        start = row - row % PAGE_SIZE
        page = [i for i in self._ids[start : start + PAGE_SIZE] if i is not None]
        missing = [i for i in page if i not in self._cache]
        for summary in self._load_rows(missing):
            self._cache[summary.id] = summary
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def _fetch_search_page(self, row: int) -> None:
        """Ask for the page of hits that holds `row`; its rows show "…" until it comes."""
        if self._search_page is None:
            return
        page_number = row // self._search_page_size + 1
        if page_number in self._pages_asked:
            return
        self._pages_asked.add(page_number)
        token = self._search_token
        self._search_page(
            page_number, lambda page: self._fill_search_page(token, page_number, page)
        )

    def _fill_search_page(self, token: object, page_number: int, page: SearchPage) -> None:
        if token is not self._search_token:
            return  # the list shows something else by now
        start = (page_number - 1) * self._search_page_size
        end = min(start + len(page.ids), len(self._ids))
        self._ids[start:end] = page.ids[: end - start]
        self._snippets.update(page.snippets)
        self._row_of = None
        if end > start:
            self.dataChanged.emit(self.index(start, 0), self.index(end - 1, len(Column) - 1))

    # -- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return COLUMN_TITLES[Column(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() == Column.TITLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        column = Column(index.column())
        if role == Role.CLIPPING_ID:
            return self.id_at(index.row())
        summary = self.summary(index.row())
        if summary is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and column == Column.TITLE else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(summary, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (Column.TITLE, Column.SNIPPET):
            return plain_tooltip(summary.title)
        if role == Role.SUMMARY:
            return summary
        if role == Role.SNIPPET_HTML:
            return self._snippets.get(summary.id, "")
        if role == Qt.ItemDataRole.ForegroundRole and column != Column.TITLE:
            return self.secondary_text
        if role == Qt.ItemDataRole.FontRole and column == Column.TITLE and summary.trashed:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None

    def multiData(self, index: ModelIndex, roles: QModelRoleDataSpan | QModelRoleData) -> None:
        """Every role a cell is painted with, in one call. Painting asks for about seven roles
        per cell; answering them together means one trip into Python per cell, which keeps
        the GUI thread from queueing for the interpreter lock while workers are busy."""
        summary = self.summary(index.row()) if index.isValid() else None
        # Qt hands over a span, which PySide6 iterates as its QModelRoleData; the stubs
        # declare no __iter__ for it.
        for role_data in cast(Iterable[QModelRoleData], roles):
            role = role_data.role()
            if summary is None:
                role_data.setData(self.data(index, role))
            elif role == Qt.ItemDataRole.DisplayRole:
                role_data.setData(self._text(summary, Column(index.column())))
            elif role in QUIET_ROLES:
                role_data.clearData()
            else:
                role_data.setData(self.data(index, role))

    def setData(
        self, index: ModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if (
            not index.isValid()
            or index.column() != Column.TITLE
            or role != Qt.ItemDataRole.EditRole
        ):
            return False
        clipping_id = self.id_at(index.row())
        title = " ".join(str(value).split())
        summary = self.summary(index.row())
        if clipping_id is None or not title or (summary is not None and summary.title == title):
            return False
        # Shown at once; the archive's answer replaces it when the operation is done.
        self._pending_titles[clipping_id] = title
        self.dataChanged.emit(index, index)
        self.title_edited.emit(clipping_id, title)
        return True

    def _text(self, summary: ClippingSummary, column: Column) -> str:
        if column == Column.TITLE:
            return self._pending_titles.get(summary.id, summary.title)
        if column == Column.SOURCE:
            return summary.source or ""
        if column == Column.DATE:
            return format_date(summary)
        if column == Column.REGIONS:
            return ", ".join(summary.regions)
        if column == Column.TOPICS:
            return ", ".join(summary.topics)
        return plain_snippet(self._snippets.get(summary.id, ""))

    # -- drag and drop -----------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [CLIPPING_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({index.row() for index in indexes if index.isValid()})
        ids = [cid for cid in (self.id_at(row) for row in rows) if cid is not None]
        return ids_to_mime(ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction


def plain_snippet(html: str) -> str:
    """A highlighted snippet as plain text (for the display role and copying)."""
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()
