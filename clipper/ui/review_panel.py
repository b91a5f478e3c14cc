"""The import review panel: one card per imported clipping that needs the editor (a guessed
title to confirm, suggested regions and topics to accept with one click, a possible
duplicate to keep or skip, with the clipping it may repeat one click away) and per input
that failed, with its reason; Accept all and Dismiss all for a big batch.

Keys: Up and Down move between cards, Enter accepts a card (its suggestions and title; a
possible duplicate is kept), 1 to 9 accept one suggestion, Delete dismisses a card (a
possible duplicate is skipped), O opens the card's clipping.

Nothing moves under the pointer: an accepted chip stays where it was, ticked, and a card
that is dealt with stays in place, marked done, until the pointer has left the panel. The
cards are made a few per turn of the event loop and only while the panel is on screen: a
500-file import never stalls the window building 500 cards at once.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clipper.core.views import PendingReview, ReviewSuggestion
from clipper.ui.importer import ImportBatch, ImportEntry
from clipper.ui.review_desk import ReviewDesk
from clipper.ui.text import plain_tooltip, plural
from clipper.ui.widgets import Chip, FlowLayout, LinkLabel, plain_label

REDRAW_MS = 100
REVIEW_PAGE = 60
REVIEW_BUILD_PER_TURN = 4
# A pause between turns lets the window paint and answer input while cards are made.
REVIEW_TURN_MS = 15
# Cards dealt with leave once the pointer has been off the panel this long.
PRUNE_MS = 1200
KEYS_HINT = (
    "↑ ↓ move · Enter accepts a card · 1–9 accept one suggestion · Delete dismisses · "
    "O opens the clipping"
)


class SuggestionChip(Chip):
    """A suggested tag: "+ Niger" until accepted, then "✓ Niger" in the same place and size
    (a second click, even a quick double-click, lands on it again and does nothing)."""

    def __init__(self, suggestion: ReviewSuggestion, parent: QWidget | None = None) -> None:
        super().__init__(f"+ {suggestion.name}", kind=suggestion.kind, parent=parent)
        self.setObjectName("suggestionChip")
        self.suggestion = suggestion
        why = suggestion.evidence or f"suggested with a score of {suggestion.score:.2f}"
        self.setToolTip(plain_tooltip(f"Tag with the {suggestion.kind} {suggestion.name} ({why})"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.accepted = False
        if suggestion.accepted:
            self.set_accepted()

    def showEvent(self, event: QShowEvent) -> None:
        # Once styled (the chip's font is the style sheet's), room for either state's
        # text: ticking a chip never changes its width, so its neighbours never move.
        metrics = self.label.fontMetrics()
        name = self.suggestion.name
        widest = max(metrics.horizontalAdvance(f"{mark} {name}") for mark in ("+", "✓"))
        self.label.setMinimumWidth(widest)
        super().showEvent(event)

    def set_accepted(self) -> None:
        if self.accepted:
            return
        self.accepted = True
        self.text = f"✓ {self.suggestion.name}"
        self.label.setText(self.text)
        self.setProperty("accepted", True)
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.setToolTip(plain_tooltip(f"Tagged with {self.suggestion.name}"))
        self.style().unpolish(self)
        self.style().polish(self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if not self.accepted:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()  # a double-click is one click, never two acceptances


class ReviewEntry(QFrame):
    """One card: an imported clipping to look at, or an input that failed.

    Signals:
        move_requested(ReviewEntry, int): Up or Down: the editor moves to another card.
    """

    move_requested = Signal(object, int)

    def __init__(
        self,
        desk: ReviewDesk,
        batch: ImportBatch,
        entry: ImportEntry,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewEntry")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.desk, self.batch, self.entry = desk, batch, entry
        self.done = False
        self.title_field: QLineEdit | None = None
        self.confirm_button: QPushButton | None = None
        self.keep_button: QPushButton | None = None
        self.skip_button: QPushButton | None = None
        self.open_duplicate: LinkLabel | None = None
        self.all_chips: list[SuggestionChip] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        top = QHBoxLayout()
        where = f"Import {batch.number}" if batch.number else _earlier(entry.review)
        top.addWidget(plain_label(f"{where}  ·  {entry.label}", "reviewSource"), 1)
        self.done_label = plain_label("✓ Done", "hint")
        self.done_label.hide()
        top.addWidget(self.done_label)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setObjectName("reviewDismiss")
        self.dismiss_button.setToolTip("Forget this card (Delete)")
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss_button.clicked.connect(lambda: desk.dismiss(batch, entry))
        top.addWidget(self.dismiss_button)
        layout.addLayout(top)
        review = entry.review
        if entry.status == "failed":
            layout.addWidget(
                plain_label(entry.error or "could not be imported", "reviewError", wrap=True)
            )
        elif review is not None and entry.status == "held":
            self._duplicate_rows(layout, review)
        elif review is not None:
            self._title_row(layout, review)
            self._suggestion_rows(layout, review)

    @property
    def suggestion_chips(self) -> list[SuggestionChip]:
        """The suggestions still open (accepted ones stay on the card, ticked)."""
        return [chip for chip in self.all_chips if not chip.accepted]

    def _duplicate_rows(self, layout: QVBoxLayout, review: PendingReview) -> None:
        similar = f" ({review.similarity:.0%} alike)" if review.similarity is not None else ""
        layout.addWidget(plain_label(review.clipping_title, "reviewTitleText", wrap=True))
        row = QHBoxLayout()
        if review.duplicate_of is not None:
            row.addWidget(plain_label(f"looks like clipping #{review.duplicate_of}{similar}:"))
            self.open_duplicate = LinkLabel(review.duplicate_title or "(untitled)")
            self.open_duplicate.setObjectName("linkTitle")
            self.open_duplicate.setToolTip("Open the clipping already in the archive")
            other = review.duplicate_of
            self.open_duplicate.activated.connect(lambda: self.desk.open_requested.emit(other))
            row.addWidget(self.open_duplicate, 1)
        else:
            row.addWidget(plain_label("looks like a clipping already in the archive"), 1)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        self.keep_button = QPushButton("Keep both")
        self.keep_button.setToolTip("Move this copy from the trash to the library (Enter)")
        self.skip_button = QPushButton("Skip this one")
        self.skip_button.setToolTip("Leave this copy in the trash (Delete)")
        self.keep_button.clicked.connect(lambda: self.desk.keep(self.batch, self.entry))
        self.skip_button.clicked.connect(lambda: self.desk.skip(self.batch, self.entry))
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _title_row(self, layout: QVBoxLayout, review: PendingReview) -> None:
        if review.title_guessed:
            row = QHBoxLayout()
            self.title_field = QLineEdit(review.clipping_title)
            self.title_field.setObjectName("reviewTitle")
            self.title_field.setToolTip("Guessed from the text: correct it or confirm it")
            self.confirm_button = QPushButton("Confirm title")
            field = self.title_field
            self.confirm_button.clicked.connect(
                lambda: self.desk.confirm_title(self.batch, self.entry, field.text())
            )
            self.title_field.returnPressed.connect(self.confirm_button.click)
            row.addWidget(plain_label("Title"))
            row.addWidget(self.title_field, 1)
            row.addWidget(self.confirm_button)
            layout.addLayout(row)
            return
        title = LinkLabel(review.clipping_title)
        title.setObjectName("reviewTitleText")
        title.setWordWrap(True)
        title.setToolTip("Open this clipping (O)")
        title.activated.connect(lambda: self.desk.open_requested.emit(review.clipping_id))
        layout.addWidget(title)

    def _suggestion_rows(self, layout: QVBoxLayout, review: PendingReview) -> None:
        if not review.suggestions:
            return
        area = QWidget()
        chips = FlowLayout(area, spacing=5)
        chips.addWidget(plain_label("Suggested:", "hint"))
        for suggestion in review.suggestions:
            chip = SuggestionChip(suggestion)
            chip.clicked.connect(lambda chip=chip: self._accept(chip))
            chips.addWidget(chip)
            self.all_chips.append(chip)
        layout.addWidget(area)

    def _accept(self, chip: SuggestionChip) -> None:
        if chip.accepted:
            return
        chip.set_accepted()  # at once: the click is answered before the archive is
        s = chip.suggestion
        self.desk.accept_suggestion(self.batch, self.entry, s.kind, s.name)

    def refresh(self) -> None:
        """Show what the archive now holds of this card, in place."""
        review = self.entry.review
        accepted = {(s.kind, s.name) for s in review.suggestions if s.accepted} if review else set()
        for chip in self.all_chips:
            if (chip.suggestion.kind, chip.suggestion.name) in accepted:
                chip.set_accepted()
        if self.title_field is not None and review is not None and not review.title_guessed:
            self.title_field.setReadOnly(True)
            if self.confirm_button is not None:
                self.confirm_button.setEnabled(False)
                self.confirm_button.setText("Confirmed")
        if not self.entry.shows_card:
            self.mark_done()

    def mark_done(self) -> None:
        if self.done:
            return
        self.done = True
        self.done_label.show()
        self.dismiss_button.hide()
        for chip in self.suggestion_chips:
            chip.setEnabled(False)
        for button in (self.keep_button, self.skip_button, self.confirm_button):
            if button is not None:
                button.setEnabled(False)
        if self.title_field is not None:
            self.title_field.setReadOnly(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.move_requested.emit(self, 1 if key == Qt.Key.Key_Down else -1)
        elif self.done:
            super().keyPressEvent(event)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            title = self.title_field.text() if self.title_field is not None else None
            self.desk.accept_card(self.batch, self.entry, title)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.desk.dismiss(self.batch, self.entry)
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            number = key - Qt.Key.Key_1
            if number < len(self.all_chips):
                self._accept(self.all_chips[number])
        elif key == Qt.Key.Key_O and self.entry.clipping_id is not None:
            self.desk.open_requested.emit(self.entry.clipping_id)
        else:
            super().keyPressEvent(event)


class ReviewPanel(QWidget):
    """The cards of recent batches that still need the editor, newest batch first (cards
    from earlier sessions last), with Accept all and Dismiss all above them."""

    def __init__(self, desk: ReviewDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPanel")
        self.desk = desk
        controller = desk.controller
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 6, 10, 2)
        self.count_label = plain_label("", "reviewCount")
        bar.addWidget(self.count_label)
        self.keys_label = plain_label(KEYS_HINT, "hint")
        bar.addWidget(self.keys_label, 1)
        self.accept_all_button = QPushButton("Accept all")
        self.accept_all_button.setObjectName("reviewAcceptAll")
        self.accept_all_button.setToolTip(
            "Accept every suggestion and confirm every guessed title; possible duplicates "
            "wait for you to keep or skip them"
        )
        self.accept_all_button.clicked.connect(desk.accept_all)
        self.dismiss_all_button = QPushButton("Dismiss all")
        self.dismiss_all_button.setObjectName("reviewDismissAll")
        self.dismiss_all_button.setToolTip(
            "Forget every card: titles stay as guessed, suggestions unapplied, possible "
            "duplicates in the trash"
        )
        self.dismiss_all_button.clicked.connect(desk.dismiss_all)
        bar.addWidget(self.accept_all_button)
        bar.addWidget(self.dismiss_all_button)
        outer.addLayout(bar)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.scroll_area)
        contents = QWidget()
        contents.setObjectName("reviewContents")
        self.box = QVBoxLayout(contents)
        self.box.setContentsMargins(10, 6, 10, 8)
        self.box.setSpacing(6)
        self.scroll_area.setWidget(contents)
        self.rows: list[ReviewEntry] = []
        self.limit = REVIEW_PAGE
        self._made: dict[int, tuple[tuple[object, ...], ReviewEntry]] = {}
        self._dirty = True
        self._timer = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._timer.timeout.connect(self.rebuild)
        self._prune_timer = QTimer(self, singleShot=True, interval=PRUNE_MS)
        self._prune_timer.timeout.connect(self._prune)
        self.more_button = QPushButton()
        self.more_button.setObjectName("reviewMore")
        self.more_button.clicked.connect(self._show_more)
        self.hint = plain_label(
            "Nothing to review. After an import, guessed titles, suggested tags, "
            "possible duplicates and failures show up here.",
            "hint",
            wrap=True,
        )
        # Cards go above these three, which stay at the end.
        self.box.addWidget(self.more_button)
        self.box.addWidget(self.hint)
        self.box.addStretch(1)
        controller.entry_changed.connect(self._on_entry_changed)
        controller.batch_finished.connect(lambda _batch: self.rebuild())
        controller.restored.connect(lambda _batch: self.rebuild())
        self.rebuild()

    @property
    def entries(self) -> list[ReviewEntry]:
        """The cards still waiting for the editor, in order (done ones are on their way)."""
        return [row for row in self.rows if not row.done]

    def _on_entry_changed(self, _batch: ImportBatch, entry: ImportEntry) -> None:
        card = self._made.get(id(entry))
        if card is not None and card[0] == _signature(entry):
            widget = card[1]
            was_focused = widget.hasFocus()
            widget.refresh()  # the editor acted on it: answer at once, in place
            if widget.done:
                self._prune_timer.start()
                self._update_bar()
                if was_focused:
                    self._move_focus(widget, 1)  # on to the next card, as in a mail reader
            return
        if card is not None:
            self.rebuild()
        elif entry.shows_card and not self._timer.isActive():
            self._timer.start()  # new cards arrive in batches, ten times a second

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self.rebuild()

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        if any(row.done for row in self.rows):
            self._prune_timer.start()

    def _show_more(self) -> None:
        self.limit += REVIEW_PAGE
        self.rebuild()

    def _wanted(self) -> tuple[list[tuple[ImportBatch, ImportEntry]], int]:
        wanted: list[tuple[ImportBatch, ImportEntry]] = []
        total = 0
        for batch, entry in self.desk.open_cards():
            total += 1
            if len(wanted) < self.limit:
                wanted.append((batch, entry))
        return wanted, total

    def rebuild(self) -> None:
        """Bring the cards in line with the entries to review, touching only cards that
        come, go or change shape; a card dealt with stays, done, until pruned."""
        self._timer.stop()
        if not self.isVisible():
            self._dirty = True
            return
        self._dirty = False
        wanted, total = self._wanted()
        keep: dict[int, tuple[tuple[object, ...], ReviewEntry]] = {}
        made = 0
        for batch, entry in wanted:
            signature = _signature(entry)
            known = self._made.get(id(entry))
            if known is not None and known[0] == signature:
                widget = known[1]
                widget.refresh()
            elif made < REVIEW_BUILD_PER_TURN:
                widget = ReviewEntry(self.desk, batch, entry)
                widget.move_requested.connect(self._move_focus)
                made += 1
            else:
                QTimer.singleShot(REVIEW_TURN_MS, self.rebuild)  # the rest on later turns
                break
            keep[id(entry)] = (signature, widget)
        done: list[ReviewEntry] = []
        for row in self.rows:
            key = id(row.entry)
            known = self._made.get(key)
            if key in keep or known is None or known[1] is not row:
                continue
            row.refresh()  # no longer wanted: dealt with (or gone); it stays, done, a while
            if row.done:
                keep[key] = known
                done.append(row)
        open_rows = [keep[id(entry)][1] for _batch, entry in wanted if id(entry) in keep]
        rows = self._in_place(open_rows, done)
        for key, (_, widget) in self._made.items():
            if keep.get(key, (None, None))[1] is not widget:
                self.box.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self._made = keep
        for position, widget in enumerate(rows):
            if self.box.indexOf(widget) != position:
                if self.box.indexOf(widget) != -1:
                    self.box.removeWidget(widget)
                self.box.insertWidget(position, widget)
                widget.show()
        self.rows = rows
        more = total - len(open_rows)
        self.more_button.setText(f"{plural(more, 'more card')} to review: show them")
        self.more_button.setVisible(more > 0 and len(open_rows) == len(wanted))
        self.hint.setVisible(not rows)
        if done:
            self._prune_timer.start()
        self._update_bar()
        # Lay the cards out now, not over the next turns of the event loop: each level (the
        # chips, the card, the scroll area) would otherwise settle one posted event later,
        # and a card would show for a moment without room for its chips.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.box.activate()

    def _in_place(self, rows: list[ReviewEntry], done: list[ReviewEntry]) -> list[ReviewEntry]:
        """The open cards in order, with the done ones where they were."""
        placed = list(rows)
        for card in done:
            old = self.rows.index(card) if card in self.rows else len(placed)
            placed.insert(min(old, len(placed)), card)
        return placed

    def _prune(self) -> None:
        if self.underMouse():
            self._prune_timer.start()
            return
        for row in [r for r in self.rows if r.done]:
            self._made.pop(id(row.entry), None)
            self.box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = [r for r in self.rows if not r.done]
        self.hint.setVisible(not self.rows)

    def _update_bar(self) -> None:
        waiting = len(self.desk.open_cards())
        self.count_label.setText(f"{plural(waiting, 'card')} to review" if waiting else "")
        self.accept_all_button.setEnabled(waiting > 0)
        self.dismiss_all_button.setEnabled(waiting > 0)
        self.keys_label.setVisible(waiting > 0)

    def focus_first(self) -> None:
        if self.entries:
            self.entries[0].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _move_focus(self, card: ReviewEntry, step: int) -> None:
        """To the next open card above or below `card` (which may be done by now)."""
        rows = self.rows
        at = rows.index(card) if card in rows else (-1 if step > 0 else len(rows))
        at += step
        while 0 <= at < len(rows):
            if not rows[at].done:
                rows[at].setFocus(Qt.FocusReason.TabFocusReason)
                self.scroll_area.ensureWidgetVisible(rows[at])
                return
            at += step

    def sizeHint(self) -> QSize:
        return QSize(600, 220)


def _signature(entry: ImportEntry) -> tuple[object, ...]:
    """What shapes a card: when this changes, the card is made again (changes within a
    shape, an accepted chip or a confirmed title, are shown in place)."""
    return (entry.status, bool(entry.review and entry.review.held))


def _earlier(review: PendingReview | None) -> str:
    if review is None:
        return "Earlier import"
    return f"Imported {review.arrived_at:%d %b %H:%M} UTC"
