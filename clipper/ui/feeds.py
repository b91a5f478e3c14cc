"""Following a feed from the window: the small dialog (address, name, tags, rule, how often),
opened from the Feeds menu or offered when a dropped or pasted address serves a feed or is a
page that links one. A malformed rule (or tag) is said under its field as it is typed; what
only the network can tell (not a feed, 404) is said under the address once the dialog has
asked. The dialog does no work itself: `submitted` carries a `FeedRequest`, and the monitor
desk follows it on its worker and answers with `show_error` or by closing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clipper.core.archive import InvalidInput, parse_tag_spec
from clipper.core.monitor import DEFAULT_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES
from clipper.core.monitor.discover import FeedOffer
from clipper.core.monitor.rules import TagSpec
from clipper.core.search import QuerySyntaxError
from clipper.core.search.query import parse
from clipper.ui.dialogs import fix_size_before_showing
from clipper.ui.widgets import plain_label


@dataclass(frozen=True)
class FeedRequest:
    url: str
    name: str | None
    tags: tuple[TagSpec, ...]
    rule: str | None
    interval_minutes: int


def parse_tags(text: str) -> list[TagSpec]:
    """'topic:Security, region:Sahel' -> the tags (InvalidInput naming a bad one)."""
    return [parse_tag_spec(part) for part in (p.strip() for p in text.split(",")) if part]


def rule_problem(text: str) -> str | None:
    """What is wrong with a rule as typed (None when it reads, or is blank)."""
    if not text.strip():
        return None
    try:
        parse(text)
    except QuerySyntaxError as exc:
        return str(exc)
    return None


def _error_label(name: str) -> QLabel:
    """A line under a field for what is wrong with it; empty while nothing is. It keeps its
    room (sized for two lines before the dialog is shown): a dialog whose layout moves its
    minimum after it has a window makes platforms without size hints warn."""
    label = plain_label("\n", name=name, wrap=True)
    label.setProperty("role", "error")
    return label


class AddFeedDialog(QDialog):
    """Follow a feed (see the module notes).

    Signals:
        submitted(FeedRequest): the editor asked to follow the feed as filled in.
        import_instead(str): the editor would rather import the dropped page itself.
    """

    submitted = Signal(object)
    import_instead = Signal(str)

    def __init__(self, offer: FeedOffer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addFeedDialog")
        self.setWindowTitle("Follow a feed")
        self.offer = offer
        layout = QVBoxLayout(self)
        self.intro = plain_label(name="feedIntro", wrap=True)
        if offer is not None and offer.page_url:
            self.intro.setText(f"The page {offer.page_url} links a feed. Follow it?")
        elif offer is not None:
            self.intro.setText("This address serves a feed. Follow it?")
        else:
            self.intro.setText("Entries of the feed arrive in the Inbox, not the library.")
        layout.addWidget(self.intro)

        form = QFormLayout()
        self.url_field = QLineEdit(offer.url if offer else "")
        self.url_field.setObjectName("feedUrl")
        self.url_field.setPlaceholderText("https://example.org/feed.xml")
        self.url_error = _error_label("feedUrlError")
        self.name_field = QLineEdit((offer.title or "") if offer else "")
        self.name_field.setObjectName("feedName")
        self.name_field.setPlaceholderText("the feed's own title")
        self.tags_field = QLineEdit()
        self.tags_field.setObjectName("feedTags")
        self.tags_field.setPlaceholderText("topic:Security, region:Sahel")
        self.tags_error = _error_label("feedTagsError")
        self.rule_field = QLineEdit()
        self.rule_field.setObjectName("feedRule")
        self.rule_field.setPlaceholderText("a search, e.g. region:Sahel (blank: every entry)")
        self.rule_error = _error_label("feedRuleError")
        self.interval = QSpinBox()
        self.interval.setObjectName("feedInterval")
        self.interval.setRange(MIN_INTERVAL_MINUTES, 24 * 60)
        self.interval.setValue(DEFAULT_INTERVAL_MINUTES)
        self.interval.setSuffix(" min")
        # Room for a real address and a rule, not just their first words.
        for field in (self.url_field, self.name_field, self.tags_field, self.rule_field):
            field.setMinimumWidth(380)
        form.addRow("&Address", self.url_field)
        form.addRow("", self.url_error)
        form.addRow("&Name", self.name_field)
        form.addRow("&Tags", self.tags_field)
        form.addRow("", self.tags_error)
        form.addRow("&Rule", self.rule_field)
        form.addRow("", self.rule_error)
        form.addRow("&Every", self.interval)
        layout.addLayout(form)

        self.buttons = QDialogButtonBox()
        self.follow_button = self.buttons.addButton(
            "&Follow", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.follow_button.setObjectName("followFeed")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button: QPushButton | None = None
        if offer is not None and offer.page_url:
            self.import_button = self.buttons.addButton(
                "&Import the page instead", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.import_button.clicked.connect(self._on_import_instead)
        self.buttons.accepted.connect(self._on_follow)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.rule_field.textChanged.connect(self._check_rule)
        self.tags_field.textChanged.connect(self._check_tags)
        self.url_field.textChanged.connect(lambda _text: self.url_error.clear())
        self.busy = False
        fix_size_before_showing(self, layout)
        for label in (self.url_error, self.tags_error, self.rule_error):
            label.clear()

    def _check_rule(self) -> bool:
        problem = rule_problem(self.rule_field.text())
        self._say(self.rule_error, problem)
        return problem is None

    def _check_tags(self) -> bool:
        try:
            parse_tags(self.tags_field.text())
        except InvalidInput as exc:
            self._say(self.tags_error, str(exc))
            return False
        self._say(self.tags_error, None)
        return True

    @staticmethod
    def _say(label: QLabel, problem: str | None) -> None:
        label.setText(problem or "")

    def request(self) -> FeedRequest:
        rule = self.rule_field.text().strip()
        return FeedRequest(
            url=self.url_field.text().strip(),
            name=self.name_field.text().strip() or None,
            tags=tuple(parse_tags(self.tags_field.text())),
            rule=rule or None,
            interval_minutes=self.interval.value(),
        )

    def _on_follow(self) -> None:
        if self.busy:
            return
        if not (self._check_rule() and self._check_tags()):
            return
        if not self.url_field.text().strip():
            self._say(self.url_error, "Type the feed's address.")
            return
        self.set_busy(True)
        self.submitted.emit(self.request())

    def _on_import_instead(self) -> None:
        if self.offer is not None and self.offer.page_url:
            self.import_instead.emit(self.offer.page_url)
        self.reject()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.follow_button.setEnabled(not busy)
        self.follow_button.setText("Checking…" if busy else "&Follow")

    def show_error(self, message: str, rule: bool = False) -> None:
        """What following failed on, under the field it is about; the dialog stays open."""
        self.set_busy(False)
        self._say(self.rule_error if rule else self.url_error, message)
        (self.rule_field if rule else self.url_field).setFocus(Qt.FocusReason.OtherFocusReason)
