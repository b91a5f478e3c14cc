"""The centre of the window, `ResultsPane`: the search field, facet chips and the table.

Typing searches after a short pause (the query language of the archive core); a malformed
query gets an inline message, and "did you mean" is offered when the index suggests it.
Without a query the table lists what the sidebar selected. Listing and searching run on
the read worker; the table model then loads only the rows on screen. The table view lives
in `results_table`, the facet chips in `facets`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import Archive
from clipper.core.finding import Ranked
from clipper.core.search import Hit, QuerySyntaxError, SearchResults
from clipper.core.views import ClippingFilter, ClippingSummary, OpChanges
from clipper.ui.clipping_model import (
    PAGE_SIZE,
    SORT_KEYS,
    ClippingTableModel,
    Column,
    SearchPage,
)
from clipper.ui.facets import FacetBar, compose_query
from clipper.ui.icons import icon
from clipper.ui.results_table import ClippingTableView
from clipper.ui.sidebar import LIBRARY, NodeKey
from clipper.ui.tasks import TaskRunner
from clipper.ui.text import match_case
from clipper.ui.theme import theme_for
from clipper.ui.widgets import Chip, EmptyState, plain_label

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
REFRESH_DELAY_MS = 150
REFRESH_IMPORTING_MS = 400
SEARCH_PAGE_SIZE = 100
PRIME_ROWS = 500


def search_page(
    archive: Archive, query: str, flt: ClippingFilter, page: int, page_size: int
) -> tuple[SearchPage, SearchResults]:
    """One page of a search as the table model wants it, and the raw results (facets...)."""
    results = archive.search(query, flt, page=page, page_size=page_size)
    hits = list(results.hits)
    return (
        SearchPage(
            total=results.total,
            ids=tuple(hit.id for hit in hits),
            snippets={hit.id: _snippet_html(hit) for hit in hits},
        ),
        results,
    )


def sorted_hits_page(
    archive: Archive, query: str, ordered: Ranked, page: int, page_size: int
) -> SearchPage:
    """One page of sorted hits, with the query's snippets for that page only."""
    shown = ordered[(page - 1) * page_size : page * page_size]
    hits = archive.hits_for(query, shown)
    return SearchPage(
        total=len(ordered),
        ids=tuple(cid for cid, _score in shown),
        snippets={hit.id: _snippet_html(hit) for hit in hits},
    )


