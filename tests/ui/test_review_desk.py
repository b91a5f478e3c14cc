"""The import review panel for a big batch and across restarts: Accept all and Dismiss all,
the keyboard, chips that stay under the pointer, a possible duplicate with the clipping it
may repeat one click away, cards that come back after a restart, and no stray window while
a batch imports. Chips count only when they are on screen (`visible_chip_texts`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.ingest import ImportOutcome
from clipper.core.views import ClippingFilter
from clipper.ui.main_window import MainWindow
from tests.ui.helpers import on_screen, press, visible_chip_texts, visible_chips
from tests.ui.test_import_review import story_folder

WAIT = 10_000
BATCH = 180

pytestmark = pytest.mark.qt_log_ignore(
    r"^This plugin does not support (raise\(\)|grabbing the keyboard|propagateSizeHints\(\))$"
)


def suggested(number: int) -> ClippingDraft:
    return ClippingDraft(
        title=f"Dispatch {number} from Niamey",
        body=f"Dispatch number {number}: the junta received a delegation in Niamey.",
        regions=[Suggestion("Niger", "NE", 0.9)],
        topics=[Suggestion("Security", None, 0.4)],
    )


def import_drafts(window: MainWindow, drafts: list[ClippingDraft]) -> None:
    batch = window.importer.start([])
    for number, draft in enumerate(drafts):
        outcome = ImportOutcome(label=f"dispatch-{number:03}.txt", ok=True, draft=draft)
        window.importer._on_outcome(batch, outcome)
    window.importer._on_reading_finished(batch)


def test_a_180_item_batch_is_accepted_or_dismissed_at_once_and_undone_as_one(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    import_drafts(window, [suggested(n) for n in range(BATCH)])
    panel = window.review_panel
    qtbot.waitUntil(lambda: len(panel.entries) == 60, timeout=WAIT)  # the first page
    assert panel.count_label.text() == "180 cards to review"
    assert on_screen(panel.accept_all_button)
    qtbot.mouseClick(panel.accept_all_button, Qt.MouseButton.LeftButton)
    tagged = archive.list_ids(ClippingFilter(tag_ids=(archive.find_tag("region", "Niger").id,)))  # type: ignore[union-attr]
    assert len(tagged) == BATCH
    assert archive.pending_reviews() == []
    assert "Accepted 360 suggestions on 180 clippings" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: panel.entries == [], timeout=WAIT)
    press(qtbot, window, "Ctrl+Z", window.results.table)
    assert len(archive.pending_reviews()) == BATCH, "one undo brings every card back"
    assert archive.list_ids(ClippingFilter(tag_ids=(archive.find_tag("region", "Niger").id,))) == []  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: len(panel.entries) == 60, timeout=WAIT)
    qtbot.mouseClick(panel.dismiss_all_button, Qt.MouseButton.LeftButton)
    assert archive.pending_reviews() == []
    assert archive.count() == BATCH, "dismissing forgets the cards, not the clippings"


def test_the_review_panel_is_used_from_the_keyboard(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    import_drafts(window, [suggested(n) for n in range(3)])
    panel = window.review_panel
    qtbot.waitUntil(lambda: len(panel.entries) == 3, timeout=WAIT)
    first, second, third = panel.entries
    panel.focus_first()
    qtbot.waitUntil(first.hasFocus, timeout=WAIT)
    qtbot.keyClick(first, Qt.Key.Key_1)
    cid = first.entry.clipping_id
    assert cid is not None and {t.name for t in archive.get(cid).tags} == {"Niger"}
    assert visible_chip_texts(first) == ["✓ Niger", "+ Security"]
    qtbot.keyClick(first, Qt.Key.Key_Down)
    assert second.hasFocus()
    qtbot.keyClick(second, Qt.Key.Key_Return)
    assert {t.name for t in archive.get(second.entry.clipping_id).tags} == {"Niger", "Security"}  # type: ignore[arg-type]
    qtbot.keyClick(second, Qt.Key.Key_Down)
    assert third.hasFocus()
    qtbot.keyClick(third, Qt.Key.Key_Delete)
    assert archive.get(third.entry.clipping_id).tags == ()  # type: ignore[arg-type]
    assert [card.entry.clipping_id for card in panel.entries] == [cid]
    qtbot.keyClick(panel.entries[0], Qt.Key.Key_O)
    assert window.reader.detail is not None and window.reader.detail.id == cid


def test_a_double_click_on_a_chip_accepts_it_once_and_nothing_moves(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    import_drafts(window, [suggested(1)])
    panel = window.review_panel
    qtbot.waitUntil(lambda: len(panel.entries) == 1, timeout=WAIT)
    [card] = panel.entries
    qtbot.waitUntil(lambda: visible_chip_texts(card) == ["+ Niger", "+ Security"], timeout=WAIT)
    niger, security = visible_chips(card)
    where = security.mapTo(panel, security.rect().topLeft())
    spot = niger.mapTo(panel, niger.rect().center())

    def click_at_the_spot() -> None:
        # Whatever is under the pointer now: the pointer stays where it was.
        QApplication.processEvents()
        under = panel.childAt(spot)
        assert under is not None
        qtbot.mouseClick(under, Qt.MouseButton.LeftButton, pos=under.mapFrom(panel, spot))

    click_at_the_spot()
    qtbot.mouseDClick(panel.childAt(spot), Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    click_at_the_spot()  # the second click of a quick pair
    QApplication.processEvents()
    tags = {t.name for t in archive.get(card.entry.clipping_id).tags}  # type: ignore[arg-type]
    assert tags == {"Niger"}, "the click that followed did not land on the next chip"
    assert visible_chip_texts(card) == ["✓ Niger", "+ Security"]
    assert security.mapTo(panel, security.rect().topLeft()) == where


def test_a_possible_duplicate_shows_the_clipping_it_may_repeat(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    first = archive.add(
        ClippingDraft(title="AES summit in Bamako", body="The ministers met in Bamako.")
    ).id
    batch = window.importer.start([])
    near = ClippingDraft(title="AES summit, the wire copy", body="The ministers met. Wire.")
    window.importer._on_outcome(
        batch,
        ImportOutcome(label="wire.txt", ok=True, draft=near, duplicate_of=first, similarity=0.93),
    )
    panel = window.review_panel
    qtbot.waitUntil(lambda: len(panel.entries) == 1, timeout=WAIT)
    [card] = panel.entries
    assert card.open_duplicate is not None and on_screen(card.open_duplicate)
    assert card.open_duplicate.text() == "AES summit in Bamako"
    assert any(
        "#" + str(first) in label.text() and "93% alike" in label.text()
        for label in card.findChildren(type(card.open_duplicate).__mro__[1])
    )
    qtbot.mouseClick(card.open_duplicate, Qt.MouseButton.LeftButton)
    assert window.reader.detail is not None and window.reader.detail.id == first


def test_cards_come_back_after_a_restart_and_failures_do_not(
    qtbot, make_window, archive: Archive
) -> None:
    window = make_window()
    import_drafts(window, [suggested(n) for n in range(2)])
    batch = window.importer.batches[-1]
    window.importer._on_outcome(
        batch, ImportOutcome(label="broken.pdf", ok=False, error="the PDF is truncated")
    )
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 3, timeout=WAIT)
    first = window.review_panel.entries[0]
    qtbot.mouseClick(visible_chips(first)[0], Qt.MouseButton.LeftButton)
    window.close()
    again: MainWindow = make_window()
    line = again.progress_line
    qtbot.waitUntil(line.isVisible, timeout=WAIT)
    assert line.label.text() == "2 clippings from earlier imports to review"
    qtbot.mouseClick(line.review_button, Qt.MouseButton.LeftButton)
    panel = again.review_panel
    qtbot.waitUntil(lambda: len(panel.entries) == 2, timeout=WAIT)
    texts = sorted(tuple(visible_chip_texts(card)) for card in panel.entries)
    assert texts == [("+ Niger", "+ Security"), ("✓ Niger", "+ Security")]
    assert all(card.entry.status != "failed" for card in panel.entries)
    card = next(c for c in panel.entries if visible_chip_texts(c)[0] == "+ Niger")
    qtbot.mouseClick(visible_chips(card)[0], Qt.MouseButton.LeftButton)
    assert {t.name for t in archive.get(card.entry.clipping_id).tags} == {"Niger"}  # type: ignore[arg-type]


class TopLevelShows(QObject):
    """Every window (other than `main`) that is shown while it watches."""

    def __init__(self, main: QWidget) -> None:
        super().__init__()
        self.main = main
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched is not self.main
        ):
            self.shown.append(f"{type(watched).__name__} {watched.objectName()!r}")
        return False


def test_no_stray_window_shows_while_a_batch_imports(
    qtbot, make_window, archive: Archive, tmp_path: Path
) -> None:
    window = make_window(writer=None, reader=None, importer=None)  # the app's real workers
    watcher = TopLevelShows(window)
    QApplication.instance().installEventFilter(watcher)  # type: ignore[union-attr]
    try:
        folder = story_folder(tmp_path / "drop", 12)
        (folder / "broken.pdf").write_text("%PDF-1.4 a file cut short")
        batch = window.import_items([str(folder)])
        qtbot.waitUntil(lambda: batch.finished, timeout=30_000)
        qtbot.waitUntil(window.review_dock.isVisible, timeout=WAIT)
        QApplication.processEvents()
    finally:
        QApplication.instance().removeEventFilter(watcher)  # type: ignore[union-attr]
    assert watcher.shown == []


def test_a_review_read_back_while_its_batch_stores_it_has_one_card(
    qtbot, make_window, archive: Archive
) -> None:
    """A refresh of the reviews (the trash changed, another desk imported) may read a new
    review from the archive before the writer's answer reaches the window: it is still
    the batch's own card, not a second one among the earlier imports."""
    import time

    from clipper.ui.tasks import serial_executor

    window = make_window(writer=serial_executor("test-writer"))
    batch = window.importer.start([])
    window.importer._on_outcome(
        batch, ImportOutcome(label="dispatch.txt", ok=True, draft=suggested(1))
    )
    deadline = time.monotonic() + WAIT / 1000
    while not archive.pending_reviews() and time.monotonic() < deadline:
        time.sleep(0.01)  # the writer has stored it; its answer waits in the event queue
    window.review_desk.sync(archive.pending_reviews())
    [entry] = batch.entries
    qtbot.waitUntil(lambda: entry.review is not None, timeout=WAIT)
    window.importer._on_reading_finished(batch)
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 1, timeout=WAIT)
    qtbot.wait(200)
    assert [card.entry for card in window.review_panel.entries] == [entry]
    earlier = [b for b in window.importer.batches if b.number == 0]
    assert all(not b.entries for b in earlier)
