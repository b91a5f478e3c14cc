"""The JSON export round-trips: exporting an archive and importing the file into an empty one
recreates the same archive, compared field by field (ids aside)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from clipper.core.archive import Archive, ArchiveError
from clipper.core.paths import resolve_location
from clipper.export.common import ExportError
from clipper.export.json_export import (
    SCHEMA_VERSION,
    InvalidExport,
    import_json_file,
    is_clipper_export,
    read_export,
    write_json_export,
)
from tests.helpers.samples import Sample, all_ids, snapshot

# Imports, catch-up and exports must behave the same on a shared server.
pytestmark = pytest.mark.backends


def _enrich(sample: Sample) -> None:
    """History and structure beyond the fixture: a trashed clipping, a topic tree with a rule,
    a region of the editor's own under a gazetteer region, an edited note, a second dossier."""
    archive = sample.archive
    archive.trash([sample.ids["grain"]])
    security = archive.create_tag("topic", "Security").value
    archive.move_tag(archive.find_tag("topic", "Defence").id, security.id)  # type: ignore[union-attr]
    archive.set_topic_rule(security.id, "any", "army soldiers troops")
    liptako = archive.create_tag("region", "Liptako-Gourma").value
    archive.move_tag(liptako.id, archive.find_tag("region", "Niger").id)  # type: ignore[union-attr]
    archive.add_tag(sample.ids["niamey"], "region", "Liptako-Gourma")
    note_id, _ = archive.add_note(sample.ids["moscow"], "черновик")
    archive.edit_note(note_id, "Перевести к вечеру")
    archive.create_dossier("Empty for now", "to fill next week")
    # Gazetteer regions the editor renamed and moved keep their identity.
    western = archive.find_tag("region", "Western Africa")
    archive.rename_tag(western.id, "West Africa desk")  # type: ignore[union-attr]
    sahel = archive.find_tag("region", "Sahel")
    archive.move_tag(sahel.id, archive.find_tag("region", "Africa").id)  # type: ignore[union-attr]
    archive.update(sample.ids["bamako"], author="A. Traoré")


def _other_archive(tmp_path: Path, name: str) -> Archive:
    return Archive(resolve_location(tmp_path / name))


def test_export_then_import_recreates_the_same_archive(sample: Sample, tmp_path: Path) -> None:
    _enrich(sample)
    path = tmp_path / "export.json"
    result = write_json_export(sample.archive, path)
    assert result.clippings == 5 and result.links == 3 and result.dossiers == 2

    with _other_archive(tmp_path, "copy") as copy:
        report = import_json_file(copy, path)
        assert (report.created, report.merged) == (5, 0)
        original, recreated = snapshot(sample.archive), snapshot(copy)
        assert recreated["clippings"].keys() == original["clippings"].keys()
        for key, fields in original["clippings"].items():
            assert recreated["clippings"][key] == fields, fields["title"]
        assert recreated["links"] == original["links"]
        assert recreated["tags"] == original["tags"]
        assert recreated["dossiers"] == original["dossiers"]
        assert recreated == original
        # And the copy is consistent: its index can be built and agrees with it.
        assert copy.integrity_problems() == []


