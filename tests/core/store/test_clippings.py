"""Clippings: storing drafts, exact duplicates, editing, listing, sorting and references."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from clipper.core.archive import Archive, InvalidInput, NotFound
from clipper.core.paths import resolve_location
from clipper.core.views import ClippingFilter
from tests.helpers.archives import draft

pytestmark = pytest.mark.backends


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


def test_changes_from_another_archive_instance_are_visible(archive_dir: Path) -> None:
    location = resolve_location(archive_dir)
    with Archive(location) as first, Archive(location) as second:
        cid = first.add(draft("from the first desk")).id
        second.add_tag(cid, "region", "Mali")
        assert first.get(cid).tags[0].name == "Mali"
        assert first.last_seq() == second.last_seq() == 2
