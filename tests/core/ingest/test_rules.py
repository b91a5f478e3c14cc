"""Topic rules are untrusted (an imported export can carry one): a regular expression that
backtracks without end is refused where a rule is set or turned on, and one already on in an
archive runs under a time budget, so an import goes on without it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.errors import InvalidInput
from clipper.core.paths import resolve_location
from clipper.core.rule_patterns import backtracking_reason
from tests.helpers.paths import TESTS

CATASTROPHIC = r"^(\w+\s?)*$"
# A story of one paragraph that opens with a long run of word characters (a pasted data
# string): the pattern tries every way of splitting the run (`re` for ever; `regex`, which
# prunes some of the ways, for seconds, well past the budget however loaded the machine).
# It matches any blank line, so the run must come before one.
STORY = (
    "Uranium convoy leaves Arlit, the first since July\n\n"
    + "x" * 30000
    + "! A convoy carrying uranium concentrate left Arlit on Monday for the port of Cotonou, "
    "the mine's operator said, the first since the border reopened.\n"
)


def _archive_with_rule_on(home: Path, pattern: str) -> None:
    """An archive in which the rule is already on, as an older Clipper let an editor turn it
    on without checking the pattern."""
    with Archive(resolve_location(home)) as archive:
        topic = archive.create_tag("topic", "Catch-all").value
        archive.set_topic_rule(topic.id, "regex", pattern, enabled=False)
        uranium = archive.create_tag("topic", "Uranium").value
        archive.set_topic_rule(uranium.id, "regex", r"\buranium\b")
    with sqlite3.connect(home / "archive.sqlite3") as db:
        db.execute("UPDATE tags SET match_enabled = 1")


def test_a_rule_that_backtracks_without_end_does_not_hold_up_an_import(tmp_path: Path) -> None:
    home, story = tmp_path / "desk", tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    _archive_with_rule_on(home, CATASTROPHIC)
    repo = TESTS.parent
    env = {**os.environ, "PYTHONPATH": str(repo), "QT_QPA_PLATFORM": "offscreen"}
    # In a process of its own: before the time budget, this import never ended.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clipper",
            "--archive",
            str(home),
            "import",
            "--dry-run",
            "--json",
            str(story),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    [row] = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["ok"] is True and row["title"] == "Uranium convoy leaves Arlit, the first since July"
    topics = {t["name"]: t["evidence"] for t in row["topics"]}
    assert "Catch-all" not in topics
    assert topics["Uranium"] == r"the topic's rule matches (regex: \buranium\b)"
    assert "took longer than" in done.stderr and CATASTROPHIC in done.stderr


def test_an_editor_cannot_set_or_turn_on_a_rule_that_backtracks_without_end(
    archive: Archive,
) -> None:
    topic = archive.create_tag("topic", "Catch-all").value
    with pytest.raises(InvalidInput, match=r"backtracks without end.*every import"):
        archive.set_topic_rule(topic.id, "regex", CATASTROPHIC)
    # Stored off (as an export's rule arrives) it is kept as it came, and cannot be turned on.
    archive.set_topic_rule(topic.id, "regex", CATASTROPHIC, enabled=False)
    with pytest.raises(InvalidInput, match="backtracks without end"):
        archive.enable_topic_rule(topic.id)
    [node] = [n for n in archive.tag_tree("topic") if n.name == "Catch-all"]
    assert (node.match_pattern, node.match_enabled) == (CATASTROPHIC, False)


@pytest.mark.parametrize("pattern", [r"(a+)+b", r"(x+x+)+y", r"^(\w+\s?)*$"])
def test_nested_repetitions_are_found_by_the_probe(pattern: str) -> None:
    assert backtracking_reason(pattern) is not None


@pytest.mark.parametrize(
    "pattern",
    [
        r"\buranium\b|\bOrano\b",
        r"(?:\d+,)*\d+ (?:tonnes|tons)",
        r"^Niger(?:ien|ienne)?s?\b",
        r"wagner|africa corps",
        r"(?:\w+\s){0,3}coup",
    ],
)
def test_ordinary_rules_are_accepted(archive: Archive, pattern: str) -> None:
    topic = archive.create_tag("topic", "Ordinary").value
    archive.set_topic_rule(topic.id, "regex", pattern)
    archive.enable_topic_rule(topic.id)
    [node] = [n for n in archive.tag_tree("topic") if n.name == "Ordinary"]
    assert (node.match_pattern, node.match_enabled) == (pattern, True)


def test_an_export_carrying_such_a_rule_still_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    colleague, desk = tmp_path / "colleague", tmp_path / "desk"
    _archive_with_rule_on(colleague, CATASTROPHIC)
    export = tmp_path / "colleague.json"
    assert main(["--archive", str(colleague), "export", "--json", str(export)]) == 0
    assert main(["--archive", str(desk), "import", str(export)]) == 0
    with Archive(resolve_location(desk)) as archive:
        [node] = [n for n in archive.tag_tree("topic") if n.name == "Catch-all"]
        assert (node.match_pattern, node.match_enabled) == (CATASTROPHIC, False)


def test_an_import_tries_the_rules_that_are_on_and_only_those(tmp_path: Path, capsys) -> None:
    home = tmp_path / "archive"
    with Archive(resolve_location(home)) as archive:
        uranium = archive.create_tag("topic", "Uranium").value
        archive.set_topic_rule(uranium.id, "any", "uranium yellowcake")
        convoys = archive.create_tag("topic", "Convoys").value
        archive.set_topic_rule(convoys.id, "any", "convoy", enabled=False)
        archive.create_tag("topic", "Mining")  # no rule
        assert [(r.name, r.mode) for r in archive.topic_rules()] == [("Uranium", "any")]
    story = tmp_path / "convoy.txt"
    story.write_text(STORY.replace("x" * 30000, "Niamey."), encoding="utf-8")
    assert main(["--archive", str(home), "import", "--dry-run", "--json", str(story)]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    topics = {t["name"]: t for t in row["topics"]}
    assert "Uranium" in topics and "rule matches" in topics["Uranium"]["evidence"]
    assert "Convoys" not in topics
