"""The reader: the clean article, its tags as chips, notes saved as you type, related stories
with the note on each link, and suggestions (similar clippings, captured "Read more"
headlines) each one click away from being linked.

Every change is an operation dispatched to the writer; the pane redraws from the archive
when an operation says the clipping it shows has changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clipper.core import operations as ops
from clipper.core.archive import Archive, NotFound
from clipper.core.errors import ArchiveError
from clipper.core.operations import OpResult
from clipper.core.search import IndexDamaged, IndexUnusable
from clipper.core.views import ClippingDetail, OpChanges
from clipper.ui.article_view import (
    ArticleBrowser,
    Marks,
    article_html,
    open_in_system_browser,
)
from clipper.ui.icons import icon
from clipper.ui.operations import OperationRunner
from clipper.ui.scan_view import ScanPane
from clipper.ui.tasks import TaskRunner
from clipper.ui.text import plain_tooltip
from clipper.ui.widgets import (
    Chip,
    EmptyState,
    FlowLayout,
    LinkLabel,
    SectionHeader,
    plain_label,
)

log = logging.getLogger(__name__)

NOTE_SAVE_DELAY_MS = 700
SUGGESTION_LIMIT = 6
LINK_KIND_LABELS = {
    "follow-up": "follow-up",
    "same-event": "same event",
    "background": "background",
    "contradicts": "contradicts",
}


class NoteEdit(QTextEdit):
    """One note, saved a moment after typing stops (and when focus leaves); no save button.
    It grows with its text, never scrolls on its own: the desk around it scrolls.

    Signals:
        save_due(NoteEdit): the text should be saved now.
    """

    save_due = Signal(object)

    def __init__(
        self, clipping_id: int, note_id: int | None, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteEdit")
        self.clipping_id = clipping_id
        self.note_id = note_id
        self.saved_text = text
        self.in_flight = False
        # Notes are plain text: a paste from a web page brings its words, not its markup.
        self.setAcceptRichText(False)
        self.setPlaceholderText("Write a note… it is saved as you type")
        self.setPlainText(text)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()
        self._timer = QTimer(self, singleShot=True, interval=NOTE_SAVE_DELAY_MS)
        self._timer.timeout.connect(lambda: self.save_due.emit(self))
        self.textChanged.connect(self._on_text_changed)

    def _fit(self) -> None:
        """As tall as its text at its width (two lines at least)."""
        text_height = self.document().size().height()
        least = 2 * self.fontMetrics().lineSpacing() + 2 * self.document().documentMargin()
        frame = (
            self.frameWidth() * 2 + self.contentsMargins().top() + self.contentsMargins().bottom()
        )
        height = int(max(text_height, least)) + frame + 2
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()  # a new width wraps the text anew

    @property
    def dirty(self) -> bool:
        return self.toPlainText().strip() != self.saved_text.strip()

    def set_saved_text(self, text: str) -> None:
        """Show a text the archive holds (after undo, or another pane's edit)."""
        self.saved_text = text
        if self.toPlainText() != text:
            self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(False)

    def flush(self) -> None:
        if self._timer.isActive() or self.dirty:
            self._timer.stop()
            self.save_due.emit(self)

    def _on_text_changed(self) -> None:
        self._timer.start()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.flush()


class TagEditor(QWidget):
    """Tags as chips (regions, then topics) and a field with completion to add one.

    Signals:
        add_requested(str): a tag name, optionally prefixed 'topic:' or 'region:'.
        remove_requested(str, str): kind and name of a chip's ×.
    """

    add_requested = Signal(str)
    remove_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.chip_area = QWidget()
        self.chips = FlowLayout(self.chip_area, spacing=5)
        layout.addWidget(self.chip_area)
        self.field = QLineEdit()
        self.field.setObjectName("tagField")
        self.field.setPlaceholderText("Add a tag: a topic, or a region such as Niger or Sahel")
        self.field.setClearButtonEnabled(True)
        self.completions = QStringListModel(self)
        completer = QCompleter(self.completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        self.field.returnPressed.connect(self._on_return)
        layout.addWidget(self.field)

    def set_tags(self, tags: Sequence[tuple[str, str]]) -> None:
        self.chips.clear()
        for kind, name in tags:
            chip = Chip(name, kind=kind, removable=True)
            chip.setToolTip(plain_tooltip(f"{kind}: {name}"))
            chip.remove_clicked.connect(
                lambda kind=kind, name=name: self.remove_requested.emit(kind, name)
            )
            self.chips.addWidget(chip)
        self.chip_area.setVisible(bool(tags))
        self.chip_area.updateGeometry()

    def chip_texts(self) -> list[str]:
        return [chip.text for chip in self._chip_widgets()]

    def chip(self, name: str) -> Chip | None:
        return next((chip for chip in self._chip_widgets() if chip.text == name), None)

    def _chip_widgets(self) -> list[Chip]:
        items = (self.chips.itemAt(i) for i in range(self.chips.count()))
        widgets = (item.widget() for item in items if item is not None)
        return [widget for widget in widgets if isinstance(widget, Chip)]

    def set_completions(self, names: Sequence[str]) -> None:
        self.completions.setStringList(sorted(set(names), key=str.casefold))

    def _on_return(self) -> None:
        text = self.field.text().strip()
        if text:
            self.add_requested.emit(text)
        self.field.clear()


class LinkRow(QFrame):
    """A related story: its title (click to open), the link's kind and note, and unlink."""

    def __init__(
        self,
        title: str,
        note: str,
        kind: str | None,
        action_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("linkRow")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.setSpacing(8)
        text_box = QVBoxLayout()
        text_box.setSpacing(2)
        self.title_label = LinkLabel(title)
        self.title_label.setObjectName("linkTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setToolTip("Open this clipping")
        text_box.addWidget(self.title_label)
        detail = " · ".join(p for p in (LINK_KIND_LABELS.get(kind or "", ""), note) if p)
        self.note_label = plain_label(detail, "linkNote", wrap=True)
        self.note_label.setVisible(bool(detail))
        text_box.addWidget(self.note_label)
        layout.addLayout(text_box, 1)
        self.action = QPushButton(action_text)
        self.action.setObjectName("linkAction")
        if action_text == "Link":
            self.action.setIcon(icon("link"))
        layout.addWidget(self.action, 0, Qt.AlignmentFlag.AlignTop)


class ReaderPane(QWidget):
    """The article and the editor's desk around it, for the current clipping.

    Signals:
        open_requested(int): open another clipping (a related story or a suggestion).
        edit_title_requested(int): the guessed-title banner's "Edit title" was clicked.
    """

    open_requested = Signal(int)
    edit_title_requested = Signal(int)

    def __init__(
        self,
        archive: Archive,
        runner: OperationRunner,
        reads: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reader")
        self.archive = archive
        self.runner = runner
        self.reads = reads
        self.detail: ClippingDetail | None = None
        self.index_ready = True  # see `set_index_ready`
        # The search whose words are highlighted in the article (see `set_query`).
        self.query = ""
        self.selected_ids: list[int] = []
        self.note_edits: list[NoteEdit] = []
        self._suggestion_generation = 0
        self.suggested: list[tuple[int, str, str]] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        self.empty = EmptyState()
        self.empty.show_message(
            "Nothing selected", "Pick a clipping in the list to read it here.", "library"
        )
        self.stack.addWidget(self.empty)

        self.many = EmptyState()
        self.stack.addWidget(self.many)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        self.title_banner = QFrame()
        self.title_banner.setObjectName("titleBanner")
        banner_layout = QHBoxLayout(self.title_banner)
        banner_layout.setContentsMargins(12, 6, 8, 6)
        banner_label = plain_label("This title was guessed from the text.")
        banner_layout.addWidget(banner_label, 1)
        self.confirm_title_button = QPushButton("Confirm title")
        self.edit_title_button = QPushButton("Edit title (F2)")
        banner_layout.addWidget(self.confirm_title_button)
        banner_layout.addWidget(self.edit_title_button)
        page_layout.addWidget(self.title_banner)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("readerSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.article = ArticleBrowser()
        # The article keeps a dozen lines whatever opens below it (the review dock).
        self.article.setMinimumHeight(12 * self.article.fontMetrics().lineSpacing())
        self.article.original_requested.connect(open_in_system_browser)
        # A clipping read by OCR shows its scan beside the text (see scan_view).
        self.scan = ScanPane(archive, runner, reads)
        self.text_row = QSplitter(Qt.Orientation.Horizontal)
        self.text_row.setObjectName("scanSplitter")
        self.text_row.addWidget(self.scan)
        self.text_row.addWidget(self.article)
        self.splitter.addWidget(self.text_row)
        self.splitter.addWidget(self._build_desk())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        page_layout.addWidget(self.splitter)
        self.stack.addWidget(page)
        self.page = page

        self.confirm_title_button.clicked.connect(self._on_confirm_title)
        self.edit_title_button.clicked.connect(
            lambda: self.detail and self.edit_title_requested.emit(self.detail.id)
        )
        self.tags.add_requested.connect(self._on_add_tag)
        self.tags.remove_requested.connect(self._on_remove_tag)
        self.runner.operation_did_execute.connect(self._on_operation)
        self.show_clippings([])

    def _build_desk(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("desk")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        desk = QWidget()
        desk.setObjectName("deskContents")
        layout = QVBoxLayout(desk)
        layout.setContentsMargins(16, 10, 16, 16)
        layout.setSpacing(6)

        layout.addWidget(SectionHeader("Tags"))
        self.tags = TagEditor()
        layout.addWidget(self.tags)

        notes_header = QHBoxLayout()
        notes_header.addWidget(SectionHeader("Notes"))
        notes_header.addStretch(1)
        self.add_note_button = QToolButton()
        self.add_note_button.setText("New note")
        self.add_note_button.setIcon(icon("note"))
        self.add_note_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_note_button.setAutoRaise(True)
        self.add_note_button.setToolTip("New note (Ctrl+N)")
        self.add_note_button.clicked.connect(self.start_note)
        notes_header.addWidget(self.add_note_button)
        layout.addSpacing(8)
        layout.addLayout(notes_header)
        self.notes_box = QVBoxLayout()
        self.notes_box.setSpacing(6)
        layout.addLayout(self.notes_box)

        layout.addSpacing(8)
        layout.addWidget(SectionHeader("Related stories"))
        self.related_box = QVBoxLayout()
        self.related_box.setSpacing(4)
        layout.addLayout(self.related_box)
        self.related_empty = plain_label(
            "No linked stories yet. Select two clippings and press Ctrl+L, "
            "or drop one clipping on another.",
            "hint",
            wrap=True,
        )
        layout.addWidget(self.related_empty)

        layout.addSpacing(8)
        layout.addWidget(SectionHeader("Suggestions"))
        self.suggestions_box = QVBoxLayout()
        self.suggestions_box.setSpacing(4)
        layout.addLayout(self.suggestions_box)
        self.suggestions_empty = plain_label("No suggestions.", "hint", wrap=True)
        layout.addWidget(self.suggestions_empty)
        layout.addStretch(1)
        scroll.setWidget(desk)
        scroll.setMinimumHeight(160)
        return scroll

    # -- what is shown -----------------------------------------------------------------------

    @property
    def clipping_id(self) -> int | None:
        return self.detail.id if self.detail else None

    def show_clippings(self, ids: Sequence[int]) -> None:
        """Show the one selected clipping, or say how many are selected."""
        self.flush_notes()
        self.selected_ids = list(ids)
        if len(ids) == 1:
            self._load(ids[0])
            return
        self.detail = None
        self.scan.show_clipping(None)
        self._clear_notes()
        if not ids:
            self.stack.setCurrentWidget(self.empty)
        else:
            self.many.show_message(
                f"{len(ids)} clippings selected",
                "Link two of them with Ctrl+L, add them to a dossier from the Dossier menu, "
                "export them with Ctrl+E, or move them to the trash with Delete.",
                "samples",
            )
            self.stack.setCurrentWidget(self.many)

    def _load(self, clipping_id: int, keep_notes: bool = False) -> None:
        try:
            detail = self.archive.get(clipping_id)
        except NotFound:
            self.show_clippings([])
            return
        same = self.detail is not None and self.detail.id == detail.id
        self.detail = detail
        scroll = self.article.verticalScrollBar().value() if same else 0
        self.article.setHtml(article_html(detail, marks=self._marks(detail)))
        self.article.verticalScrollBar().setValue(scroll)
        self.scan.show_clipping(detail)
        self.title_banner.setVisible(detail.title_guessed)
        self.tags.set_tags([(t.kind, t.name) for t in (*detail.regions, *detail.topics)])
        if not (same and keep_notes):
            self._show_notes(detail, replace=not same)
        self._show_related(detail)
        if not same:
            self._request_suggestions(detail)
        else:
            self._show_suggestions(self.suggested)
        self.stack.setCurrentWidget(self.page)

    def set_tag_completions(self, names: Sequence[str]) -> None:
        self.tags.set_completions(names)

    # -- notes -------------------------------------------------------------------------------

    def _clear_notes(self) -> None:
        for edit in self.note_edits:
            edit.hide()
            edit.deleteLater()
        self.note_edits = []

    def _show_notes(self, detail: ClippingDetail, replace: bool) -> None:
        if replace:
            self._clear_notes()
        by_id = {e.note_id: e for e in self.note_edits if e.note_id is not None}
        archive_ids = {n.id for n in detail.notes}
        for edit in list(self.note_edits):
            gone = edit.note_id is not None and edit.note_id not in archive_ids
            if gone and not edit.hasFocus() and not edit.in_flight:
                self.note_edits.remove(edit)
                edit.hide()
                edit.deleteLater()
        for note in detail.notes:
            shown = by_id.get(note.id)
            if shown is None:
                self._add_note_edit(detail.id, note.id, note.text)
            elif not shown.hasFocus() and not shown.in_flight:
                shown.set_saved_text(note.text)
        if not any(e.note_id is None for e in self.note_edits):
            self._add_note_edit(detail.id, None, "")

    def _add_note_edit(self, clipping_id: int, note_id: int | None, text: str) -> NoteEdit:
        edit = NoteEdit(clipping_id, note_id, text)
        edit.save_due.connect(self._save_note)
        # The blank editor for a new note stays last.
        blank = [e for e in self.note_edits if e.note_id is None]
        position = (
            self.note_edits.index(blank[0])
            if blank and note_id is not None
            else len(self.note_edits)
        )
        self.note_edits.insert(position, edit)
        self.notes_box.insertWidget(position, edit)
        return edit

    def start_note(self) -> None:
        """Ctrl+N: put the cursor in the blank note at the end of the notes."""
        if self.detail is None:
            return
        blank = next((e for e in self.note_edits if e.note_id is None), None)
        if blank is None:
            blank = self._add_note_edit(self.detail.id, None, "")
        blank.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def flush_notes(self) -> None:
        for edit in list(self.note_edits):
            edit.flush()

    def _showing(self, edit: NoteEdit) -> bool:
        return self.detail is not None and edit.clipping_id == self.detail.id

    def _save_note(self, edit: NoteEdit) -> None:
        if edit.in_flight or not edit.dirty:
            return
        text = edit.toPlainText()
        edit.in_flight = True

        def done(result: OpResult) -> None:
            edit.in_flight = False
            edit.saved_text = text if text.strip() else ""
            if edit.note_id is None and text.strip():
                edit.note_id = result.value
            elif not text.strip():
                edit.note_id = None
            if edit.dirty:
                self._save_note(edit)
            elif self._showing(edit) and not any(e.note_id is None for e in self.note_edits):
                assert self.detail is not None
                self._add_note_edit(self.detail.id, None, "")

        def failed(_label: str, _reason: str) -> None:
            edit.in_flight = False

        if edit.note_id is None:
            if not text.strip():
                edit.in_flight = False
                return
            operation = ops.add_note(edit.clipping_id, text)
        else:
            operation = ops.edit_note(edit.clipping_id, edit.note_id, text)
        self.runner.run(operation, origin=edit, on_done=done, on_failed=failed)

    # -- tags --------------------------------------------------------------------------------

    def _on_add_tag(self, text: str) -> None:
        if not self.selected_ids:
            return
        self.runner.run(ops.add_tag_as_typed(self.selected_ids, text), origin=self)

    def _on_remove_tag(self, kind: str, name: str) -> None:
        if self.detail is not None:
            self.runner.run(ops.remove_tag([self.detail.id], kind, name), origin=self)

    def _on_confirm_title(self) -> None:
        if self.detail is not None:
            self.runner.run(ops.confirm_title(self.detail.id), origin=self)

    # -- related stories and suggestions -----------------------------------------------------

    @staticmethod
    def _clear_box(box: QVBoxLayout) -> None:
        while box.count():
            item = box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _show_related(self, detail: ClippingDetail) -> None:
        self._clear_box(self.related_box)
        for link in detail.links:
            row = LinkRow(link.other_title, link.note, link.kind, "Unlink")
            row.setObjectName("relatedRow")
            row.title_label.activated.connect(
                lambda other=link.other_id: self.open_requested.emit(other)
            )
            row.action.clicked.connect(
                lambda _=False, a=detail.id, b=link.other_id: self.runner.run(
                    ops.unlink(a, b), origin=self
                )
            )
            self.related_box.addWidget(row)
        self.related_empty.setVisible(not detail.links)

    def set_query(self, query: str) -> None:
        """Highlight the words of this search in the article (blank: none); the article on
        screen is shown again with them, where it was scrolled to."""
        if query == self.query:
            return
        self.query = query
        if self.detail is not None and self.stack.currentWidget() is self.page:
            self._load(self.detail.id, keep_notes=True)

    def _marks(self, detail: ClippingDetail) -> Marks | None:
        """What marks the searched words in this clipping's texts, or None (no search, or an
        index still being prepared: marking would wait for it)."""
        query, archive = self.query, self.archive
        if not query.strip() or not self.index_ready:
            return None

        def marks(text: str) -> Sequence[tuple[str, bool]]:
            try:
                return archive.highlight(query, text, detail.language)
            except (ArchiveError, IndexDamaged, IndexUnusable, OSError) as exc:
                # Highlighting is a help, never a reason not to show the article.
                log.warning("could not highlight %r in clipping %s: %s", query, detail.id, exc)
                return ((text, False),)

        return marks

    def set_index_ready(self, ready: bool) -> None:
        """The window says whether the search index is open; similar stories need it."""
        waiting = not self.index_ready
        self.index_ready = ready
        if ready and waiting and self.detail is not None:
            self._request_suggestions(self.detail)

    def _request_suggestions(self, detail: ClippingDetail) -> None:
        self._suggestion_generation += 1
        generation = self._suggestion_generation
        self.suggested = []
        self._show_suggestions([])
        if not self.index_ready:
            # The captured "Read more" references need no index; similar stories come later.
            self._on_similar(generation, [])
            return
        archive = self.archive
        clipping_id = detail.id

        def read() -> list[int]:
            return archive.more_like(clipping_id, limit=SUGGESTION_LIMIT)

        def failed(exc: BaseException) -> None:
            log.warning("similar clippings of #%d could not be read: %s", clipping_id, exc)
            self._on_similar(generation, [])

        self.reads.run(read, lambda ids: self._on_similar(generation, ids), failed)

    def _on_similar(self, generation: int, similar: list[int]) -> None:
        if generation != self._suggestion_generation or self.detail is None:
            return
        self.suggested = suggestions_for(self.detail, similar, self.archive)
        self._show_suggestions(self.suggested)

    def _show_suggestions(self, suggested: list[tuple[int, str, str]]) -> None:
        self._clear_box(self.suggestions_box)
        detail = self.detail
        linked = {link.other_id for link in detail.links} if detail else set()
        shown = [s for s in suggested if s[0] not in linked]
        pending = (
            [
                r
                for r in (detail.references if detail else ())
                if r.match_id is None and r.owner_id == detail.id
            ]
            if detail
            else []
        )
        for other_id, title, reason in shown:
            row = LinkRow(title, reason, None, "Link")
            row.setObjectName("suggestionRow")
            row.title_label.activated.connect(
                lambda other=other_id: self.open_requested.emit(other)
            )
            row.action.setToolTip("Link this story to the one you are reading")
            row.action.clicked.connect(
                lambda _=False, other=other_id, why=reason: self._link_suggestion(other, why)
            )
            self.suggestions_box.addWidget(row)
        for reference in pending:
            label = plain_label(
                f"“{reference.headline}” — promoted as “Read more”; not in the archive yet.",
                "hint",
                wrap=True,
            )
            self.suggestions_box.addWidget(label)
        self.suggestions_empty.setVisible(not shown and not pending)

    def _link_suggestion(self, other_id: int, reason: str) -> None:
        if self.detail is not None:
            self.runner.run(ops.link(self.detail.id, other_id, reason, None), origin=self)

    # -- refreshing --------------------------------------------------------------------------

    def _on_operation(self, changes: OpChanges, origin: QObject | None) -> None:
        if self.detail is None:
            return
        if self.detail.id in changes.clippings or changes.links:
            from_my_note = isinstance(origin, NoteEdit) and origin in self.note_edits
            self._load(self.detail.id, keep_notes=from_my_note)
        elif changes.added or changes.removed:
            # A new or trashed clipping may be a suggestion or a matched "Read more".
            self._load(self.detail.id, keep_notes=True)


def suggestions_for(
    detail: ClippingDetail, similar: Sequence[int], archive: Archive
) -> list[tuple[int, str, str]]:
    """(id, title, why) for matched "Read more" references first, then similar clippings."""
    result: list[tuple[int, str, str]] = []
    seen = {detail.id}
    for reference in detail.references:
        other = reference.match_id if reference.owner_id == detail.id else reference.owner_id
        if other is None or other in seen:
            continue
        seen.add(other)
        why = (
            f"promoted here as “Read more: {reference.headline}”"
            if reference.owner_id == detail.id
            else "promotes this story as “Read more”"
        )
        result.append((other, "", why))
    for other in similar:
        if other not in seen:
            seen.add(other)
            result.append((other, "", "similar story"))
    titles = {s.id: s.title for s in archive.summaries([r[0] for r in result])}
    return [(cid, titles[cid], why) for cid, _title, why in result if cid in titles]
