"""Rules over arriving drafts: the same language and meaning as a search (stemming, accents,
phrases, a region's members), without the drafts ever entering the library's index."""

from __future__ import annotations

import pytest

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft, Suggestion
from clipper.core.monitor.rules import check_rule, default_tags, matching_drafts
from clipper.core.search import QuerySyntaxError

DRAFTS = [
    ClippingDraft("L'armée malienne à Kidal", "Les soldats de l'armée sont entrés à Kidal.",
                  language="fr", regions=[Suggestion("Mali", "ML", 1.0)]),
    ClippingDraft("Wagner in Niamey", "Wagner mercenaries arrived in Niamey.", language="en",
                  regions=[Suggestion("Niger", "NE", 1.0), Suggestion("Libya", "LY", 0.2)]),
    ClippingDraft("Africa Corps in Libya", "The Africa Corps replaced Wagner in Benghazi.",
                  language="en", regions=[Suggestion("Libya", "LY", 1.0)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("armee", {0}),  # accents and elision
        ("mercenary", {1}),  # stemming
        ('"Africa Corps"', {2}),
        ("region:Sahel", {0, 1}),  # a grouping takes in its members
        ('region:Sahel AND (Wagner OR "Africa Corps")', {1}),
        ("region:Libya", {2}),  # a weak suggestion is not a tag the draft would have
        ("wagner NOT region:Libya", {1}),
        ("topic:Security", {0, 1, 2}),  # the feed's own tags
    ],
)
def test_a_rule_means_what_the_same_search_means(
    archive: Archive, rule: str, expected: set[int]
) -> None:
    archive.create_tag("topic", "Security")
    assert matching_drafts(rule, DRAFTS, archive.stores.tags, [("topic", "Security")]) == expected
    # Nothing of it reached the archive or its index.
    assert archive.count() == 0
    assert archive.search("wagner").total == 0


def test_a_rule_is_checked_before_it_is_kept(archive: Archive) -> None:
    assert check_rule("  niger   AND wagner ", archive.stores.tags) == "niger AND wagner"
    with pytest.raises(QuerySyntaxError, match="never closed"):
        check_rule("(niger", archive.stores.tags)
    with pytest.raises(QuerySyntaxError, match="nothing to match"):
        check_rule("   ", archive.stores.tags)
    with pytest.raises(QuerySyntaxError, match="names topic:Nope, and there is no such topic"):
        check_rule("niger OR topic:Nope", archive.stores.tags)


def test_default_tags_are_the_sources_then_the_confident_suggestions() -> None:
    draft = DRAFTS[1]
    assert default_tags(draft, [("topic", "Security"), ("region", "Niger")]) == [
        ("topic", "Security"),
        ("region", "Niger"),
    ]
    assert default_tags(draft) == [("region", "Niger")]
