"""Topic suggestions: the IPTC Media Topics top level, editors' match rules, and the
archive's own tagging of similar clippings."""

from __future__ import annotations

import json

import pytest

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest import import_inputs
from clipper.core.ingest.suggest import TOPICS_PATH, load_topics, rule_matches, suggest_topics
from tests.helpers.documents import SEED, corpus_page

IPTC_TOP_LEVEL = {
    "medtop:01000000", "medtop:02000000", "medtop:03000000", "medtop:04000000",
    "medtop:05000000", "medtop:06000000", "medtop:07000000", "medtop:08000000",
    "medtop:09000000", "medtop:10000000", "medtop:11000000", "medtop:12000000",
    "medtop:13000000", "medtop:14000000", "medtop:15000000", "medtop:16000000",
    "medtop:17000000",
}  # fmt: skip


def test_the_default_vocabulary_is_the_iptc_top_level_with_codes() -> None:
    topics = load_topics()
    assert {t.code for t in topics} == IPTC_TOP_LEVEL
    data = json.loads(TOPICS_PATH.read_text(encoding="utf-8"))
    assert all(entry["name"] and entry["name_fr"] for entry in data["topics"])


def test_a_war_story_and_a_sports_story_get_their_topics() -> None:
    html, _ = corpus_page("7916ecca")  # US service members killed in Afghanistan
    from clipper.core.ingest.html import read_html

    draft = read_html(html, "aljazeera.html")
    topics = suggest_topics(draft.title, draft.body)
    # A helicopter shot down in a war: both the conflict and the accident.
    assert {(t.name, t.code) for t in topics[:2]} == {
        ("conflict, war and peace", "medtop:16000000"),
        ("disaster, accident and emergency incident", "medtop:03000000"),
    }
    sport = suggest_topics(
        "Lions beat Cameroon in the Africa Cup of Nations",
        "Senegal's coach praised his players after the match. The team scored twice in the "
        "second half and the fans celebrated in Dakar. The tournament continues on Sunday "
        "with the quarter-finals, and the league season resumes next month.",
    )
    assert sport[0].name == "sport"


@pytest.mark.parametrize(
    ("mode", "pattern", "expected"),
    [
        ("any", "uranium Wagner", True),
        ("any", "uranium gold", False),
        ("all", "Russian junta Niamey", True),
        ("all", "Russian uranium", False),
        ("phrase", "Alliance of Sahel States", True),
        ("phrase", "Sahel Alliance", False),
        ("regex", r"\bYevkurov\b", True),
        ("regex", r"^Yevkurov", False),
        ("regex", "(unclosed", False),
        ("phrase", "  ", False),
    ],
)
def test_topic_rule_modes(mode: str, pattern: str, expected: bool) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert rule_matches(mode, pattern, text) is expected


def test_rules_match_accents_and_case_loosely() -> None:
    assert rule_matches("all", "securite Goita", "La sécurité selon Assimi Goïta.")
    assert rule_matches("phrase", "état de siège", "L'ETAT DE SIEGE est levé.")


def test_topics_of_similar_clippings_in_the_archive_are_suggested(archive: Archive) -> None:
    for number in range(3):
        archive.add(
            ClippingDraft(
                title=f"Wagner and the Sahel juntas, part {number}",
                body=(
                    f"Report {number}: Russian instructors and Wagner mercenaries arrived in "
                    "Bamako and Niamey as the juntas of Mali, Burkina Faso and Niger turned "
                    "to Moscow for weapons, helicopters and military training."
                ),
            ),
            tags=[("topic", "Russia in Africa")],
        )
    archive.index.catch_up()
    [outcome] = import_inputs(archive, [SEED], dry_run=True)
    assert outcome.draft is not None
    names = [t.name for t in outcome.draft.topics]
    assert "Russia in Africa" in names


def test_without_an_index_a_dry_run_still_suggests_default_topics(archive: Archive) -> None:
    [outcome] = import_inputs(archive, [SEED], dry_run=True)
    assert outcome.ok and outcome.draft is not None
    assert {"politics", "conflict, war and peace"} <= {t.name for t in outcome.draft.topics}