class ResultsPane(QWidget):
    """Search field, messages, facet chips and the clipping table.

    Signals:
        selection_changed(list): the selected clipping ids, in table order.
        load_samples_requested(): the empty archive's "Load sample clippings" button.
        status(str): a short message for the status bar.
        shown(str): the list now shows this search's hits ("": a listing, or no results
            of a query it could not read).
    """

    selection_changed = Signal(list)
    load_samples_requested = Signal()
    status = Signal(str)
    shown = Signal(str)

    def __init__(self, archive: Archive, reads: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results")
        self.archive = archive
        self.reads = reads
        self.node: NodeKey = LIBRARY
        self.node_title = "Library"
        self.sort_column: Column | None = None
        self.sort_descending = True
        self.query_error: str | None = None
        self.suggestion: str | None = None
        self.last_results: SearchResults | None = None
        # Every hit in the order shown, when the hits are sorted by a column.
        self.sorted_hits: Ranked | None = None
        # False while the window opens (perhaps rebuilds) the search index: a search then
        # waits here, so that the reader thread stays free for listings and articles.
        self.index_ready = True
        self.archive_empty = False
        self.importing = False
        self._generation = 0
        # Whether a listing or search was asked for yet: until then (the window restoring its
        # columns' state as it opens), a change of the sort indicator only sets the order.
        self._listed = False
        self._restoring = False
        self._pending_select: int | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 0)
        layout.setSpacing(6)

        self.search_field = QLineEdit()
        self.search_field.setObjectName("searchField")
        self.search_field.setPlaceholderText(
            'Search  —  words, "phrases", topic:, region:, source:, date:2023-12   (Ctrl+F)'
        )
        self.search_field.setClearButtonEnabled(True)
        self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        layout.addWidget(self.search_field)

        self.message = QLabel()
        self.message.setObjectName("searchMessage")
        self.message.setWordWrap(True)
        self.message.linkActivated.connect(self._on_message_link)
        self.message.hide()
        layout.addWidget(self.message)

        self.facet_bar = FacetBar()
        self.facet_bar.changed.connect(self.refresh)
        layout.addWidget(self.facet_bar)

        heading = QHBoxLayout()
        self.heading = plain_label(name="listHeading")
        heading.addWidget(self.heading)
        heading.addStretch(1)
        self.count_label = plain_label(name="listCount")
        heading.addWidget(self.count_label)
        layout.addLayout(heading)
        self.description = plain_label(name="listDescription", wrap=True)
        self.description.hide()
        layout.addWidget(self.description)

        self.model = ClippingTableModel(archive.summaries, self)
        self.model.secondary_text = QBrush(theme_for(QApplication.palette()).muted)
        self.table = ClippingTableView()
        self.table.setModel(self.model)
        self.table.size_columns()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.empty = EmptyState()
        self.empty.setAcceptDrops(False)
        self.empty.action_clicked.connect(self.load_samples_requested)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh_after_change)
        self._changed_ids: set[int] = set()
        self.search_field.textEdited.connect(self._on_text_edited)
        self.search_field.returnPressed.connect(self._search_now)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_changed)
        self.model.modelReset.connect(self._update_empty_state)
        self.model.rowsInserted.connect(self._update_empty_state)
        self.model.rowsRemoved.connect(self._update_empty_state)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.model.secondary_text = QBrush(theme_for(QApplication.palette()).muted)

    # -- what to show ------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return compose_query(self.search_field.text(), self.facet_bar.active)

    def show_node(self, node: NodeKey, title: str, description: str = "") -> None:
        self.node = node
        self.node_title = title
        self.facet_bar.clear_active()
        self.description.setText(description)
        self.description.setVisible(bool(description))
        self.table.reordering = node.kind == "dossier"
        self.refresh()

    def set_query(self, text: str) -> None:
        self.facet_bar.clear_active()
        self.search_field.setText(text)
        self.refresh()

    def _on_text_edited(self, _text: str) -> None:
        # A facet narrowed the query it was offered for; a new query starts wide again.
        self.facet_bar.clear_active()
        self._search_timer.start()

    def select_after_refresh(self, clipping_id: int | None) -> None:
        """Select this clipping once the list next shows it (the row after a trashed one)."""
        self._pending_select = clipping_id

    def _select_pending(self) -> None:
        pending, self._pending_select = self._pending_select, None
        if pending is None or self.selected_ids():
            return
        if self.model.row_of(pending) is not None:
            self.select_ids([pending])
            self.selection_changed.emit(self.selected_ids())

    def neighbour_of(self, ids: Sequence[int]) -> int | None:
        return neighbour_of(self.model, ids)

    def selected_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [cid for cid in (self.model.id_at(row) for row in rows) if cid is not None]

    def listed_ids(self, deliver: Callable[[list[int]], None]) -> None:
        """Hand every clipping the list shows, in order, to `deliver`: at once when all are
        known, else (search hits not scrolled to yet) after reading them on a worker."""
        if self.model.all_ids_known():
            deliver(self.model.known_ids())
            return
        if self.sorted_hits is not None:
            deliver([cid for cid, _score in self.sorted_hits])
            return
        archive, query, flt = self.archive, self.query, self.filter()
        self.reads.run(
            lambda: [cid for cid, _score in archive.ranked_ids(query, flt)],
            deliver,
            lambda exc: self.status.emit(f"Could not read the list: {exc}"),
        )

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def select_ids(self, ids: Sequence[int], current: int | None = None) -> None:
        self.table.select_ids(ids, current)

    def filter(self) -> ClippingFilter:
        return self.node.clipping_filter() or ClippingFilter()

    # -- listing and searching ---------------------------------------------------------------

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.refresh()

    def refresh(self, keep_position: bool = False) -> None:
        """Run the listing or the search for the current node, query and facets."""
        self._search_timer.stop()
        self._generation += 1
        generation = self._generation
        archive = self.archive
        flt = self.filter()
        query = self.query
        if query:
            self._run_search(generation, query, flt, keep_position)
            return
        sort, descending = self._sort_key()
        shown = frozenset(self.model.known_ids()) if keep_position else frozenset()

        def work() -> tuple[list[int], bool, list[ClippingSummary]] | None:
            # A listing clicked (or a search typed) past since reads nothing more.
            if generation != self._generation:
                return None
            ids = archive.list_ids(flt, sort=sort, descending=descending)
            if generation != self._generation:
                return None
            empty = not ids and archive.count() == 0 and flt == ClippingFilter()
            # The rows most likely on screen next: the top of the list and whatever is new.
            # Read here, they need no query on the GUI thread when they are painted.
            fresh = [cid for cid in ids if cid not in shown][:PRIME_ROWS]
            return ids, empty, archive.summaries(list(dict.fromkeys(ids[:PAGE_SIZE] + fresh)))

        def done(result: tuple[list[int], bool, list[ClippingSummary]] | None) -> None:
            if result is not None:
                self._on_listing(generation, *result, keep_position=keep_position)

        self.reads.run(work, done, lambda exc: self._on_read_failed(generation, exc))
        self._listed = True

    def _sort_key(self) -> tuple[str, bool]:
        if self.sort_column is None or self.sort_column not in SORT_KEYS:
            return "published", True
        return SORT_KEYS[self.sort_column], self.sort_descending

    def set_index_ready(self, ready: bool) -> None:
        """The window says whether the search index is open; a waiting search runs now."""
        waiting = not self.index_ready
        self.index_ready = ready
        if ready and waiting and self.query:
            self.refresh()

    def _run_search(
        self, generation: int, query: str, flt: ClippingFilter, keep_position: bool
    ) -> None:
        if not self.index_ready:
            self._show_message(
                "The search index is being prepared: this search runs as soon as it is ready."
            )
            return
        archive = self.archive
        sort_column = self.sort_column if self.sort_column in SORT_KEYS else None
        sort, descending = self._sort_key()

        def work() -> tuple[SearchPage, SearchResults, Ranked | None] | None:
            if generation != self._generation:
                return None  # typed or clicked past
            first, results = search_page(archive, query, flt, 1, SEARCH_PAGE_SIZE)
            ordered = None
            if sort_column is not None:
                ordered = archive.finder.sorted_ranked(query, flt, sort, descending)
                first = sorted_hits_page(archive, query, ordered, 1, SEARCH_PAGE_SIZE)
            return first, results, ordered

        def done(result: tuple[SearchPage, SearchResults, Ranked | None] | None) -> None:
            if result is not None:
                self._on_search(generation, query, *result, keep_position=keep_position)

        self.reads.run(work, done, lambda exc: self._on_read_failed(generation, exc))
        self._listed = True

    def _on_listing(
        self,
        generation: int,
        ids: list[int],
        archive_empty: bool,
        rows: list[ClippingSummary],
        keep_position: bool,
    ) -> None:
        if generation != self._generation:
            return
        self.query_error = None
        self.suggestion = None
        self.last_results = None
        self.sorted_hits = None
        self.archive_empty = archive_empty
        self._show_message("")
        self.facet_bar.show_counts({})
        self.table.show_search_columns(False)
        if keep_position:
            # A reordering (a dossier moved with Alt+Up) resets the model: keep the selection.
            self._reset(lambda: self.model.update_ids(ids))
        else:
            self._reset(lambda: self.model.set_ids(ids))
        self.shown.emit("")
        self.model.prime(rows)
        self._select_pending()
        self.heading.setText(self.node_title)
        self.count_label.setText(_count_text(len(ids)))
        self._update_empty_state()

    def _on_search(
        self,
        generation: int,
        query: str,
        first: SearchPage,
        results: SearchResults,
        ordered: Ranked | None,
        keep_position: bool = False,
    ) -> None:
        if generation != self._generation:
            return
        self.query_error = None
        self.archive_empty = False
        self.last_results = results
        self.sorted_hits = ordered
        # The index answers in lower case; offer it in the case the editor typed.
        typed = self.search_field.text()
        self.suggestion = match_case(typed, results.suggestion) if results.suggestion else None
        archive = self.archive
        flt = self.filter()

        def read_page(page: int) -> SearchPage:
            if ordered is not None:
                return sorted_hits_page(archive, query, ordered, page, SEARCH_PAGE_SIZE)
            return search_page(archive, query, flt, page, SEARCH_PAGE_SIZE)[0]

        def load_page(page: int, deliver: Callable[[SearchPage], None]) -> None:
            self.reads.run(
                lambda: read_page(page),
                deliver,
                lambda exc: self._on_read_failed(generation, exc),
            )

        self._reset(lambda: self.model.set_search(first, load_page, SEARCH_PAGE_SIZE))
        self.shown.emit(query)
        self.table.show_search_columns(True)
        in_node = "" if self.node == LIBRARY else f" in {self.node_title}"
        self.heading.setText(f"Search{in_node}")
        self.count_label.setText(_count_text(first.total, "result"))
        if self.suggestion:
            self._show_message(
                f'Did you mean <a href="suggest">{_escape(self.suggestion)}</a>?',
                kind="hint",
                rich=True,
            )
        else:
            self._show_message("")
        self.facet_bar.show_counts(results.facets)
        self._select_pending()
        self._update_empty_state()

    def _on_read_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        from_search = _is_query_error(exc)
        if from_search:
            # The list shows nothing rather than the last query's hits, as if they were
            # this one's.
            self.query_error = str(exc)
            self.last_results = None
            self.sorted_hits = None
            self._reset(lambda: self.model.set_ids([]))
            self.shown.emit("")
            in_node = "" if self.node == LIBRARY else f" in {self.node_title}"
            self.heading.setText(f"Search{in_node}")
            self.count_label.setText("")
            self.facet_bar.show_counts({})
            self._show_message(f"Cannot read this query: {exc}", kind="error")
            self._update_empty_state()
            return
        log.error("listing failed", exc_info=exc)
        self._show_message(f"Could not read the archive: {exc}", kind="error")

    def _reset(self, change: Callable[[], None]) -> None:
        """Reset the model, keeping the selection and current row where the ids remain."""
        selected = self.selected_ids()
        current = self.current_id()
        self._restoring = True
        try:
            change()
            if selected:
                self.select_ids(selected, current)
        finally:
            self._restoring = False
        after = self.selected_ids()
        if after != selected:
            self.selection_changed.emit(after)

    # -- messages ----------------------------------------------------------------------------

    def _show_message(self, text: str, kind: str = "hint", rich: bool = False) -> None:
        """A line above the list. Plain text unless `rich` (the "did you mean" link, whose
        words are escaped): a query or an error may quote markup from the archive."""
        self.message.setProperty("kind", kind)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_message_link(self, link: str) -> None:
        if link == "suggest" and self.suggestion:
            self.set_query(self.suggestion)

    def facet_chips(self) -> list[Chip]:
        return self.facet_bar.chips()

    # -- empty states ------------------------------------------------------------------------

    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0:
            self.stack.setCurrentWidget(self.table)
            return
        self.empty.show_message(
            *empty_state(bool(self.query), bool(self.query_error), self.archive_empty, self.node)
        )
        self.stack.setCurrentWidget(self.empty)

    # -- selection, sorting, refresh from changes --------------------------------------------

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._restoring:
            self.selection_changed.emit(self.selected_ids())

    def _on_sort_changed(self, section: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        if self.node.kind == "dossier":
            # A dossier keeps the order the editor gave it.
            clear_sort_indicator(header)
            self.status.emit("A dossier keeps its own order: drag rows to reorder it.")
            return
        if section < 0 or Column(section) not in SORT_KEYS:
            if section >= 0:
                name = self.model.headerData(section, Qt.Orientation.Horizontal)
                self.status.emit(f"The list cannot be sorted by {name}.")
            clear_sort_indicator(header)
            self.sort_column = None
        else:
            self.sort_column = Column(section)
            self.sort_descending = order == Qt.SortOrder.DescendingOrder
        if self._listed:
            self.refresh()

    def on_operation(self, changes: OpChanges, _origin: QObject | None) -> None:
        """Refresh after an operation: rows that changed repaint, added and removed ones
        come and go (coalesced, so a batch import refreshes a few times a second)."""
        self._changed_ids |= set(changes.clippings)
        listing_changed = bool(
            changes.added or changes.removed or changes.tags or changes.dossiers or changes.trash
        )
        wanted = listing_changed or bool(self.query) or bool(changes.clippings)
        if wanted and not self._refresh_timer.isActive():
            # During a batch import the list catches up a few times a second, not per item.
            self._refresh_timer.start(REFRESH_IMPORTING_MS if self.importing else REFRESH_DELAY_MS)

    def _refresh_after_change(self) -> None:
        changed, self._changed_ids = self._changed_ids, set()
        self.model.forget(changed)
        self.refresh(keep_position=True)


def clear_sort_indicator(header: QHeaderView) -> None:
    """No column marked as the sort (without announcing it: nothing is re-sorted)."""
    header.blockSignals(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.blockSignals(False)


def empty_state(
    searching: bool, query_error: bool, archive_empty: bool, node: NodeKey
) -> tuple[str, str, str, str]:
    """What an empty list says: its title, what to do, an icon and an action's label."""
    if searching and query_error:
        return (
            "This query cannot be read",
            "Correct it above: the message says what is wrong. Quotes and brackets come in "
            "pairs; AND, OR and NOT go between words.",
            "search",
            "",
        )
    if searching:
        return (
            "No clippings match",
            "Try fewer words, a broader region, or remove a facet chip above.",
            "search",
            "",
        )
    if archive_empty:
        return (
            "Your archive is empty",
            "Drop articles, saved web pages, folders or text anywhere in this window, paste "
            "with Ctrl+V, or use File ▸ Import.\nTo look around first, load a few sample "
            "clippings about the Sahel.",
            "clipper",
            "Load sample clippings",
        )
    if node.kind == "trash":
        return (
            "The trash is empty",
            "Clippings you delete wait here until you empty the trash.",
            "trash",
            "",
        )
    if node.kind == "dossier":
        return (
            "This dossier is empty",
            "Drag clippings onto the dossier in the sidebar, or select some and use "
            "Dossier ▸ Add to dossier.",
            "dossier",
            "",
        )
    return ("No clippings here", "Nothing in the archive is filed here yet.", "library", "")


def neighbour_of(model: ClippingTableModel, ids: Sequence[int]) -> int | None:
    """The row an editor expects to land on once `ids` leave the list: the first one after
    them, else the last one before them."""
    gone = set(ids)
    rows = [row for cid in ids if (row := model.row_of(cid)) is not None]
    if not rows:
        return None
    known = model.known_ids()
    after = [cid for cid in known[max(rows) + 1 :] if cid not in gone]
    if after:
        return after[0]
    before = [cid for cid in known[: min(rows)] if cid not in gone]
    return before[-1] if before else None


def _snippet_html(hit: Hit) -> str:
    """The hit's snippet with the matched words in <b> (escaped plain text otherwise)."""
    return hit.snippet_html or html.escape(hit.snippet)


def _count_text(count: int, noun: str = "clipping") -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _escape(text: str) -> str:
    return html.escape(text)


def _is_query_error(exc: BaseException) -> bool:
    return isinstance(exc, QuerySyntaxError)
