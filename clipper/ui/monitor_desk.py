"""The window's monitoring side, wired in one place so the main window only hands it nodes:
the Inbox pane (in place of the clipping list when the Inbox or a feed is picked), its keep
and skip operations on the window's writer (keeping is undoable: the kept clipping goes to
the trash), polling on a timer (`monitor_tasks`), following a dropped or pasted feed
address (`feeds`), saved searches in the sidebar and digests.

Reads run on the window's reader, writes as operations on its writer, network work on the
poller's own worker; nothing here touches the archive on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QLineEdit, QStackedWidget

from clipper.core.archive import ArchiveError, InvalidInput
from clipper.core.ingest import InputItem
from clipper.core.monitor import InboxItemView, Monitor, PollOutcome, inbox_ops
from clipper.core.monitor.discover import FeedOffer, discover_feed, is_web_address
from clipper.core.monitor.triage import KeepOutcome
from clipper.core.operations import OpResult
from clipper.core.search import QuerySyntaxError
from clipper.core.views import OpChanges
from clipper.ui.actions import enable_for_selection
from clipper.ui.feeds import AddFeedDialog, FeedRequest
from clipper.ui.icons import icon
from clipper.ui.inbox_view import InboxListing, InboxView, read_inbox
from clipper.ui.monitor_tasks import FeedPoller, outcome_line
from clipper.ui.saved_searches import SaveSearchDialog
from clipper.ui.sidebar import NodeKey
from clipper.ui.tasks import Executor

if TYPE_CHECKING:
    from clipper.ui.main_window import MainWindow

log = logging.getLogger(__name__)

INBOX_KINDS = ("inbox", "feed")
# Saved searches' new counts are read this long after the last change (a batch of changes
# is one read: each count is a search).
SAVED_REFRESH_MS = 500


def open_url(url: QUrl) -> bool:
    """Open a page in the editor's browser (tests replace this)."""
    return QDesktopServices.openUrl(url)