def test_importing_the_same_export_twice_changes_nothing(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_json_export(sample.archive, path)
    with _other_archive(tmp_path, "copy") as copy:
        import_json_file(copy, path)
        first = snapshot(copy)
        again = import_json_file(copy, path)
        assert (again.created, again.merged, again.notes, again.links) == (0, 5, 0, 0)
        assert snapshot(copy) == first


def test_importing_into_an_archive_with_work_in_it_merges(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    write_json_export(sample.archive, path, [sample.ids["bamako"], sample.ids["niamey"]])
    with _other_archive(tmp_path, "desk") as desk:
        # The desk already has the Bamako story, with a note of its own.
        fill = Sample(sample.archive, {}, sample.data)
        body = sample.archive.get(sample.ids["bamako"]).body
        from clipper.core.drafts import ClippingDraft

        mine = desk.add(ClippingDraft(title=fill.title("bamako"), body=body)).id
        desk.add_note(mine, "Our own note")
        report = import_json_file(desk, path)
        assert (report.created, report.merged) == (1, 1)
        merged = desk.get(mine)
        assert [n.text for n in merged.notes] == [
            "Our own note",
            "Vérifier la date exacte de l'étape de Ouagadougou avant publication.",
        ]
        assert {t.name for t in merged.tags} == {"Mali", "Defence", "Diplomacy"}
        assert [link.note for link in merged.links] == [
            "Same Russian delegation: Bamako and Niamey stops"
        ]


def test_a_selection_exports_its_tags_with_their_ancestors_only(
    sample: Sample, tmp_path: Path
) -> None:
    path = tmp_path / "one.json"
    write_json_export(sample.archive, path, [sample.ids["bamako"]])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["scope"] == "selection"
    regions = [t["name"] for t in data["tags"] if t["kind"] == "region"]
    # Mali with the gazetteer regions above it, parents first; not the whole world.
    assert regions[-1] == "Mali"
    assert "Africa" in regions and "Niger" not in regions
    # Links leading out of the selection cannot be recreated, so they are left out.
    assert data["links"] == []
    assert data["dossiers"][0]["clippings"] == [sample.ids["bamako"]]


def test_the_file_has_every_field_the_originals_and_a_schema_version(
    sample: Sample, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    write_json_export(sample.archive, path)
    assert path.read_text(encoding="utf-8").startswith('{\n "format": "clipper-export"')
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    bamako = next(c for c in data["clippings"] if c["ref"] == sample.ids["bamako"])
    assert bamako["title"] == "Assimi Goïta reçoit une délégation russe à Bamako"
    assert bamako["extra"] == {"desk": "Africa"}
    assert base64.b64decode(bamako["original"]["data"]) == sample.archive.original(
        sample.ids["bamako"]
    )
    assert bamako["original"]["filename"] == "bamako.txt"
    niamey = next(c for c in data["clippings"] if c["ref"] == sample.ids["niamey"])
    assert niamey["references"] == ["Macron ultimately orders military exit from Niger"]
    assert niamey["regions"] == ["Niger", "Russia"]


def test_the_export_is_recognised_by_its_content(sample: Sample, tmp_path: Path) -> None:
    path = tmp_path / "renamed.txt"
    write_json_export(sample.archive, path)
    assert is_clipper_export(path)
    other = tmp_path / "data.json"
    other.write_text('{"format": "something else", "clippings": []}', encoding="utf-8")
    assert not is_clipper_export(other)
    prose = tmp_path / "note.txt"
    prose.write_text('He wrote "format": "clipper-export" in a message.', encoding="utf-8")
    assert not is_clipper_export(prose)
    assert not is_clipper_export(tmp_path / "missing.json")


def _valid(sample: Sample, tmp_path: Path) -> dict:
    path = tmp_path / "export.json"
    write_json_export(sample.archive, path)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "update Clipper"),
        (lambda d: d["links"].append({"a": 1, "b": 999}), "not in the export"),
        (lambda d: d["clippings"][0].pop("body"), "'body' is missing"),
        (lambda d: d["clippings"][0]["original"].update(data="####"), "not valid base64"),
        (lambda d: d["clippings"][0].update(published="06/12/2023"), "is not a date"),
        (lambda d: d["dossiers"][0]["clippings"].append(12345), "not in the export"),
        (lambda d: d["links"][-1].update(kind="rumour"), "unknown link kind 'rumour'"),
        (
            lambda d: d["tags"][-1].update(match_mode="regex", match_pattern="army(("),
            "invalid regular expression",
        ),
        (lambda d: d["tags"][0].update(match_mode="sometimes"), "unknown match mode"),
    ],
)
def test_a_damaged_export_is_refused_before_anything_is_written(
    sample: Sample, tmp_path: Path, damage, message: str
) -> None:
    data = _valid(sample, tmp_path)
    data["clippings"].sort(key=lambda c: c["original"] is None)
    damage(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with _other_archive(tmp_path, "copy") as copy:
        with pytest.raises(InvalidExport, match=message):
            import_json_file(copy, bad)
        assert all_ids(copy) == [] and copy.dossiers() == []


def test_an_import_that_fails_halfway_leaves_the_archive_as_it_was(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is valid, but the archive fails while the dossiers are written (as a full
    disk would): the clippings, tags, notes and links written before are rolled back too."""
    _enrich(sample)
    path = tmp_path / "export.json"
    write_json_export(sample.archive, path)
    with _other_archive(tmp_path, "desk") as desk:
        from clipper.core.drafts import ClippingDraft

        mine = desk.add(ClippingDraft(title="Already here", body="A clipping of our own.")).id
        desk.add_note(mine, "Our note")
        before, seq = snapshot(desk), desk.last_seq()

        def disk_full(*_args: object, **_kwargs: object) -> None:
            raise ArchiveError("database or disk is full")

        monkeypatch.setattr(Archive, "add_to_dossier", disk_full)
        with pytest.raises(ExportError, match="nothing was imported: database or disk is full"):
            import_json_file(desk, path)
        assert snapshot(desk) == before
        assert desk.last_seq() == seq
        assert desk.find_tag("topic", "Security") is None
        assert desk.integrity_problems() == []

        # Once the cause is gone, the same file imports whole.
        monkeypatch.undo()
        report = import_json_file(desk, path)
        assert (report.created, report.dossiers) == (5, 2)
        assert desk.integrity_problems() == []


def test_not_json_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "clipper-export", "schema_version": 1,', encoding="utf-8")
    with pytest.raises(ExportError, match="not valid JSON"):
        read_export(bad)


def test_times_come_back_exactly(sample: Sample, tmp_path: Path) -> None:
    archive = sample.archive
    when = dt.datetime(2023, 12, 7, 8, 30, 15, 123456)
    archive.trash([sample.ids["arabic"]], at=when)
    path = tmp_path / "export.json"
    write_json_export(archive, path)
    with _other_archive(tmp_path, "copy") as copy:
        report = import_json_file(copy, path)
        assert copy.get(report.ids[sample.ids["arabic"]]).trashed_at == when


def test_the_rule_flag_is_an_optional_field_of_schema_1(sample: Sample, tmp_path: Path) -> None:
    """Topic rules carry whether they were on, beside the rule only; files without the field
    (older ones) and files with fields this reader does not know import the same way, and a
    rule from any of them is stored off."""
    archive = sample.archive
    on = archive.create_tag("topic", "Wagner").value
    archive.set_topic_rule(on.id, "any", "Wagner Africa Corps")
    off = archive.create_tag("topic", "Grain").value
    archive.set_topic_rule(off.id, "phrase", "grain shipments", enabled=False)
    path = tmp_path / "export.json"
    write_json_export(archive, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    rules = {t["name"]: t.get("match_enabled") for t in data["tags"] if t["match_mode"]}
    assert rules == {"Wagner": True, "Grain": False}
    assert all("match_enabled" not in t for t in data["tags"] if not t["match_mode"])

    def imported_rules(variant: dict) -> dict[str, tuple[str | None, bool]]:
        variant_path = tmp_path / f"variant-{len(list(tmp_path.iterdir()))}.json"
        variant_path.write_text(json.dumps(variant), encoding="utf-8")
        with _other_archive(tmp_path, variant_path.stem) as copy:
            report = import_json_file(copy, variant_path)
            assert report.rules_off == 2
            return {
                n.name: (n.match_pattern, n.match_enabled)
                for n in copy.tag_tree("topic")
                if n.match_mode
            }

    expected = {"Wagner": ("Wagner Africa Corps", False), "Grain": ("grain shipments", False)}
    assert imported_rules(data) == expected
    older = json.loads(json.dumps(data))
    for tag in older["tags"]:
        tag.pop("match_enabled", None)
    assert imported_rules(older) == expected
    newer = json.loads(json.dumps(data))
    for tag in newer["tags"]:
        tag["match_weight"] = 0.5
    newer["clippings"][0]["sentiment"] = {"score": 1}
    assert imported_rules(newer) == expected
    wrong = json.loads(json.dumps(data))
    next(t for t in wrong["tags"] if t["match_mode"])["match_enabled"] = "yes"
    wrong_path = tmp_path / "wrong.json"
    wrong_path.write_text(json.dumps(wrong), encoding="utf-8")
    with pytest.raises(InvalidExport, match="'match_enabled' has the wrong type"):
        read_export(wrong_path)


def test_a_deep_tag_tree_is_written_parents_first_without_recursion() -> None:
    """A 3,000-level topic tree (listed children first) is written without recursing once
    per level, every parent before its child."""
    from clipper.core.views import TagNode
    from clipper.export.json_export import _tag_entries

    nodes = [
        TagNode(
            id=level + 1,
            kind="topic",
            name=f"level {level}",
            code=None,
            parent_id=level or None,
            group_ids=(),
            count=0,
            total=0,
        )
        for level in range(3000)
    ]
    entries = _tag_entries(reversed(nodes), None)
    assert [e["name"] for e in entries] == [f"level {level}" for level in range(3000)]
    assert entries[0]["parent"] is None and entries[-1]["parent"] == "level 2998"
