"""Tags: regions by any name, the tree and its counts, tagging clippings, editing the
tree, topic rules."""

from __future__ import annotations

import json
import random

import pytest

from clipper.core.archive import Archive, InvalidInput, NotFound, parse_tag_spec
from clipper.core.views import ClippingFilter
from tests.helpers.archives import draft, reopen

pytestmark = pytest.mark.backends


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


def test_tag_tree_counts_agree_with_the_filter_on_a_random_archive(archive: Archive) -> None:
    """Every count of the tree against an independent path: `count` against each live
    clipping's own tags, `total` against the listing filtered by the tag (which takes in
    everything under it, groupings included)."""
    rng = random.Random(11)
    regions = ["Niger", "Mali", "Burkina Faso", "Chad", "France", "Senegal", "Nigeria"]
    topics = ["Security", "Diplomacy", "Economy", "Migration"]
    ids = []
    for number in range(60):
        tags = [("region", r) for r in rng.sample(regions, rng.randrange(0, 3))]
        tags += [("topic", t) for t in rng.sample(topics, rng.randrange(0, 3))]
        ids.append(archive.add(draft(f"piece {number}"), tags=tags).id)
    archive.trash(rng.sample(ids, 9))
    live = set(archive.live_ids())
    carried = {cid: {t.id for t in archive.get(cid).tags} for cid in live}
    checked = 0
    for kind in ("region", "topic"):
        for node in archive.tag_tree(kind):
            assert node.count == sum(node.id in tags for tags in carried.values()), node.name
            listed = archive.list_ids(ClippingFilter(tag_ids=(node.id,)))
            assert node.total == len(listed), node.name
            checked += node.total > node.count  # a grouping that gathers several countries
    assert checked >= 3


def region_counts(archive: Archive) -> dict[str, tuple[int, int]]:
    return {n.name: (n.count, n.total) for n in archive.tag_tree("region") if n.total}


def test_tree_counts_are_kept_between_sessions_while_the_archive_does_not_change(
    archive: Archive,
) -> None:
    """The tree's counts are kept in the archive folder with the state of the archive and
    of the tree they were counted at (SQLite only): the next session uses them while nothing
    has changed, and counts again after any change, by this archive or another."""
    niger = [archive.add(draft(f"niger {n}"), tags=[("region", "Niger")]).id for n in range(2)]
    mali = archive.add(draft("mali"), tags=[("region", "Mali")]).id
    truth = region_counts(archive)
    assert truth["Niger"] == (2, 2) and truth["Mali"] == (1, 1) and truth["Sahel"] == (0, 3)
    cached = archive.location.home / "tag-counts-region.json"
    if archive.stores.unit.engine.dialect.name != "sqlite":
        assert not cached.exists(), "a server's change numbers may commit out of order"
        return
    # Proof that the next session reads the file: a count changed in it (the state kept).
    stored = json.loads(cached.read_text(encoding="utf-8"))
    niger_id = archive.find_tag("region", "Niger").id  # type: ignore[union-attr]
    for part in ("count", "total"):
        stored[part] = [[tag, 40 if tag == niger_id else n] for tag, n in stored[part]]
    cached.write_text(json.dumps(stored), encoding="utf-8")
    archive.close()
    with reopen(archive) as again:
        assert region_counts(again)["Niger"] == (40, 40)
        # Any change of the archive, here by another instance, and the sets are counted again.
        with reopen(archive) as other:
            other.trash([niger[0]])
        assert region_counts(again) == {
            "Niger": (1, 1),
            "Mali": (1, 1),
            **{name: (0, 2) for name, (_count, total) in truth.items() if total == 3},
        }
        again.add_tag([niger[1]], "region", "Mali")
        assert region_counts(again)["Mali"] == (2, 2)
        assert region_counts(again)["Sahel"] == (0, 2)
        again.trash([mali])
        assert region_counts(again)["Mali"] == (1, 1)
        # The tree changes without a clipping changing: the subtree counts follow it.
        desk = again.create_tag("region", "Desk West").value
        again.move_tag(again.find_tag("region", "Mali").id, desk.id)  # type: ignore[union-attr]
        assert region_counts(again)["Desk West"] == (0, 1)


@pytest.mark.parametrize("damage", ["garbage", "folder"])
def test_a_damaged_or_unwritable_count_cache_only_means_counting_again(
    archive: Archive, damage: str
) -> None:
    archive.add(draft("niger"), tags=[("region", "Niger")])
    cached = archive.location.home / "tag-counts-region.json"
    cached.unlink(missing_ok=True)
    if damage == "garbage":
        cached.write_bytes(b"\x00{not json")
    else:
        cached.mkdir()
    assert region_counts(archive)["Niger"] == (1, 1)
    archive.add(draft("niger 2"), tags=[("region", "Niger")])
    assert region_counts(archive)["Niger"] == (2, 2)


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


def test_parse_tag_spec() -> None:
    assert parse_tag_spec("region:Burkina Faso") == ("region", "Burkina Faso")
    assert parse_tag_spec("Topic: Security ") == ("topic", "Security")
    for bad in ("Niger", "region:", "place:Niger"):
        with pytest.raises(InvalidInput):
            parse_tag_spec(bad)
