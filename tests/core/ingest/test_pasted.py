"""Pasted text and pasted HTML through the paths an editor takes (`clipper import` of a text
file, and `import_inputs` as the window's drop target calls it): what stands above the
headline, the title among the header's lines, bylines, paywall lines, agency footers and
captions, lists of related stories, and text copied out of a PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipper.cli import main
from clipper.core.archive import Archive
from clipper.core.ingest import InputItem, import_inputs

HEADLINE = "Junta tightens its grip on the press"
BYLINE = "By Morgan Le Cam\nDecember 5, 2023"
BODY = [
    "The arrests came on Tuesday evening, when security forces entered the offices of a private"
    " radio station in the capital and took away its director and two reporters, according to"
    " colleagues who witnessed the scene.",
    "The station had broadcast an interview with a former minister critical of the transition a"
    " few days earlier, and the authorities accused it of undermining the morale of the armed"
    " forces.",
]
STANDFIRST = (
    "Three journalists were arrested in Niamey this week, the latest in a series of detentions"
    " since the military took power in July."
)
ARTICLE = "\n\n".join(BODY)


def _dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> dict:
    path = tmp_path / "pasted.txt"
    path.write_text(text, encoding="utf-8")
    code = main(
        ["--archive", str(tmp_path / "archive"), "import", "--dry-run", "--json", str(path)]
    )
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and row["ok"] is True, row["error"]
    return row


ABOVE_THE_HEADLINE = {
    "cookie-banner": (
        "This website uses cookies and similar technologies from our partners to personalise"
        " content and ads and to analyse our traffic, as described in our privacy policy. You can"
        " accept all or manage your consent at any time."
    ),
    "editors-note": (
        "Editor's note: This article was updated on December 6 to correct the name of the radio"
        " station."
    ),
    "standfirst": STANDFIRST,
}


@pytest.mark.parametrize("above", ABOVE_THE_HEADLINE, ids=list(ABOVE_THE_HEADLINE))
def test_prose_above_the_headline_leaves_headline_and_byline_in_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], above: str
) -> None:
    first = ABOVE_THE_HEADLINE[above]
    row = _dry_run(tmp_path, capsys, f"{first}\n\n{HEADLINE}\n\n{BYLINE}\n\n{ARTICLE}\n")
    assert row["title"] == HEADLINE and row["title_guessed"] is False
    assert row["author"] == "Morgan Le Cam" and row["published"] == "2023-12-05"
    assert row["body"] == ARTICLE
    if above == "editors-note":
        assert row["extra"]["editor_note"] == first
    if above == "standfirst":
        assert row["standfirst"] == STANDFIRST


def test_a_photo_caption_in_the_header_is_not_the_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caption = (
        "Soldiers loyal to the junta stand guard outside the offices of the state broadcaster in"
        " Niamey on Tuesday"
    )
    row = _dry_run(tmp_path, capsys, f"World\n{HEADLINE}\n{caption}\n{BYLINE}\n\n{ARTICLE}\n")
    assert row["title"] == HEADLINE
    assert row["body"] == ARTICLE


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        (
            "By Baba Ahmed and Sam Mednick, Associated Press correspondents\nin Bamako and Niamey",
            "Baba Ahmed and Sam Mednick",
        ),
        ("By Ousmane Diallo, Niamey, 5 December 2023", "Ousmane Diallo"),
        ("By Ousmane Diallo Updated 5 December 2023", "Ousmane Diallo"),
    ],
    ids=["two-lines", "city-and-date", "updated"],
)
def test_a_byline_gives_the_names_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], byline: str, author: str
) -> None:
    row = _dry_run(tmp_path, capsys, f"{HEADLINE}\n\n{byline}\n\n{ARTICLE}\n")
    assert row["title"] == HEADLINE
    assert row["author"] == author
    assert row["body"] == ARTICLE


def test_le_monde_paywall_lines_do_not_leak(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        f"International\nArticle réservé aux abonnés\n\n{HEADLINE}\n\n{BYLINE}\n\n{ARTICLE}\n\n"
        "Il vous reste 62.35% de cet article à lire. La suite est réservée aux abonnés.\n"
    )
    row = _dry_run(tmp_path, capsys, text)
    assert row["title"] == HEADLINE
    assert row["body"] == ARTICLE


def test_agency_footers_and_captions_do_not_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        f"{HEADLINE}\n\n{BYLINE}\n\n{BODY[0]}\n\n"
        "A soldier stands guard outside the presidential palace in Niamey, Niger, on Aug. 20,"
        " 2023. (AP Photo/Sam Mednick)\n\n"
        f"{BODY[1]}\n\n"
        "Copyright 2024 The Associated Press. All rights reserved. This material may not be"
        " published, broadcast, rewritten or redistributed without permission.\n\n"
        "AllAfrica publishes around 400 reports a day from more than 100 news organizations and"
        " over 500 other institutions and individuals, representing a diversity of positions on"
        " every topic.\n\n" + ABOVE_THE_HEADLINE["cookie-banner"] + "\n"
    )
    row = _dry_run(tmp_path, capsys, text)
    assert row["body"] == ARTICLE


def test_every_headline_under_a_related_heading_is_a_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    related = [
        "Niger's junta expels French ambassador",
        "Burkina Faso suspends French broadcasters",
        "Mali ends peace deal with northern rebels",
    ]
    text = f"{HEADLINE}\n\n{BYLINE}\n\n{ARTICLE}\n\nRelated\n\n" + "\n".join(related) + "\n"
    row = _dry_run(tmp_path, capsys, text)
    assert row["related_refs"] == related
    assert row["body"] == ARTICLE


def test_text_copied_from_a_pdf_loses_hyphenation_and_running_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "JOURNAL OF SAHEL STUDIES  Vol. 12  No. 3  2023  45\n\n"
        "The 2023 coup and the legisla-\ntive transition in Niger\n\n"
        "The National Council for the Safeguard of the Homeland suspended the constitution and"
        " dissolved the National Assembly, replacing the legisla-\ntive branch with an appointed"
        " body.\n\n"
        "Observers noted that the new body had met only twice, a two- or three-day session each"
        " time, and that its deliberations were not made public, con- trary to the practice.\n\n"
        "JOURNAL OF SAHEL STUDIES  Vol. 12  No. 3  2023  46\n\n"
        "The transition charter adopted in March fixed a period of three years before elections,"
        " a timetable that neighbouring states have criti-\ncised as too long.\n"
    )
    row = _dry_run(tmp_path, capsys, text)
    assert row["title"] == "The 2023 coup and the legislative transition in Niger"
    assert row["body"].split("\n\n") == [
        "The National Council for the Safeguard of the Homeland suspended the constitution and"
        " dissolved the National Assembly, replacing the legislative branch with an appointed"
        " body.",
        "Observers noted that the new body had met only twice, a two- or three-day session each"
        " time, and that its deliberations were not made public, contrary to the practice.",
        "The transition charter adopted in March fixed a period of three years before elections,"
        " a timetable that neighbouring states have criticised as too long.",
    ]


FRAGMENTS = {
    "byline-paragraph": "<p>By Ousmane Diallo, Niamey, 5 December 2023</p>",
    "byline-spans": (
        "<div class='meta'><span>By Ousmane Diallo</span> | <span>Niamey</span> |"
        " <time>5 December 2023</time></div>"
    ),
    "byline-and-date-apart": (
        "<div class='byline'>By Ousmane Diallo in Niamey</div>"
        "<div class='date'>Published 5 December 2023</div>"
    ),
}


@pytest.mark.parametrize("byline", FRAGMENTS, ids=list(FRAGMENTS))
def test_pasted_html_keeps_its_h2_headline_and_reads_its_byline(
    archive: Archive, byline: str
) -> None:
    # As a browser puts a selection on the clipboard: a fragment, no <title>, no <h1>.
    html = (
        f"<html><body><!--StartFragment--><span>Niger</span><h2>{HEADLINE}</h2>{FRAGMENTS[byline]}"
        + "".join(f"<p>{p}</p>" for p in BODY)
        + "<!--EndFragment--></body></html>"
    )
    item = InputItem(label="dropped HTML", data=html.encode("utf-8"), media_type="text/html")
    [outcome] = import_inputs(archive, [item], dry_run=True)
    assert outcome.ok and outcome.draft is not None
    assert outcome.draft.title == HEADLINE and not outcome.draft.title_guessed
    assert outcome.draft.author == "Ousmane Diallo"
    assert outcome.draft.published is not None
    assert outcome.draft.published.isoformat() == "2023-12-05"
    assert outcome.draft.body == ARTICLE


def test_a_transcript_keeps_its_speakers_names_in_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Lines that come back in capitals are a PDF's running header, unless they name a speaker.
    turns = [
        BODY[0],
        "THE INTERVIEWER:",
        "What did the station broadcast before the arrests, and who gave the order?",
        "PRESIDENT BAZOUM:",
        BODY[1],
        "THE INTERVIEWER:",
        "Will the reporters be charged, and when will their families be allowed to see them?",
    ]
    row = _dry_run(tmp_path, capsys, f"{HEADLINE}\n\n" + "\n\n".join(turns) + "\n")
    assert row["body"].split("\n\n") == turns
