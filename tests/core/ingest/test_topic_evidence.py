"""Topic suggestions only with evidence, through `clipper import --dry-run --json`: the
archive's similar clippings vote only when they share the draft's telling words, a default
topic needs two of its keywords, and every suggestion says what it rests on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.paths import resolve_location

STADIA = (
    "Google Stadia review: cloud gaming that works, mostly\n\n"
    "Google's Stadia streams games from the company's data centres to a television, a laptop"
    " or a phone, and on a fast connection it works better than we expected. Destiny 2 ran"
    " smoothly for hours, though fast shooters showed some lag. The controller connects"
    " over wifi rather than to the screen. Google says the service will reach more"
    " countries, including South Africa, next year, and more games are promised. The"
    " subscription costs ten dollars a month.\n"
)
TRANSFER = (
    "Striker completes move to Marseille\n\n"
    "The Senegalese striker has signed a four-year contract with Marseille after a transfer"
    " worth thirty million euros, the club said on Friday. He scored eighteen goals for his"
    " former club last season and will wear the number nine shirt. The coach said the"
    " forward would give the attack the speed it lacked, and fans gathered at the stadium"
    " to welcome him.\n"
)


def _archive_with_tagged_stories(home: Path) -> None:
    with Archive(resolve_location(home)) as archive:
        for number in range(3):
            archive.add(
                ClippingDraft(
                    title=f"Wagner and the Sahel juntas, part {number}",
                    body=(
                        f"Report {number}: Russian instructors and Wagner mercenaries arrived"
                        " in Bamako and Niamey as the juntas of Mali, Burkina Faso and Niger"
                        " turned to Moscow for weapons, helicopters and military training."
                        " Google searches for Wagner rose across Africa, and the company's"
                        " security contractors were seen near the stadium in Bamako."
                    ),
                ),
                tags=[("topic", "Russia in Africa"), ("topic", "Security")],
            )
        archive.index.catch_up()


def _topics(home: Path, path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(["--archive", str(home), "import", "--dry-run", "--json", str(path)]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {t["name"]: t["evidence"] for t in row["topics"]}


@pytest.mark.parametrize("story", [STADIA, TRANSFER], ids=["game-review", "football-transfer"])
def test_unrelated_stories_get_no_topic_from_the_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], story: str
) -> None:
    home = tmp_path / "archive"
    _archive_with_tagged_stories(home)
    path = tmp_path / "story.txt"
    path.write_text(story, encoding="utf-8")
    topics = _topics(home, path, capsys)
    assert "Russia in Africa" not in topics and "Security" not in topics


def test_a_related_story_gets_the_archive_topics_with_their_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "archive"
    _archive_with_tagged_stories(home)
    path = tmp_path / "story.txt"
    path.write_text(
        "More Wagner instructors land in Niamey\n\n"
        "A second group of Russian instructors linked to Wagner landed in Niamey on Monday, as"
        " the junta of Niger followed Mali and Burkina Faso in turning to Moscow for weapons"
        " and training. The mercenaries brought helicopters, officials said.\n",
        encoding="utf-8",
    )
    topics = _topics(home, path, capsys)
    evidence = topics["Russia in Africa"]
    assert re.match(
        r"tagged so on #[123] “Wagner and the Sahel juntas, part [012]” and 2 more,", evidence
    )
    shared = evidence.split("which shares: ")[1].split(", ")
    assert len(shared) >= 3 and "wagner" in shared
    # The default vocabulary's topics name the words they were found by.
    assert topics["conflict, war and peace"].startswith("words: ")


def test_one_keyword_is_not_enough_for_a_default_topic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "A new bakery opens in Niamey\n\n"
        "The bakery on the river road sold its first loaves on Saturday, and the owner, who"
        " learned the trade in Dakar, said she would open a second shop before the election"
        " season if the flour keeps arriving on time.\n",
        encoding="utf-8",
    )
    topics = _topics(tmp_path / "archive", path, capsys)
    assert "politics" not in topics
