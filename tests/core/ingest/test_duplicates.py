"""Near duplicates through `clipper import --json`: a syndicated copy cut to the first part of
the story is found (containment), while two outlets' own stories on the same event, sharing
names and a quotation, stay apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.dedupe import containment, jaccard, shingles
from tests.helpers.documents import corpus_page


def _import(
    capsys: pytest.CaptureFixture[str], home: Path, path: Path, *flags: str
) -> dict[str, object]:
    main(["--archive", str(home), "import", "--json", *flags, str(path)])
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return row


def _wire_story(tmp_path: Path, capsys: pytest.CaptureFixture[str], home: Path) -> list[str]:
    html, _ = corpus_page("e7994d55")
    page = tmp_path / "ap.html"
    page.write_text(html, encoding="utf-8")
    first = _import(capsys, home, page)
    assert first["ok"] is True and first["id"] == 1
    dry = _import(capsys, home, page, "--dry-run")
    return str(dry["body"]).split("\n\n")


@pytest.mark.parametrize("kept", [0.6, 0.75])
def test_a_copy_cut_to_the_start_of_the_story_is_a_near_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kept: float
) -> None:
    home = tmp_path / "archive"
    paragraphs = _wire_story(tmp_path, capsys, home)
    words = " ".join(paragraphs).split()
    cut = " ".join(words[: int(len(words) * kept)])
    copy = tmp_path / "short.txt"
    copy.write_text(f"Tories switch to new network\n\n{cut}\n", encoding="utf-8")
    # What made it slip through before: as a share of both bodies, it is well under 0.8.
    whole, part = shingles(" ".join(paragraphs)), shingles(cut)
    assert jaccard(whole, part) < 0.8 <= containment(whole, part)
    row = _import(capsys, home, copy)
    assert row["duplicate_of"] == 1
    assert isinstance(row["similarity"], float) and row["similarity"] >= 0.8


def test_two_outlets_own_stories_on_one_event_are_not_duplicates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "archive"
    quote = (
        '"We have taken our sovereign decision to leave the Economic Community of West African'
        ' States without delay," the statement said.'
    )
    first = tmp_path / "first.txt"
    first.write_text(
        "Sahel juntas quit West African bloc\n\n"
        "Niger, Mali and Burkina Faso said on Sunday they were leaving the Economic Community"
        " of West African States, accusing the bloc of turning its back on them after the"
        " military takeovers of the past three years. "
        + quote
        + " The three countries have drawn closer to Russia since their coups and expelled"
        " French troops who had fought Islamist insurgents across the region for a decade."
        " ECOWAS had suspended all three and imposed sanctions on Niger after the July coup,"
        " closing borders and freezing the country's assets at the regional central bank.\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.txt"
    second.write_text(
        "Exit from ECOWAS leaves traders at the border guessing\n\n"
        "At the Malanville crossing between Benin and Niger, lorry drivers waited on Monday"
        " for news of what the departure of Niger, Mali and Burkina Faso from the Economic"
        " Community of West African States would mean for the goods they carry. "
        + quote
        + " Customs officers on both sides said they had received no instructions, and"
        " onion sellers who cross every week feared new duties on a trade that has already"
        " suffered from months of closed borders since the coup in Niamey last July.\n",
        encoding="utf-8",
    )
    assert _import(capsys, home, first)["ok"] is True
    row = _import(capsys, home, second, "--dry-run")
    assert row["ok"] is True and row["duplicate_of"] is None and row["similarity"] is None