class MonitorDesk:
    """The monitoring parts of one window (see the module notes)."""

    def __init__(self, window: MainWindow, executor: Executor | None = None) -> None:
        self.window = window
        self.archive = window.archive
        self.inbox = InboxView()
        # The list and the inbox share the splitter's middle place.
        self.center = QStackedWidget()
        self.center.setObjectName("center")
        window.splitter.replaceWidget(1, self.center)
        self.center.addWidget(window.results)
        self.center.addWidget(self.inbox)
        self.poller = FeedPoller(self.archive, executor, window)
        self.scope: NodeKey | None = None
        # Where digests are written (None: a Qt thread pool, as exports; tests pass their own).
        self.digest_executor: Executor | None = None
        self._generation = 0

        self.inbox.keep_requested.connect(self.keep)
        self.inbox.skip_requested.connect(self.skip)
        self.inbox.open_requested.connect(self.open_item)
        self.inbox.keep_matching_requested.connect(self.keep_matching)
        self.inbox.open_clipping.connect(self._open_clipping)
        self.poller.polled.connect(self._on_polled)
        self.poller.poll_failed.connect(self.say)
        window.runner.operation_did_execute.connect(self._on_operation)
        self._saved_timer = QTimer(window, singleShot=True, interval=SAVED_REFRESH_MS)
        self._saved_timer.timeout.connect(self.refresh_saved)
        # The button in the search field that saves the search (as Feeds > Save this search).
        self.save_search_button = QAction(icon("saved"), "Save this search…", window)
        self.save_search_button.setObjectName("saveSearchButton")
        self.save_search_button.triggered.connect(self.save_search)
        window.results.search_field.addAction(
            self.save_search_button, QLineEdit.ActionPosition.TrailingPosition
        )

    def start(self) -> None:
        self.poller.start()

    def shutdown(self) -> None:
        self.poller.shutdown()

    def say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # -- which pane ---------------------------------------------------------------------------

    def select(self, key: NodeKey) -> bool:
        """Show what a sidebar node stands for, if it is the monitor's (the Inbox, a feed):
        says whether it was. Any other node brings the clipping list back; a saved search
        puts its query in the search field first (the list then runs it with its facets)
        and is marked opened."""
        if key.kind not in INBOX_KINDS:
            self.scope = None
            self.center.setCurrentWidget(self.window.results)
            if key.kind == "saved" and isinstance(key.value, str):
                self._open_saved(key.value)
            return False
        self.scope = key
        self.center.setCurrentWidget(self.inbox)
        self.window.reader.show_clippings([])
        # The list's commands (Delete, Ctrl+T...) must not reach clippings out of sight.
        enable_for_selection(self.window, [], "inbox")
        self.refresh_inbox()
        self.inbox.table.setFocus()
        return True

    @property
    def showing_inbox(self) -> bool:
        return self.center.currentWidget() is self.inbox

    def refresh_inbox(self) -> None:
        scope = self.scope
        if scope is None:
            return
        feed_id = scope.value if scope.kind == "feed" and isinstance(scope.value, int) else None
        self._generation += 1
        generation, archive = self._generation, self.archive
        self.window.reads.run(
            lambda: read_inbox(archive, feed_id),
            lambda listing: self._on_inbox_read(generation, listing),
            lambda exc: self.say(f"Could not read the inbox: {exc}"),
        )

    def _on_inbox_read(self, generation: int, listing: InboxListing) -> None:
        if generation != self._generation:
            return  # an older read, overtaken by a newer one
        feed = listing.feeds.get(listing.feed_id) if listing.feed_id is not None else None
        self.inbox.show_listing(listing, feed.name if feed is not None else "Inbox")

    def _after_decision(self) -> None:
        self.refresh_inbox()
        self.window.refresh_sidebar()

    # -- deciding -----------------------------------------------------------------------------

    def keep(self, item_ids: list[int]) -> None:
        item = self._item(item_ids)
        operation = inbox_ops.keep_items(item_ids, title=item.title if item else None)
        self.window.runner.run(
            operation, origin=self.inbox, on_done=self._on_kept, on_failed=self._on_failed
        )

    def keep_matching(self, rule: str, feed_id: int) -> None:
        operation = inbox_ops.keep_matching(rule, feed_id, label=f"Keep all matching {rule}")
        self.window.runner.run(
            operation, origin=self.inbox, on_done=self._on_kept, on_failed=self._on_failed
        )

    def skip(self, item_ids: list[int]) -> None:
        def done(result: OpResult) -> None:
            skipped = result.value or []
            self.say(f"Skipped {len(skipped)} inbox item{'s' if len(skipped) != 1 else ''}.")
            self._after_decision()

        self.window.runner.run(
            inbox_ops.skip_items(item_ids),
            origin=self.inbox,
            on_done=done,
            on_failed=self._on_failed,
        )

    def _on_kept(self, result: OpResult) -> None:
        outcomes: list[KeepOutcome] = result.value or []
        kept = [o for o in outcomes if o.ok]
        errors = [o.error for o in outcomes if o.error]
        if errors:
            self.say(errors[0] or "")
        elif len(kept) == 1 and kept[0].clipping_id is not None:
            what = "Kept as" if kept[0].created else "Already in the archive as"
            self.say(f"{what} #{kept[0].clipping_id}.")
        else:
            self.say(f"Kept {len(kept)} inbox items.")
        self._after_decision()

    def _on_failed(self, label: str, reason: str) -> None:
        self._after_decision()

    def _item(self, item_ids: list[int]) -> InboxItemView | None:
        for item in self.inbox.model.items:
            if item_ids and item.id == item_ids[0]:
                return item
        return None

    def open_item(self, item: InboxItemView) -> None:
        """o: the item's page in the browser; an item without one (a file from a watch
        folder) is read in the detail pane already."""
        if item.url:
            open_url(QUrl(item.url))
            self.say(f"Opened {item.url}")
        else:
            self.say("This item has no web page: its text is shown under the list.")

    def _open_clipping(self, clipping_id: int) -> None:
        self.window.reader.show_clippings([clipping_id])

    # -- saved searches ----------------------------------------------------------------------

    def refresh_saved(self) -> None:
        """Read the saved searches and their new counts (searches: they wait for the index)."""
        self._saved_timer.stop()
        archive = self.archive
        self.window.reads.run(
            lambda: Monitor(archive).saved_searches(),
            self.window.sidebar.set_saved,
            lambda exc: log.warning("saved searches could not be read: %s", exc),
        )

    def _open_saved(self, name: str) -> None:
        search = next(
            (s.search for s in self.window.sidebar.sidebar_model.saved if s.search.name == name),
            None,
        )
        if search is None:
            return
        self.window.results.search_field.setText(search.query)
        archive = self.archive
        self.window.writes.run(
            lambda: Monitor(archive).mark_opened(name),
            lambda _view: self.refresh_saved(),
            lambda exc: self.say(f"{name}: {exc}"),
        )

    def save_search(self) -> None:
        """Name the current search (the query as typed with its facet chips, and the list's
        facets: a topic, a region, a source, a dossier) and keep it in the sidebar."""
        results = self.window.results
        query, facets = results.query, results.filter()
        dialog = SaveSearchDialog(query, results.node_title, self.window)
        archive = self.archive

        def save(name: str) -> None:
            def done(_view: object) -> None:
                dialog.accept()
                self.say(f"Saved the search as {name}.")
                self.refresh_saved()

            def failed(exc: BaseException) -> None:
                if isinstance(exc, (ArchiveError, QuerySyntaxError)):
                    dialog.show_error(str(exc))
                else:
                    log.error("saving the search %s failed", name, exc_info=exc)
                    dialog.show_error(f"The search could not be saved: {exc}")

            self.window.writes.run(
                lambda: Monitor(archive).save_search(name, query, facets), done, failed
            )

        dialog.submitted.connect(save)
        self.window.open_dialog(dialog)

    def write_digest(self) -> None:
        """The digest dialog, on the saved search shown (if one is)."""
        from clipper.ui.digest_dialog import start_digest  # the export stack loads on demand

        searches = [s.search for s in self.window.sidebar.sidebar_model.saved]
        node = self.window.results.node
        chosen = node.value if node.kind == "saved" and isinstance(node.value, str) else None
        dialog = start_digest(
            self.window, self.archive, searches, chosen, executor=self.digest_executor
        )
        self.window.open_dialog(dialog)

    # -- following feeds ---------------------------------------------------------------------

    def new_feed(self) -> None:
        self.follow_feed()

    def poll_now(self) -> None:
        """Poll every feed now, due or not (a poll under way is not started twice)."""
        if self.poller.poll_all():
            self.say("Polling the feeds…")
        else:
            self.say("The feeds are being polled already.")

    def follow_feed(self, offer: FeedOffer | None = None) -> AddFeedDialog:
        """The Follow a feed dialog (empty from the menu, filled in for a dropped feed)."""
        dialog = AddFeedDialog(offer, self.window)
        dialog.submitted.connect(lambda request: self._follow(dialog, request))
        dialog.import_instead.connect(
            lambda url: self.window.import_items([InputItem(label=url, url=url)])
        )
        self.window.open_dialog(dialog)
        return dialog

    def _follow(self, dialog: AddFeedDialog, request: FeedRequest) -> None:
        archive = self.archive

        def work() -> int:
            feed = Monitor(archive).add_feed(
                request.url,
                request.name,
                tags=request.tags,
                rule=request.rule,
                interval_minutes=request.interval_minutes,
            )
            return feed.id

        def done(feed_id: int) -> None:
            dialog.accept()
            self.say(f"Following {request.name or request.url}: its entries arrive in the Inbox.")
            self.window.refresh_sidebar()
            self.poller.poll_all([feed_id])

        def failed(exc: BaseException) -> None:
            if isinstance(exc, QuerySyntaxError):
                dialog.show_error(str(exc), rule=True)
            elif isinstance(exc, InvalidInput):
                dialog.show_error(str(exc))
            else:
                log.error("following %s failed", request.url, exc_info=exc)
                dialog.show_error(f"{request.url}: {exc}")

        self.poller.run(work, done, failed)

    def offer_feed(self, items: list[InputItem]) -> bool:
        """A dropped or pasted web address is asked about first: a feed (or a page that links
        one) is offered for following, anything else is imported as it would have been.
        Says whether the items were taken (the answer comes later, from the worker)."""
        if len(items) != 1 or not items[0].url or not is_web_address(items[0].url):
            return False
        url = items[0].url

        def answered(offer: FeedOffer | None) -> None:
            if offer is None:
                self.window.import_items(items)
            else:
                self.follow_feed(offer)

        def failed(exc: BaseException) -> None:
            log.warning("looking for a feed at %s failed", url, exc_info=exc)
            self.window.import_items(items)

        self.poller.run(lambda: discover_feed(url), answered, failed)
        return True

    # -- what changed -------------------------------------------------------------------------

    def _on_operation(self, changes: OpChanges, origin: object) -> None:
        # Keeping refreshes from its own callback; a clipping trashed or restored elsewhere
        # (an undone keep) may change an item's "already clipped as" finding.
        if origin is not self.inbox and self.showing_inbox and (changes.added or changes.trash):
            self.refresh_inbox()
        if changes.added or changes.removed or changes.trash or changes.tags or changes.clippings:
            self._saved_timer.start()

    def _on_polled(self, outcomes: list[PollOutcome]) -> None:
        lines = [line for line in (outcome_line(o) for o in outcomes) if line]
        if lines:
            self.say("; ".join(lines))
        self.window.refresh_sidebar()
        self.refresh_inbox()
