"""Archive operations: each is one transaction, logs its change, and returns what it changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clipper.core.archive import Archive, InvalidInput, NotFound, parse_tag_spec
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location
from clipper.core.views import ClippingFilter


def draft(title: str, body: str | None = None, **fields: object) -> ClippingDraft:
    return ClippingDraft(title=title, body=body or f"Body of {title}.", **fields)  # type: ignore[arg-type]


def test_add_stores_every_field_and_logs_the_change(archive: Archive) -> None:
    result = archive.add(
        draft(
            "Niger's junta receives a Russian delegation",
            "Colonel Assimi Goïta was not there.\n\nYevkurov landed in Niamey.",
            source="Le Monde",
            author="Morgane Le Cam",
            url="https://www.lemonde.fr/x",
            published=dt.date(2023, 12, 6),
            language="en",
            standfirst="The first Russian officials arrive.",
            extra={"translated_from": "fr"},
            original=b"raw bytes",
            original_filename="x.txt",
            original_media_type="text/plain",
        ),
        tags=[("region", "Niger"), ("topic", "Security")],
    )
    assert result.created and result.duplicate_of is None
    assert result.changes.added == {result.id}
    assert result.changes.seq == archive.last_seq() == 1
    got = archive.get(result.id)
    assert got.title == "Niger's junta receives a Russian delegation"
    assert got.source == "Le Monde" and got.author == "Morgane Le Cam"
    assert got.published == dt.date(2023, 12, 6) and got.language == "en"
    assert got.body.endswith("Yevkurov landed in Niamey.")
    assert got.extra == {"translated_from": "fr"}
    assert [(t.kind, t.name) for t in got.tags] == [("region", "Niger"), ("topic", "Security")]
    assert got.regions[0].code == "NE"
    assert archive.original(result.id) == b"raw bytes"
    assert got.original_filename == "x.txt" and got.original_size == 9
    assert [c.op for c in archive.changes_since(0)] == ["add"]


def test_exact_duplicate_by_normalized_body_returns_the_existing_id(archive: Archive) -> None:
    first = archive.add(draft("One", "The  junta\nof   GOÏTA."))
    again = archive.add(draft("Another title", "the junta of goïta."))
    assert not again.created
    assert again.id == again.duplicate_of == first.id
    assert archive.count() == 1
    assert archive.last_seq() == 1  # nothing was written


def test_add_refuses_empty_text_and_bad_precision(archive: Archive) -> None:
    with pytest.raises(InvalidInput, match="no text"):
        archive.add(draft("Title", "   \n "))
    with pytest.raises(InvalidInput, match="no title"):
        archive.add(draft("  ", "body"))
    with pytest.raises(InvalidInput, match="precision"):
        archive.add(draft("T", "b", published_precision="week"))
    assert archive.count() == 0


def test_update_metadata_confirms_a_guessed_title(archive: Archive) -> None:
    cid = archive.add(draft("As the last French soldiers leave", title_guessed=True)).id
    assert archive.get(cid).title_guessed
    changes = archive.update(cid, title="Russia moves into Niger", source="Le Monde")
    assert changes.clippings == {cid}
    got = archive.get(cid)
    assert got.title == "Russia moves into Niger" and not got.title_guessed
    assert got.source == "Le Monde"
    with pytest.raises(InvalidInput, match="cannot edit"):
        archive.update(cid, content_hash="x")
    with pytest.raises(NotFound):
        archive.update(999, title="x")


def test_updating_the_body_updates_its_hash(archive: Archive) -> None:
    cid = archive.add(draft("A", "first text")).id
    archive.update(cid, body="second text")
    assert archive.add(draft("B", "Second   TEXT")).duplicate_of == cid
    assert archive.integrity_problems() == []


def test_tags_resolve_regions_by_any_name_and_filter_includes_descendants(
    archive: Archive,
) -> None:
    niger = archive.add(draft("Niger piece"), tags=[("region", "niger")]).id
    chad = archive.add(draft("Chad piece"), tags=[("region", "Tchad")]).id  # French name
    france = archive.add(draft("France piece"), tags=[("region", "France")]).id
    archive.add(draft("Untagged piece"))
    sahel = archive.find_tag("region", "Sahel")
    aes = archive.find_tag("region", "Alliance des États du Sahel")
    africa = archive.find_tag("region", "Afrique")
    assert sahel and aes and africa
    assert set(archive.list_ids(ClippingFilter(tag_ids=(sahel.id,)))) == {niger, chad}
    assert set(archive.list_ids(ClippingFilter(tag_ids=(aes.id,)))) == {niger}
    assert set(archive.list_ids(ClippingFilter(tag_ids=(africa.id,)))) == {niger, chad}
    assert france not in archive.list_ids(ClippingFilter(tag_ids=(africa.id,)))
    assert archive.get(chad).tags[0].name == "Chad"


def test_tag_tree_counts_direct_and_subtree_clippings(archive: Archive) -> None:
    archive.add(draft("a"), tags=[("region", "Niger"), ("topic", "Security")])
    archive.add(draft("b"), tags=[("region", "Mali")])
    trashed = archive.add(draft("c"), tags=[("region", "Mali")]).id
    archive.trash([trashed])
    nodes = {n.name: n for n in archive.tag_tree("region")}
    assert nodes["Niger"].count == 1
    assert nodes["Mali"].count == 1  # the trashed one does not count
    assert nodes["Sahel"].count == 0 and nodes["Sahel"].total == 2
    assert nodes["Western Africa"].total == 2
    assert nodes["Niger"].parent_id == nodes["Western Africa"].id
    assert nodes["Sahel"].id in nodes["Niger"].group_ids
    assert [n.name for n in archive.tag_tree("topic")] == ["Security"]


def test_add_and_remove_tag_are_logged_and_idempotent(archive: Archive) -> None:
    cid = archive.add(draft("a")).id
    assert archive.add_tag(cid, "topic", "Elections").clippings == {cid}
    assert archive.add_tag(cid, "topic", "elections").clippings == set()
    assert archive.remove_tag(cid, "topic", "Elections").clippings == {cid}
    assert archive.get(cid).tags == ()
    with pytest.raises(NotFound):
        archive.remove_tag(cid, "topic", "Never existed")
    with pytest.raises(InvalidInput):
        archive.add_tag(cid, "colour", "blue")
    assert [c.op for c in archive.changes_since(1)] == ["tag", "untag"]


def test_tag_several_clippings_at_once(archive: Archive) -> None:
    ids = [archive.add(draft(f"piece {i}")).id for i in range(3)]
    changes = archive.add_tag(ids, "region", "Burkina Faso")
    assert changes.clippings == set(ids)
    bf = archive.find_tag("region", "Burkina")
    assert bf is None  # names are matched whole, not by prefix
    assert archive.count(ClippingFilter(tag_ids=(archive.find_tag("region", "BF").id,))) == 3  # type: ignore[union-attr]


def test_rename_move_and_delete_tags(archive: Archive) -> None:
    cid = archive.add(draft("a"), tags=[("topic", "Defence")]).id
    defence = archive.find_tag("topic", "Defence")
    assert defence is not None
    changes = archive.rename_tag(defence.id, "Defence and security")
    assert changes.clippings == {cid}
    assert archive.get(cid).tags[0].name == "Defence and security"
    politics = archive.create_tag("topic", "Politics").value
    archive.move_tag(defence.id, politics.id)
    assert archive.count(ClippingFilter(tag_ids=(politics.id,))) == 1
    with pytest.raises(InvalidInput, match="under"):
        archive.move_tag(politics.id, defence.id)
    with pytest.raises(InvalidInput, match="already exists"):
        archive.create_tag("topic", "politics")
    archive.delete_tag(defence.id)
    assert archive.get(cid).tags == ()


def test_topic_rules_are_checked(archive: Archive) -> None:
    topic, created = archive.create_tag("topic", "Mining")
    assert created.tags
    archive.set_topic_rule(topic.id, "any", "gold uranium")
    assert {n.name: n.match_mode for n in archive.tag_tree("topic")}["Mining"] == "any"
    with pytest.raises(InvalidInput, match="regular expression"):
        archive.set_topic_rule(topic.id, "regex", "(unclosed")
    with pytest.raises(InvalidInput, match="match mode"):
        archive.set_topic_rule(topic.id, "fuzzy", "x")


def test_notes_add_edit_delete(archive: Archive) -> None:
    cid = archive.add(draft("a")).id
    note_id, changes = archive.add_note(cid, "  Check the Flightradar24 track.  ")
    assert changes.notes and changes.clippings == {cid}
    archive.edit_note(note_id, "Checked: Bamako, Ouagadougou, Niamey.")
    assert [n.text for n in archive.get(cid).notes] == ["Checked: Bamako, Ouagadougou, Niamey."]
    archive.edit_note(note_id, "   ")  # emptying a note deletes it
    assert archive.get(cid).notes == ()
    with pytest.raises(InvalidInput):
        archive.add_note(cid, " ")
    with pytest.raises(NotFound):
        archive.delete_note(note_id)


def test_links_are_undirected_and_carry_a_note(archive: Archive) -> None:
    mali = archive.add(draft("Mali receives Yevkurov")).id
    burkina = archive.add(draft("Burkina receives Yevkurov")).id
    changes = archive.link(
        burkina, mali, "Yevkurov tour: Bamako and Ouagadougou stops", "same-event"
    )
    assert changes.links and changes.clippings == {mali, burkina}
    (from_mali,) = archive.get(mali).links
    (from_burkina,) = archive.get(burkina).links
    assert from_mali.other_id == burkina and from_burkina.other_id == mali
    assert from_mali.note == from_burkina.note == "Yevkurov tour: Bamako and Ouagadougou stops"
    assert from_mali.other_title == "Burkina receives Yevkurov"
    archive.link(mali, burkina, "Same delegation", None)  # linking again edits the link
    assert [(v.note, v.kind) for v in archive.get(burkina).links] == [("Same delegation", None)]
    with pytest.raises(InvalidInput, match="itself"):
        archive.link(mali, mali, "x")
    with pytest.raises(InvalidInput, match="link kind"):
        archive.link(mali, burkina, "x", "cousin")
    archive.unlink(burkina, mali)
    assert archive.get(mali).links == ()
    with pytest.raises(NotFound):
        archive.unlink(mali, burkina)


def test_dossiers_keep_their_order(archive: Archive) -> None:
    a, b, c = (archive.add(draft(t)).id for t in "abc")
    dossier, created = archive.create_dossier(
        "Russia in the Sahel", "Yevkurov's tour, December 2023"
    )
    assert created.dossiers
    archive.add_to_dossier(dossier.id, [c, a])
    archive.add_to_dossier("Russia in the Sahel", [b], position=1)
    assert archive.dossier(dossier.id).clipping_ids == (c, b, a)
    assert archive.list_ids(ClippingFilter(dossier_id=dossier.id)) == [c, b, a]
    archive.reorder_dossier(dossier.id, [a, b, c])
    assert archive.dossier(dossier.id).clipping_ids == (a, b, c)
    with pytest.raises(InvalidInput, match="exactly"):
        archive.reorder_dossier(dossier.id, [a, b])
    archive.remove_from_dossier(dossier.id, [b])
    assert archive.dossier(dossier.id).clipping_ids == (a, c)
    assert archive.get(a).dossiers == ("Russia in the Sahel",)
    archive.update_dossier(dossier.id, name="Russia and the AES", description="")
    assert [d.name for d in archive.dossiers()] == ["Russia and the AES"]
    with pytest.raises(InvalidInput, match="already exists"):
        archive.create_dossier("Russia and the AES")
    archive.delete_dossier(dossier.id)
    assert archive.dossiers() == [] and archive.count() == 3


def test_trash_restore_and_purge(archive: Archive) -> None:
    keep = archive.add(draft("keep")).id
    gone = archive.add(draft("gone")).id
    archive.add_note(gone, "a note")
    archive.link(keep, gone, "related")
    changes = archive.trash([gone])
    assert changes.removed == {gone}
    assert archive.list_ids() == [keep]
    assert archive.list_ids(ClippingFilter(in_trash=True)) == [gone]
    archive.restore([gone])
    assert set(archive.list_ids()) == {keep, gone}
    with pytest.raises(InvalidInput, match="not in the trash"):
        archive.purge([gone])
    archive.trash([gone])
    archive.empty_trash()
    with pytest.raises(NotFound):
        archive.get(gone)
    assert archive.get(keep).links == ()
    assert archive.integrity_problems() == []
    assert [c.op for c in archive.changes_since(0)][-1] == "purge"


def test_list_filters_and_sorting(archive: Archive) -> None:
    old = archive.add(
        draft("old", source="Reuters", published=dt.date(2023, 1, 28), language="en")
    ).id
    new = archive.add(
        draft("new", source="Le Monde", published=dt.date(2023, 12, 6), language="fr")
    ).id
    undated = archive.add(draft("undated")).id
    assert archive.list_ids() == [new, old, undated]  # newest first, undated last
    assert archive.list_ids(sort="published", descending=False) == [old, new, undated]
    assert archive.list_ids(sort="title", descending=False) == [new, old, undated]
    assert archive.list_ids(ClippingFilter(source="le monde")) == [new]
    assert archive.list_ids(ClippingFilter(language="en")) == [old]
    december = ClippingFilter(date_from=dt.date(2023, 12, 1), date_to=dt.date(2023, 12, 31))
    assert archive.list_ids(december) == [new]
    assert archive.list_ids(limit=1, offset=1) == [old]
    assert [s.title for s in archive.summaries([undated, new])] == ["undated", "new"]
    assert [(s.name, s.count) for s in archive.sources()] == [("Le Monde", 1), ("Reuters", 1)]


def test_captured_references_match_a_later_clipping(archive: Archive) -> None:
    promo = "Macron ultimately orders military exit from Niger"
    seed = archive.add(draft("Russia in Niger", related_refs=[promo, promo.upper()])).id
    (ref,) = archive.get(seed).references
    assert ref.headline == promo and ref.match_id is None
    later = archive.add(draft("Macron ultimately orders military exit from Niger!")).id
    (ref,) = archive.get(seed).references
    assert ref.match_id == later
    (back,) = archive.get(later).references
    assert back.owner_id == seed and back.match_id == later


def test_changes_from_another_archive_instance_are_visible(archive_dir: Path) -> None:
    location = resolve_location(archive_dir)
    with Archive(location) as first, Archive(location) as second:
        cid = first.add(draft("from the first desk")).id
        second.add_tag(cid, "region", "Mali")
        assert first.get(cid).tags[0].name == "Mali"
        assert first.last_seq() == second.last_seq() == 2


def test_parse_tag_spec() -> None:
    assert parse_tag_spec("region:Burkina Faso") == ("region", "Burkina Faso")
    assert parse_tag_spec("Topic: Security ") == ("topic", "Security")
    for bad in ("Niger", "region:", "place:Niger"):
        with pytest.raises(InvalidInput):
            parse_tag_spec(bad)


def test_sorting_by_regions_and_topics_follows_the_first_tag_shown(archive: Archive) -> None:
    def add(title: str, *tags: tuple[str, str]) -> int:
        return archive.add(draft(title), tags=tags).id

    niger = add("Niamey", ("region", "Niger"), ("region", "Russia"), ("topic", "Defence"))
    benin = add("Cotonou", ("region", "Benin"), ("topic", "zoning"))
    chad = add("N'Djamena", ("region", "Chad"), ("topic", "zoning"), ("topic", "Économie"))
    none = add("No tags at all")
    # A clipping without any comes last either way.
    assert archive.list_ids(sort="regions", descending=False) == [benin, chad, niger, none]
    assert archive.list_ids(sort="regions", descending=True) == [niger, chad, benin, none]
    # Accents and case do not change the order, here or in the list's cells.
    assert archive.list_ids(sort="topics", descending=False) == [niger, chad, benin, none]
    assert [s.topics for s in archive.summaries([chad])] == [("Économie", "zoning")]
    assert [s.regions for s in archive.summaries([niger])] == [("Niger", "Russia")]


def test_a_batch_is_one_transaction_that_sees_its_own_writes(archive: Archive) -> None:
    seq = archive.last_seq()
    with archive.batch():
        first = archive.add(draft("Niamey receives a Russian delegation")).id
        archive.add_tag(first, "region", "Niger")
        # Reads on this thread see what the batch wrote before it is committed.
        assert [t.name for t in archive.get(first).tags] == ["Niger"]
        second = archive.add(draft("Bamako stop of the same tour")).id
        archive.link(first, second, "Yevkurov tour")
    assert archive.get(second).links[0].note == "Yevkurov tour"
    assert archive.last_seq() > seq


def test_a_batch_that_raises_leaves_nothing_behind(archive: Archive) -> None:
    kept = archive.add(draft("Already in the archive")).id
    seq = archive.last_seq()
    with pytest.raises(InvalidInput), archive.batch():
        added = archive.add(draft("Written, then rolled back")).id
        archive.add_note(kept, "rolled back too")
        archive.link(added, added)  # refused: a clipping cannot be linked to itself
    assert archive.list_ids() == [kept]
    assert not archive.get(kept).notes
    assert archive.last_seq() == seq
    assert archive.integrity_problems() == []


def test_other_threads_wait_for_a_batch_and_never_see_half_of_it(archive: Archive) -> None:
    import threading

    seen: list[int] = []
    inside, done = threading.Event(), threading.Event()

    def other_desk() -> None:
        inside.wait(5)
        seen.append(len(archive.list_ids()))  # a read does not wait, and sees none of it
        archive.add(draft("Written by another thread"))
        done.set()

    thread = threading.Thread(target=other_desk)
    thread.start()
    with archive.batch():
        archive.add(draft("First of the batch"))
        inside.set()
        assert not done.wait(0.3)  # the other thread's write waits for the batch
        archive.add(draft("Second of the batch"))
    thread.join(5)
    assert seen == [0]
    assert done.is_set() and len(archive.list_ids()) == 3
