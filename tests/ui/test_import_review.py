"""The import review panel: guessed titles to confirm, suggestions accepted with one click,
possible duplicates kept or skipped; and an import on real worker threads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.ingest import ImportOutcome
from clipper.core.views import ClippingFilter
from clipper.ui.main_window import MainWindow
from tests.ui.helpers import drop, press, visible_chip_texts, visible_chips

WAIT = 5000


def outcome(
    draft: ClippingDraft,
    label: str = "dropped.txt",
    duplicate_of: int | None = None,
    similarity: float | None = None,
) -> ImportOutcome:
    """A dry-run outcome as the pipeline yields it."""
    return ImportOutcome(
        label=label, ok=True, draft=draft, duplicate_of=duplicate_of, similarity=similarity
    )


def story_folder(folder: Path, count: int) -> Path:
    """A folder of `count` short stories, as an editor's download folder would hold."""
    folder.mkdir()
    for number in range(count):
        (folder / f"{number:02}.txt").write_text(
            f"Sahel story {number}\n\nReport number {number} on the Yevkurov tour.\n"
        )
    return folder


def test_a_guessed_title_is_confirmed_or_corrected(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    mime = QMimeData()
    mime.setText(
        "The Russian deputy defence minister landed in Niamey on Sunday. He met General Tiani."
    )
    drop(window, mime)
    qtbot.waitUntil(lambda: archive.count() == 1, timeout=WAIT)
    [clipping_id] = archive.list_ids()
    assert archive.get(clipping_id).title_guessed
    assert window.review_dock.isVisible()
    [entry] = window.review_panel.entries
    assert entry.title_field is not None and entry.confirm_button is not None
    entry.title_field.setText("Yevkurov lands in Niamey")
    qtbot.mouseClick(entry.confirm_button, Qt.MouseButton.LeftButton)
    detail = archive.get(clipping_id)
    assert detail.title == "Yevkurov lands in Niamey" and not detail.title_guessed
    [entry] = window.review_panel.entries  # what is left: the suggested region
    # The confirmed title stays where it was, no longer asking (nothing moves under the
    # pointer: the chips below stay in place).
    assert entry.title_field is not None and entry.title_field.isReadOnly()
    assert entry.confirm_button is not None and not entry.confirm_button.isEnabled()
    assert entry.title_field.text() == "Yevkurov lands in Niamey"
    assert "+ Niger" in visible_chip_texts(entry)


def test_suggested_tags_are_accepted_with_one_click(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    draft = ClippingDraft(
        title="Niger ends European security missions",
        body="Eucap Sahel Niger and EUMPM were asked to leave Niamey.",
        regions=[Suggestion("Niger", "NE", 0.9)],
        topics=[Suggestion("Security", None, 0.5)],
    )
    batch = window.importer.start([])
    window.importer._on_outcome(batch, outcome(draft))
    [clipping_id] = archive.list_ids()
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 1, timeout=WAIT)
    [entry] = window.review_panel.entries
    qtbot.waitUntil(lambda: visible_chip_texts(entry) == ["+ Niger", "+ Security"], timeout=WAIT)
    qtbot.mouseClick(visible_chips(entry)[0], Qt.MouseButton.LeftButton)
    assert {(t.kind, t.name) for t in archive.get(clipping_id).tags} == {("region", "Niger")}
    [entry] = window.review_panel.entries
    assert [c.text for c in entry.suggestion_chips] == ["+ Security"]
    assert visible_chip_texts(entry) == ["✓ Niger", "+ Security"], "the chips stay in place"
    qtbot.mouseClick(entry.suggestion_chips[0], Qt.MouseButton.LeftButton)
    assert ("topic", "Security") in {(t.kind, t.name) for t in archive.get(clipping_id).tags}
    assert window.review_panel.entries == []


def test_a_possible_duplicate_waits_to_be_kept_or_skipped(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    first = archive.add(ClippingDraft(title="AES summit", body="The ministers met in Bamako.")).id
    batch = window.importer.start([])
    for number in (1, 2):
        draft = ClippingDraft(
            title=f"AES summit, take {number}", body=f"The ministers met. {number}"
        )
        near = outcome(draft, f"take{number}.txt", duplicate_of=first, similarity=0.93)
        window.importer._on_outcome(batch, near)
    assert archive.count() == 1, "possible duplicates are not stored unasked"
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 2, timeout=WAIT)
    keep, skip = window.review_panel.entries
    assert keep.keep_button is not None and skip.skip_button is not None
    qtbot.mouseClick(keep.keep_button, Qt.MouseButton.LeftButton)
    assert archive.count() == 2
    [skip] = window.review_panel.entries
    assert skip.skip_button is not None
    qtbot.mouseClick(skip.skip_button, Qt.MouseButton.LeftButton)
    assert archive.count() == 2 and window.review_panel.entries == []
    assert [e.status for e in batch.entries] == ["stored", "skipped"]


def test_an_exact_duplicate_is_reported_not_stored_twice(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "mali.txt"
    path.write_text("Mali receives Yevkurov\n\nThe delegation landed in Bamako.\n")
    for _ in range(2):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        drop(window, mime)
    assert archive.count() == 1
    assert "1 already in the archive" in window.progress_line.label.text()


def test_an_import_is_undone_as_one_change_into_the_trash(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    kept = archive.add(ClippingDraft(title="Already here", body="Filed last week.")).id
    folder = story_folder(tmp_path / "drop", 3)
    (folder / "empty.txt").write_text("")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop(window, mime)
    assert archive.count() == 4
    assert window.undo_action.text() == "&Undo Import 3 clippings"
    window.results.table.setFocus()
    press(qtbot, window, "Ctrl+Z")
    assert archive.list_ids() == [kept], "undo moves what the import stored to the trash"
    assert archive.count(ClippingFilter(in_trash=True)) == 3
    press(qtbot, window, "Ctrl+Shift+Z")
    assert archive.count() == 4 and archive.count(ClippingFilter(in_trash=True)) == 0


def test_a_duplicate_kept_after_the_batch_is_its_own_undo(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    first = archive.add(ClippingDraft(title="AES summit", body="The ministers met in Bamako.")).id
    batch = window.importer.start([])
    fresh = ClippingDraft(title="Niamey talks", body="The ministers met in Niamey.")
    window.importer._on_outcome(batch, outcome(fresh, "new.txt"))
    near = ClippingDraft(title="AES summit, again", body="The ministers met. Again.")
    held_back = outcome(near, "again.txt", duplicate_of=first, similarity=0.9)
    window.importer._on_outcome(batch, held_back)
    window.importer._on_reading_finished(batch)
    assert window.undo_action.text() == "&Undo Import Niamey talks"
    qtbot.waitUntil(lambda: len(window.review_panel.entries) == 1, timeout=WAIT)
    [held] = window.review_panel.entries
    assert held.keep_button is not None
    qtbot.mouseClick(held.keep_button, Qt.MouseButton.LeftButton)
    assert window.undo_action.text() == "&Undo Import AES summit, again"
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert archive.list_ids() == [first]


def test_a_dropped_clipper_export_brings_back_clippings_notes_links_and_dossiers(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    from clipper.export.json_export import write_json_export

    with Archive.open(tmp_path / "colleague") as colleague:
        mali = colleague.add(ClippingDraft(title="Mali receives Yevkurov", body="In Bamako.")).id
        burkina = colleague.add(
            ClippingDraft(title="Ouagadougou stop confirmed", body="In Ouagadougou.")
        ).id
        colleague.add_note(mali, "Check the date of the Bamako stop")
        colleague.link(mali, burkina, "Yevkurov tour: Bamako and Ouagadougou stops", "same-event")
        colleague.create_dossier("Russia in the Sahel")
        colleague.add_to_dossier("Russia in the Sahel", [burkina, mali])
        export = tmp_path / "dossier.json"
        write_json_export(colleague, export)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(export))])
    drop(window, mime)
    assert archive.count() == 2, "the export's clippings, not one clipping of JSON"
    [dossier] = archive.dossiers()
    ids = dossier.clipping_ids
    assert [archive.get(cid).title for cid in ids] == [
        "Ouagadougou stop confirmed",
        "Mali receives Yevkurov",
    ]
    mali_here = archive.get(ids[1])
    assert [n.text for n in mali_here.notes] == ["Check the date of the Bamako stop"]
    assert [link.note for link in mali_here.links] == [
        "Yevkurov tour: Bamako and Ouagadougou stops"
    ]
    text = window.progress_line.label.text()
    assert text.startswith("dossier.json: 2 clippings created, 1 note, 1 link, 1 dossier"), text
    qtbot.waitUntil(lambda: window.results.model.rowCount() == 2, timeout=WAIT)


def test_a_damaged_clipper_export_is_a_failure_with_its_reason(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    export = tmp_path / "cut-short.json"
    export.write_text('{"format": "clipper-export", "schema_version": 1, "tags": [', "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(export))])
    drop(window, mime)
    assert archive.count() == 0
    [entry] = window.importer.batches[-1].entries
    assert entry.status == "failed"
    assert entry.error is not None and entry.error.startswith("cut-short.json: ")
    assert "not valid JSON" in entry.error
    assert "1 failed" in window.progress_line.label.text()


def test_import_on_real_threads_shows_each_clipping_as_it_is_stored(
    qtbot, make_window, archive: Archive, tmp_path: Path
) -> None:
    window = make_window(writer=None, reader=None, importer=None)  # the app's real workers
    folder = story_folder(tmp_path / "drop", 12)
    seen_counts: list[int] = []
    window.results.model.rowsInserted.connect(
        lambda *_: seen_counts.append(window.results.model.rowCount())
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    drop(window, mime)
    assert window.progress_line.isVisible(), (
        "the drop returns at once; the batch shows in the status bar"
    )
    qtbot.waitUntil(lambda: window.results.model.rowCount() == 12, timeout=15_000)
    qtbot.waitUntil(
        lambda: window.progress_line.label.text().startswith("Imported 12"), timeout=WAIT
    )
    assert seen_counts and seen_counts[-1] == 12


def test_cancel_stops_the_batch_and_keeps_what_was_stored(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    paths = []
    for number in range(5):
        path = tmp_path / f"{number}.txt"
        path.write_text(
            f"Story {number} from Niamey\n\nThe junta received a Russian delegation on "
            f"Monday, the {number + 1}th visit this year, and signed a defence protocol.\n"
        )
        paths.append(path)
    stored = []

    def cancel_after_two(batch, entry) -> None:  # type: ignore[no-untyped-def]
        stored.append(entry)
        if len(stored) == 2:
            qtbot.mouseClick(window.progress_line.cancel_button, Qt.MouseButton.LeftButton)

    window.importer.entry_changed.connect(cancel_after_two)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    drop(window, mime)
    assert archive.count() == 2
    assert "cancelled" in window.progress_line.label.text()


def test_cancel_reaches_the_import_process(
    qtbot, make_window, archive: Archive, tmp_path: Path
) -> None:
    window = make_window(writer=None, reader=None, importer=None)  # the app's real workers
    folder = story_folder(tmp_path / "many", 40)
    batch = window.import_items([str(folder)])
    qtbot.mouseClick(window.progress_line.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: batch.finished, timeout=15_000)
    assert batch.cancelled and "cancelled" in window.progress_line.label.text()
    assert archive.count() < 40


def test_a_suggested_topic_says_what_it_rests_on_and_unrelated_pages_get_none(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
) -> None:
    """Issue 12: a topic is suggested only with evidence, and the review panel says what the
    evidence is (the chip's tooltip: the similar clipping and the words it shares)."""
    for number in range(3):
        archive.add(
            ClippingDraft(
                title=f"Wagner and the Sahel juntas, part {number}",
                body=(
                    f"Report {number}: Russian instructors and Wagner mercenaries arrived in"
                    " Bamako and Niamey as the juntas of Mali, Burkina Faso and Niger turned"
                    " to Moscow for weapons, helicopters and military training. Google"
                    " searches for Wagner rose across Africa, and the company's security"
                    " contractors were seen near the stadium in Bamako."
                ),
            ),
            tags=[("topic", "Russia in Africa")],
        )
    archive.index.catch_up()
    related, review = tmp_path / "wagner.txt", tmp_path / "stadia.txt"
    related.write_text(
        "More Wagner instructors land in Niamey\n\n"
        "A second group of Russian instructors linked to Wagner landed in Niamey on Monday, as"
        " the junta of Niger followed Mali and Burkina Faso in turning to Moscow for weapons"
        " and training. The mercenaries brought helicopters, officials said.\n",
        encoding="utf-8",
    )
    review.write_text(
        "Google Stadia review: cloud gaming that works, mostly\n\n"
        "Google's Stadia streams games from the company's data centres to a television, a"
        " laptop or a phone, and on a fast connection it works better than we expected. The"
        " controller connects over wifi rather than to the screen. The subscription costs ten"
        " dollars a month.\n",
        encoding="utf-8",
    )
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(related)), QUrl.fromLocalFile(str(review))])
    drop(window.results.table.viewport(), mime)
    qtbot.waitUntil(lambda: archive.count() == 5, timeout=WAIT)
    qtbot.waitUntil(lambda: len(window.review_panel.entries) >= 1, timeout=WAIT)

    def chips_of(title_start: str) -> dict[str, str]:
        cards = [
            card
            for card in window.review_panel.entries
            if card.entry.review is not None
            and card.entry.review.clipping_title.startswith(title_start)
        ]
        return {c.text: c.toolTip() for card in cards for c in visible_chips(card)}

    qtbot.waitUntil(lambda: "+ Russia in Africa" in chips_of("More Wagner"), timeout=WAIT)
    why = chips_of("More Wagner")["+ Russia in Africa"]
    assert "tagged so on #" in why and "Wagner and the Sahel juntas" in why, why
    assert "which shares: " in why and "wagner" in why.split("which shares: ")[1], why
    assert "+ Russia in Africa" not in chips_of("Google Stadia")
